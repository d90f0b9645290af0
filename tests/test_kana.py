"""clerk_tui.domain.kana: sanitising, kana and variant-kanji search keys, My Number refusal."""

from __future__ import annotations

import itertools
import unicodedata

import pytest

from clerk_tui.domain.errors import DomainError
from clerk_tui.domain.kana import (
    VariantTableError,
    contains_my_number,
    fold_width,
    is_kana,
    kana_key,
    load_variant_table,
    name_key,
    sanitize_input,
    to_katakana,
    validate_kana,
    validate_name,
    variants_of,
)

# --------------------------------------------------------------------------------------------
# Variant kanji
# --------------------------------------------------------------------------------------------

# Spellings of one name that a search must treat as the same (the list and more).
SAME_NAMES = [
    ["高橋", "髙橋"],
    ["山崎", "山﨑", "山嵜", "山碕"],
    ["斎藤", "齋藤", "齊藤", "斉藤"],
    ["渡辺", "渡邊", "渡邉"],
    ["吉田", "𠮷田"],
    ["小沢", "小澤"],
    ["浜田", "濱田", "濵田"],
    ["桜井", "櫻井"],
    ["広瀬", "廣瀬"],
    ["国分", "國分"],
    ["徳永", "德永"],
    ["真田", "眞田"],
    ["島田", "嶋田", "嶌田"],
    ["塚本", "\ufa10本"],
    ["髙𠮷", "高吉"],  # two variants, one of them astral, in one name
]


@pytest.mark.parametrize(
    ("a", "b"),
    [pair for group in SAME_NAMES for pair in itertools.permutations(group, 2)],
)
def test_variant_spellings_give_the_same_name_key(a: str, b: str) -> None:
    assert name_key(a) == name_key(b)


def test_every_group_in_the_table_folds_both_ways() -> None:
    table = load_variant_table()
    for group in table.groups:
        for a, b in itertools.permutations(group, 2):
            assert name_key(a + "田") == name_key(b + "田"), (a, b)


def test_distinct_names_keep_distinct_keys() -> None:
    assert name_key("高橋") != name_key("高梁")
    assert name_key("斎藤") != name_key("佐藤")


def test_name_key_folds_to_the_canonical_first_character() -> None:
    assert name_key("髙橋") == "高橋"
    assert name_key("𠮷田") == "吉田"
    assert name_key("山﨑") == "山崎"


def test_name_key_handles_the_astral_character_as_one_code_point() -> None:
    key = name_key("𠮷野家")
    assert key == "吉野家"
    assert len(key) == 3


def test_name_key_ignores_spaces_width_and_kana_script() -> None:
    assert name_key("渡邉　太郎") == name_key("渡辺 太郎") == "渡辺太郎"
    assert name_key("山田さくら") == name_key("山田ｻｸﾗ") == name_key("山田 サクラ")


def test_name_key_equals_kana_key_for_pure_kana() -> None:
    # One search box: a kana query must give the same key whichever function the caller used.
    for text in ["やまだ　きょうこ", "ﾔﾏﾀﾞ ｷｮｳｺ", "ジョン・スミス"]:
        assert name_key(text) == kana_key(text)


def test_name_key_drops_variation_selectors_and_invisible_characters() -> None:
    assert name_key("葛\U000e0100西") == name_key("葛西")
    assert name_key("高\u200b橋") == name_key("高橋")


def test_variants_of() -> None:
    assert variants_of("髙") == ("高", "髙")
    assert variants_of("高") == ("高", "髙")
    assert variants_of("𠮷") == ("吉", "𠮷")
    assert set(variants_of("齊")) == {"斎", "齋", "齊", "斉"}
    assert variants_of("\ufa10")[0] == "塚"
    assert variants_of("山") == ("山",)
    with pytest.raises(ValueError):
        variants_of("高橋")


def test_table_code_points_are_single_ideographs_in_one_group_only() -> None:
    seen: set[str] = set()
    for group in load_variant_table().groups:
        for ch in group:
            assert unicodedata.name(ch).startswith("CJK "), ch
            assert ch not in seen, ch
            seen.add(ch)
    assert "\U00020bb7" in seen and "\ufa11" in seen


def test_packaged_table_is_cached() -> None:
    assert load_variant_table() is load_variant_table()


def test_load_variant_table_from_another_file(tmp_path) -> None:
    extra = tmp_path / "extra.toml"
    extra.write_text(
        '# 追加の表\ngroups = [\n  ["高", "髙"],\n  ["杉", "椙"],  # 杉山・椙山\n]\n',
        encoding="utf-8",
    )
    table = load_variant_table(extra)
    assert name_key("椙山", table=table) == name_key("杉山", table=table) == "杉山"
    assert variants_of("椙", table=table) == ("杉", "椙")
    # The packaged table is untouched by loading another file.
    assert name_key("椙山") == "椙山"
    assert load_variant_table(str(extra)).groups == table.groups


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        ('groups = [["高", "髙"], ["高", "鷹"]]', "両方"),
        ('groups = [["高"]]', "2文字以上"),
        ('groups = [["高", "髙橋"]]', "1文字の漢字"),
        ('groups = [["高", "a"]]', "1文字の漢字"),
        ('groups = ["高髙"]', "形ではありません"),
        ("groupz = []", "groups"),
        ('groups = [["高", "髙"]', "読めません"),
    ],
)
def test_a_malformed_table_is_refused_with_a_japanese_message(tmp_path, content, needle) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(content, encoding="utf-8")
    with pytest.raises(VariantTableError, match=needle):
        load_variant_table(bad)


# --------------------------------------------------------------------------------------------
# Kana
# --------------------------------------------------------------------------------------------


def test_hiragana_katakana_and_half_width_give_the_same_kana_key() -> None:
    assert kana_key("やまだ たろう") == kana_key("ﾔﾏﾀﾞﾀﾛｳ") == kana_key("ヤマダ　タロウ") == "ヤマダタロウ"


def test_kana_key_folds_small_kana() -> None:
    assert kana_key("キョウコ") == kana_key("キヨウコ") == "キヨウコ"
    assert kana_key("ヨッシー") == "ヨツシー"
    assert kana_key("ァィゥェォッャュョヮヵヶ") == "アイウエオツヤユヨワカケ"
    assert kana_key("ｷｮｳｺ") == kana_key("きょうこ") == "キヨウコ"
    assert kana_key("ヴァイオリン") == "ヴアイオリン"  # ヴ is not a small kana


def test_kana_key_removes_spaces_and_middle_dots() -> None:
    assert kana_key(" スミス・ジョン ") == kana_key("ｽﾐｽ･ｼﾞｮﾝ") == "スミスジヨン"


def test_fold_width() -> None:
    assert fold_width("ｶﾞｷﾞﾊﾟ") == "ガギパ"
    assert fold_width("ＡＢＣ１２３") == "ABC123"
    assert fold_width("カ゛") == "ガ"  # spacing sound mark typed separately


def test_to_katakana() -> None:
    assert to_katakana("やまだ") == "ヤマダ"
    assert to_katakana("ﾔﾏﾀﾞ") == "ヤマダ"
    assert to_katakana("ゔぁ") == "ヴァ"


@pytest.mark.parametrize("text", ["やまだ", "ヤマダ タロウ", "ﾔﾏﾀﾞ", "ジョン・スミス", "ヨーコ", "さとう　はなこ"])
def test_is_kana_accepts(text: str) -> None:
    assert is_kana(text)


@pytest.mark.parametrize("text", ["", "   ", "山田", "ヤマダ1", "yamada", "ヤマダ[b]"])
def test_is_kana_refuses(text: str) -> None:
    assert not is_kana(text)


# --------------------------------------------------------------------------------------------
# Sanitising
# --------------------------------------------------------------------------------------------


def test_markup_like_text_is_data_and_passes_unchanged() -> None:
    assert sanitize_input("[bold]山田[/]") == "[bold]山田[/]"
    assert sanitize_input("[@click=app.quit]太郎") == "[@click=app.quit]太郎"


def test_escape_and_bidi_override_are_removed() -> None:
    assert sanitize_input("\x1b[31m山田") == "[31m山田"
    assert sanitize_input("山田\u202e太郎") == "山田太郎"
    invisible = ["\u202a", "\u202d", "\u2066", "\u2069", "\u200b", "\u200d", "\ufeff"]
    invisible += ["\x00", "\x7f"]
    for ch in invisible:
        assert sanitize_input(f"山{ch}田") == "山田", repr(ch)


def test_whitespace_is_collapsed_trimmed_and_kept_as_typed() -> None:
    assert sanitize_input("  山田　　太郎  ") == "山田　太郎"
    assert sanitize_input("山田   太郎") == "山田 太郎"
    assert sanitize_input("山田\n\t太郎\r\n") == "山田 太郎"
    assert sanitize_input("山田\u200b \u200b太郎") == "山田 太郎"


def test_sanitize_keeps_the_name_as_typed() -> None:
    # NFC, not NFKC: half-width kana and full-width letters stay; compatibility ideographs stay.
    assert sanitize_input("ﾔﾏﾀﾞ") == "ﾔﾏﾀﾞ"
    assert sanitize_input("ＡＢＣ") == "ＡＢＣ"
    assert sanitize_input("髙橋") == "髙橋"
    assert sanitize_input("𠮷田") == "𠮷田"
    assert sanitize_input("\ufa10本") == "\ufa10本"
    assert sanitize_input("\ufa11") == "\ufa11"
    assert sanitize_input("葛\U000e0100西") == "葛\U000e0100西"
    # NFC still composes a decomposed voiced mark.
    assert sanitize_input("カ\u3099") == "ガ"


# --------------------------------------------------------------------------------------------
# My Number
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "123456789012",
        "１２３４５６７８９０１２",
        "1234-5678-9012",
        "1234 5678 9012",
        "１２３４－５６７８－９０１２",
        "1234ー5678ー9012",
        "山田123456789012",
        "1234\u200b56789012",
    ],
)
def test_contains_my_number_true(text: str) -> None:
    assert contains_my_number(text)


@pytest.mark.parametrize(
    "text",
    [
        "12345678901",
        "1234567890123",
        "１２３４５６７８９０１２３",
        "03-1234-5678",
        "山田太郎",
        "",
        "123-4567",
    ],
)
def test_contains_my_number_false(text: str) -> None:
    assert not contains_my_number(text)


# --------------------------------------------------------------------------------------------
# Validation
# --------------------------------------------------------------------------------------------


def test_validate_name_returns_the_sanitised_name() -> None:
    assert validate_name("  髙橋　一郎\u202e ", field_label="氏名", max_len=20) == "髙橋　一郎"


@pytest.mark.parametrize("text", ["", "   ", "\u200b", None])
def test_validate_name_refuses_empty(text) -> None:
    with pytest.raises(DomainError) as err:
        validate_name(text, field_label="氏名", max_len=20)
    assert "氏名" in err.value.message and "入力してください" in err.value.message
    assert err.value.field == "氏名"


def test_validate_name_refuses_too_long_and_says_length_and_limit() -> None:
    with pytest.raises(DomainError) as err:
        validate_name("山" * 21, field_label="氏名", max_len=20, field="family_name")
    assert "20" in err.value.message and "21" in err.value.message
    assert err.value.field == "family_name"
    # An astral character counts as one character.
    assert validate_name("𠮷" * 20, field_label="氏名", max_len=20) == "𠮷" * 20


def test_validate_name_refuses_a_my_number() -> None:
    with pytest.raises(DomainError) as err:
        validate_name("山田 1234-5678-9012", field_label="氏名", max_len=40)
    assert "マイナンバー" in err.value.message


def test_validate_kana_returns_full_width_katakana_with_the_typed_space() -> None:
    assert validate_kana("ﾔﾏﾀﾞ ﾀﾛｳ", field_label="フリガナ", max_len=20) == "ヤマダ タロウ"
    assert validate_kana("やまだ　たろう", field_label="フリガナ", max_len=20) == "ヤマダ　タロウ"
    assert validate_kana("  キョウコ  ", field_label="フリガナ", max_len=20) == "キョウコ"


def test_validate_kana_refuses_non_kana_and_gives_the_position() -> None:
    with pytest.raises(DomainError) as err:
        validate_kana("ヤマダ[/]", field_label="フリガナ", max_len=20)
    assert "カタカナ" in err.value.message and "4文字目" in err.value.message
    assert "[" not in err.value.message  # input is not echoed into a message that may be markup


def test_validate_kana_checks_length_after_folding() -> None:
    # ﾀﾞ is two half-width characters but one katakana.
    assert validate_kana("ﾀﾞﾀﾞ", field_label="フリガナ", max_len=2) == "ダダ"
    with pytest.raises(DomainError, match="2文字以内"):
        validate_kana("ダダダ", field_label="フリガナ", max_len=2)


def test_validate_kana_refuses_empty_and_my_number() -> None:
    with pytest.raises(DomainError, match="入力してください"):
        validate_kana(" ", field_label="フリガナ", max_len=20)
    with pytest.raises(DomainError, match="マイナンバー"):
        validate_kana("123456789012", field_label="フリガナ", max_len=20)
