import pytest

from clerk_tui.domain.errors import DomainError
from clerk_tui.domain.money import format_yen, parse_yen


@pytest.mark.parametrize("text, value", [("12340", 12340), ("１２，３４０", 12340), ("12,340円", 12340),
                                         ("¥ 10,000", 10000), (" ３０００ ", 3000), (5000, 5000)])
def test_accepted_shapes(text, value):
    assert parse_yen(text) == value


@pytest.mark.parametrize("text, message", [("", "入力"), ("-100", "マイナス"), ("12a", "数字"),
                                           ("0", "1円以上"), ("1000000000", "大きすぎ"), ("１２.５", "数字")])
def test_refused_with_a_clear_message(text, message):
    with pytest.raises(DomainError, match=message):
        parse_yen(text)


def test_format():
    assert format_yen(1234567) == "1,234,567円"
