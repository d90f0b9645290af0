"""clerk_tui.domain.kana: kana and variant-kanji search keys."""

from __future__ import annotations

import itertools
import unicodedata

import pytest

from clerk_tui.domain.kana import (
    VariantTableError,
    fold_width,
    is_kana,
    kana_key,
    load_variant_table,
    name_key,
    to_katakana,
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
