import pytest

from clerk_tui.domain.errors import DomainError
from clerk_tui.domain.money import format_yen, parse_yen


@pytest.mark.parametrize("text, value", [("12340", 12340), ("１２，３４０", 12340), ("12,340円", 12340),
                                         ("¥ 10,000", 10000), (" ３０００ ", 3000), (5000, 5000),
                                         # the 万 notation of remuneration tables
                                         ("30万", 300_000), ("３０万円", 300_000), ("9.8万", 98_000),
                                         ("1万2,340", 12_340), ("1万", 10_000), ("13.9万円", 139_000)])
def test_accepted_shapes(text, value):
    assert parse_yen(text) == value


@pytest.mark.parametrize("text, message", [("", "入力"), ("-100", "マイナス"), ("12a", "数字"),
                                           ("0", "1円以上"), ("1000000000", "大きすぎ"), ("１２.５", "数字"),
                                           ("万", "数字"), ("三十万", "数字"), ("1.5万500", "数字"),
                                           ("9.87654万", "数字"), ("30万円也", "数字"), ("٣٠", "数字")])
def test_refused_with_a_clear_message(text, message):
    with pytest.raises(DomainError, match=message):
        parse_yen(text)


def test_format():
    assert format_yen(1234567) == "1,234,567円"


def test_the_field_named_in_the_error_can_differ_from_the_label():
    with pytest.raises(DomainError) as err:
        parse_yen("abc", label="標準報酬月額", field="standard_monthly_remuneration")
    assert err.value.field == "standard_monthly_remuneration" and "標準報酬月額" in err.value.message
