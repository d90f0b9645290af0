"""clerk_tui.domain.text: the one rule for stored text (controls, spaces, kinds, length, My Number)
and the lenient search-query sanitiser."""

from __future__ import annotations

import pytest

from clerk_tui.domain.errors import DomainError
from clerk_tui.domain.text import TextKind, clean_text, contains_my_number, sanitize_input

# --------------------------------------------------------------------------------------------
# My Number in every shape (the list the services' test feeds to every free-text field)
# --------------------------------------------------------------------------------------------

MY_NUMBER_SHAPES = [
    "123456789012",
    "1234 5678 9012",
    "1234-5678-9012",
    "1234.5678.9012",
    "1234/5678/9012",
    "1234_5678_9012",
    "1234　5678　9012",
    "１２３４５６７８９０１２",
    "１２３４－５６７８－９０１２",
    "1234ー5678ー9012",
    "12-34-56-78-90-12",
    "123 456 789 012",
    "1 2 3 4 5 6 7 8 9 0 1 2",
    "(1234) 5678-9012",
    "一二三四五六七八九〇一二",
    "一二三四五六七八九零一二",
    "一二三四 五六七八 九〇一二",
    "壱弐参四五六七八九〇一二",
    "①②③④⑤⑥⑦⑧⑨⓪①②",
    "١٢٣٤٥٦٧٨٩٠١٢",  # Arabic-Indic digits
    "番号は1234-5678-9012です",
    "2025-12-01 1234-5678-9012",
    "1234\u200b56789012",
]


@pytest.mark.parametrize("text", MY_NUMBER_SHAPES)
def test_contains_my_number_true(text: str) -> None:
    assert contains_my_number(text)


@pytest.mark.parametrize(
    "text",
    [
        "12345678901",
        "1234567890123",  # 13 digits: a corporate number, not a My Number
        "１２３４５６７８９０１２３",
        "03-1234-5678",
        "山田太郎",
        "",
        "123-4567",
        "2025-12-01 03-3239-9819",  # a date next to a telephone number
        "〒102-8017 東京都千代田区富士見1-12-8",
        "TEL 03-3239-9819 FAX 03-3239-9735",
        "佐藤一二三",
        "九十九",
    ],
)
def test_contains_my_number_false(text: str) -> None:
    assert not contains_my_number(text)


# --------------------------------------------------------------------------------------------
# clean_text
# --------------------------------------------------------------------------------------------


def _refusal(value, **kwargs) -> DomainError:
    kwargs.setdefault("label", "氏名")
    kwargs.setdefault("max_len", 40)
    with pytest.raises(DomainError) as err:
        clean_text(value, **kwargs)
    return err.value


@pytest.mark.parametrize("kind", [TextKind.NAME, TextKind.ADDRESS, TextKind.FREE])
def test_full_width_space_is_kept_in_names_addresses_and_free_text(kind) -> None:
    assert clean_text("山本　浩二", label="氏名", max_len=40, kind=kind) == "山本　浩二"
    assert clean_text("  山田　　太郎  ", label="氏名", max_len=40, kind=kind) == "山田　太郎"
    assert clean_text("山田   太郎", label="氏名", max_len=40, kind=kind) == "山田 太郎"


def test_full_width_space_is_a_separator_in_codes() -> None:
    assert clean_text("０３　３２３９　９８１９", label="連絡先", max_len=20, kind=TextKind.CODE) == "03 3239 9819"
    assert clean_text("１０２－８０１７", label="郵便番号", max_len=8, kind=TextKind.CODE) == "102-8017"


def test_line_breaks_and_tabs_become_one_space() -> None:
    assert clean_text("山田\n\t太郎\r\n", label="氏名", max_len=40) == "山田 太郎"


@pytest.mark.parametrize(("value", "position"), [
    ("\x1b[31m山田", 1), ("山田\x1b[0m", 3), ("山田\u202e太郎", 3), ("山\u200b田", 2), ("山田\x00", 3),
    ("\ufeff山田", 1), ("山田\x7f", 3), ("山田\u2066太郎", 3),
])
def test_control_and_invisible_characters_are_refused_with_their_position(value, position) -> None:
    error = _refusal(value, field="family_name")
    assert error.field == "family_name"
    assert "氏名" in error.message and f"{position}文字目" in error.message
    assert "\x1b" not in error.message


def test_too_long_is_refused_with_the_limit_and_the_count_not_cut() -> None:
    error = _refusal("山" * 52, label="医療機関名", max_len=40)
    assert error.message == "医療機関名は40文字以内で入力してください（いま52文字）。"
    # An astral character counts as one character.
    assert clean_text("𠮷" * 20, label="氏名", max_len=20) == "𠮷" * 20


def test_a_huge_value_is_refused_quickly() -> None:
    error = _refusal("あ" * 10_000_000, max_len=40)
    assert "40文字以内" in error.message


@pytest.mark.parametrize("value", [123, ["山田"], {"a": "b"}, b"yamada"])
def test_a_value_that_is_not_text_is_refused(value) -> None:
    assert "文字で入力" in _refusal(value).message


@pytest.mark.parametrize("value", ["", "   ", "　", None])
def test_required_refuses_empty_and_optional_gives_empty(value) -> None:
    assert "氏名を入力してください" in _refusal(value, required=True).message
    assert clean_text(value, label="氏名", max_len=40) == ""


@pytest.mark.parametrize("kind", list(TextKind))
@pytest.mark.parametrize("shape", MY_NUMBER_SHAPES)
def test_a_my_number_is_refused_in_every_kind(kind, shape) -> None:
    error = _refusal(shape.replace("\u200b", ""), label="備考", max_len=200, kind=kind)
    assert "マイナンバー" in error.message
    assert "9012" not in error.message and "5678" not in error.message


def test_names_are_kept_as_typed() -> None:
    # NFC, not NFKC: half-width kana, full-width letters and compatibility ideographs stay.
    for name in ("ﾔﾏﾀﾞ", "ＡＢＣ", "髙橋", "𠮷田", "\ufa10本", "葛\U000e0100西", "[bold]山田[/]"):
        assert clean_text(name, label="氏名", max_len=40, kind=TextKind.NAME) == name
    assert clean_text("カ\u3099", label="氏名", max_len=40) == "ガ"


def test_kana_becomes_full_width_katakana_with_the_typed_space() -> None:
    def kana(value: str, max_len: int = 20) -> str:
        return clean_text(value, label="フリガナ", max_len=max_len, kind=TextKind.KANA)

    assert kana("ﾔﾏﾀﾞ ﾀﾛｳ") == "ヤマダ タロウ"
    assert kana("やまだ　たろう") == "ヤマダ　タロウ"
    assert kana("ﾀﾞﾀﾞ", 2) == "ダダ"  # length counted after folding
    with pytest.raises(DomainError, match="2文字以内"):
        kana("ダダダ", 2)
    error = _refusal("ヤマダ[/]", label="フリガナ", kind=TextKind.KANA)
    assert "カタカナ" in error.message and "4文字目" in error.message and "[" not in error.message


# --------------------------------------------------------------------------------------------
# sanitize_input: search queries only (drops rather than refuses)
# --------------------------------------------------------------------------------------------


def test_sanitize_input_drops_controls_and_keeps_the_text_as_typed() -> None:
    assert sanitize_input("\x1b[31m山田") == "[31m山田"
    assert sanitize_input("山田\u202e太郎") == "山田太郎"
    assert sanitize_input("  山田　　太郎  ") == "山田　太郎"
    assert sanitize_input("山田\n\t太郎\r\n") == "山田 太郎"
    assert sanitize_input("ﾔﾏﾀﾞ") == "ﾔﾏﾀﾞ"
    assert sanitize_input("\ufa10本") == "\ufa10本"


def test_quote_input_repeats_typed_text_safely_in_messages() -> None:
    from clerk_tui.domain.ids import parse_member_code
    from clerk_tui.domain.wareki import parse_date

    with pytest.raises(DomainError) as err:
        parse_date("R7.\x1b[2J13.1")
    # The escape is shown as the visible text \x1b (the clerk sees what was pasted), never raw.
    assert "\x1b" not in err.value.message and "R7.\\x1b[2J13.1" in err.value.message
    with pytest.raises(DomainError) as err:
        parse_date("1234 5678 9012")
    assert "9012" not in err.value.message and "表示しません" in err.value.message
    with pytest.raises(DomainError) as err:
        parse_member_code("12\u202e34")
    assert "\u202e" not in err.value.message and "\\u202e" in err.value.message
