"""Classifying what the clerk types into the member-search box (clerk_tui.domain.query)."""

from __future__ import annotations

from datetime import date

import pytest

from clerk_tui.domain.errors import DomainError
from clerk_tui.domain.ids import MemberCode
from clerk_tui.domain.query import MAX_QUERY_CHARS, QueryKind, parse_query

K = QueryKind


# ------------------------------------------------------------------------------ 記号・番号


@pytest.mark.parametrize("text, code", [
    ("1234-567", MemberCode("1234", "567")),
    ("1234 567", MemberCode("1234", "567")),
    ("1234 567 01", MemberCode("1234", "567", "01")),
    ("1234-567-1", MemberCode("1234", "567", "01")),
    ("1234－５６７", MemberCode("1234", "567")),
    ("１２３４　５６７　０１", MemberCode("1234", "567", "01")),
    ("1234ー567", MemberCode("1234", "567")),  # an IME's long-vowel mark for "-"
    ("1234・567・02", MemberCode("1234", "567", "02")),
    ("1234/567", MemberCode("1234", "567")),
    ("記号1234 番号567 枝番01", MemberCode("1234", "567", "01")),
    ("記号1234番号567", MemberCode("1234", "567")),
    ("  1234-567  ", MemberCode("1234", "567")),
])
def test_member_codes_in_every_common_shape(text, code):
    q = parse_query(text)
    assert q.kind is K.MEMBER_CODE
    assert q.member_code == code
    assert not q.forced


def test_member_code_description_says_family_or_one_person():
    assert parse_query("1234-567").description == "記号・番号『1234-567』（世帯全員）で検索"
    assert parse_query("1234-567-01").description == "記号・番号・枝番『1234-567-01』で検索"


@pytest.mark.parametrize("text, fragment", [
    ("1234-567-001", "枝番が3桁あります"),
    ("123456789-1", "記号が9桁あります"),
    ("1234-123456789", "番号が9桁あります"),
    ("1-2-3-4", "区切りが多すぎます"),
])
def test_member_code_with_too_many_digits_or_parts_is_refused(text, fragment):
    with pytest.raises(DomainError) as err:
        parse_query(text)
    assert fragment in err.value.message
    assert text in err.value.message
    assert err.value.field == "search"


@pytest.mark.parametrize("text", ["123456789012", "1234 5678 9012", "１２３４-５６７８-９０１２"])
def test_a_twelve_digit_number_is_refused_as_a_possible_my_number(text):
    with pytest.raises(DomainError, match="個人番号"):
        parse_query(text)


def test_bare_digits_and_digits_in_a_name_are_invalid_with_help():
    with pytest.raises(DomainError) as err:
        parse_query("1234567")
    assert "数字だけでは検索できません" in err.value.message and "1234-567" in err.value.message
    with pytest.raises(DomainError, match="数字を含む検索語は読み取れません"):
        parse_query("山田1")


# ------------------------------------------------------------------------------ 生年月日


@pytest.mark.parametrize("text", [
    "昭和55年4月2日", "S55.4.2", "s55.4.2", "S55/4/2", "昭55.4.2", "昭和５５年４月２日",
    "1980-04-02", "1980/4/2", "1980.4.2", "1980年4月2日", "19800402", "１９８０－０４－０２",
    "3550402",  # e-Gov: era code 3 (昭和), 55-04-02
    "昭和 55年 4月 2日",
])
def test_birth_dates_in_wareki_and_western_shapes(text):
    q = parse_query(text)
    assert q.kind is K.BIRTH_DATE
    assert q.birth_date == date(1980, 4, 2)
    assert q.description.startswith("生年月日『昭和55年4月2日』（1980-04-02）")


def test_era_boundaries_and_gannen():
    assert parse_query("令和元年5月1日").birth_date == date(2019, 5, 1)
    assert parse_query("H31.4.30").birth_date == date(2019, 4, 30)


@pytest.mark.parametrize("text, fragment", [
    ("令和7年2月30日", "「令和7年2月30日」は存在しない日付です"),
    ("R7.2.30", "存在しない日付です"),
    ("2025年13月1日", "13月はありません"),
    ("平成32年1月1日", "平成32年は存在しません"),
    ("昭和64年2月1日", "昭和の終了"),
])
def test_impossible_dates_are_invalid_with_the_reason(text, fragment):
    with pytest.raises(DomainError) as err:
        parse_query(text)
    assert fragment in err.value.message


@pytest.mark.parametrize("text", ["S45", "昭和45年1月", "1980年4月"])
def test_a_date_without_its_day_asks_for_the_whole_date(text):
    with pytest.raises(DomainError, match="年・月・日まで"):
        parse_query(text)


def test_digit_groups_that_are_also_a_date_search_both():
    q = parse_query("1980-04-02")
    assert q.kind is K.BIRTH_DATE and q.birth_date == date(1980, 4, 2)
    assert q.member_code == MemberCode("1980", "04", "02")
    assert q.description == "生年月日『昭和55年4月2日』（1980-04-02）または記号・番号・枝番『1980-04-02』で検索"
    assert parse_query("19800402").member_code is None  # no separator: not a code shape
    assert parse_query("S55.4.2").member_code is None


@pytest.mark.parametrize("text, code, reason", [
    ("2025-13-01", MemberCode("2025", "13", "01"), "13月はありません"),
    ("1980-02-30", MemberCode("1980", "02", "30"), "2月は29日まで"),
    ("1234-5-06", MemberCode("1234", "5", "06"), "明治元年10月23日（1868-10-23）より前"),
])
def test_digit_groups_that_cannot_be_a_date_are_a_code_with_the_reason_kept(text, code, reason):
    q = parse_query(text)
    assert q.kind is K.MEMBER_CODE and q.member_code == code
    assert q.note and reason in q.note


def test_with_today_a_future_date_is_no_birth_date():
    today = date(2025, 11, 20)
    q = parse_query("2389-1-01", today=today)
    assert q.kind is K.MEMBER_CODE and q.member_code == MemberCode("2389", "1", "01")
    assert "未来の日付" in q.note
    assert parse_query("2389-1-01").kind is K.BIRTH_DATE  # without today: any possible date
    with pytest.raises(DomainError, match="未来の日付"):
        parse_query("R9.1.1", today=today)
    with pytest.raises(DomainError, match="未来の日付"):
        parse_query("生:2025-11-21", today=today)
    assert parse_query("2025-11-20", today=today).birth_date == today


# ------------------------------------------------------------------------------ カナ氏名


@pytest.mark.parametrize("text, key", [
    ("ヤマダタロウ", "ヤマダタロウ"),
    ("やまだたろう", "ヤマダタロウ"),
    ("ﾔﾏﾀﾞ ﾀﾛｳ", "ヤマダタロウ"),
    ("ヤマダ　タロウ", "ヤマダタロウ"),
    ("やまだ たろう", "ヤマダタロウ"),
    ("ヤマダタ", "ヤマダタ"),
    ("きょうこ", "キヨウコ"),  # small kana folded as in the stored keys
    ("ﾔﾏﾀﾞ", "ヤマダ"),
])
def test_kana_names_in_any_width_and_script(text, key):
    q = parse_query(text)
    assert q.kind is K.KANA_NAME
    assert q.key == key


def test_kana_description_and_short_queries():
    assert parse_query("やまだた").description == "カナ氏名『ヤマダタ』で検索"
    short = parse_query("たか")
    assert short.key == "タカ" and short.is_prefix_only
    assert short.description == "カナ氏名『タカ』（姓・名の先頭）で検索"
    assert not parse_query("たかは").is_prefix_only


# ------------------------------------------------------------------------------ 氏名


@pytest.mark.parametrize("text, key", [
    ("山田太郎", "山田太郎"),
    ("山田 太郎", "山田太郎"),
    ("山田　太郎", "山田太郎"),
    ("髙橋", "高橋"),
    ("𠮷田", "吉田"),
    ("齋藤", "斎藤"),
    ("渡邉", "渡辺"),
    ("山﨑", "山崎"),
    ("林", "林"),
    ("山田たろう", "山田タロウ"),  # mixed: a name search; kana folded like the stored keys
    ("Smith", "Smith"),
    ("ＳＭＩＴＨ", "SMITH"),
])
def test_names_in_kanji_or_mixed_are_name_searches_with_variants_folded(text, key):
    q = parse_query(text)
    assert q.kind is K.KANJI_NAME
    assert q.key == key


def test_name_descriptions_mention_prefix_only_and_variants():
    assert parse_query("林").description == "氏名『林』（姓・名の先頭）で検索"
    assert parse_query("髙橋").description == "氏名『高橋』（姓・名の先頭・異体字を含む）で検索"
    assert parse_query("髙橋一郎").description.startswith("氏名『高橋一郎』（異体字を含む")
    assert parse_query("中川").description == "氏名『中川』（姓・名の先頭）で検索"


@pytest.mark.parametrize("text", ["[bold]", '"山田', "山田'", "山田 OR 佐藤", "NEAR(山田)", "山*"])
def test_markup_and_fts_syntax_are_plain_name_text(text):
    q = parse_query(text)
    assert q.kind is K.KANJI_NAME
    assert q.key


# ------------------------------------------------------------------------------ 事業所


@pytest.mark.parametrize("text, codes", [
    ("E00012", ("E00012",)),
    ("e00012", ("E00012",)),
    ("Ｅ００１２", ("E0012", "E00012")),
    ("E12", ("E12", "E00012")),
    ("事:E12", ("E12", "E00012")),
    ("事：E00012", ("E00012",)),
])
def test_employer_codes(text, codes):
    q = parse_query(text)
    assert q.kind is K.EMPLOYER
    assert q.employer_codes == codes
    assert q.key is None


@pytest.mark.parametrize("text, key", [
    ("事:サンプル", "サンプル"),
    ("事：青葉デザイン", "青葉デザイン"),
    ("株式会社サンプル情報", "サンプル情報"),
    ("㈱サンプル", "サンプル"),
    ("(株)サンプル", "サンプル"),
    ("青葉デザイン株式会社", "青葉デザイン"),
    ("有限会社 日比谷", "日比谷"),
])
def test_employer_names_by_prefix_or_legal_form(text, key):
    q = parse_query(text)
    assert q.kind is K.EMPLOYER
    assert q.key == key
    assert q.description == f"事業所名『{key}』で検索"


def test_employer_name_in_kana_also_matches_the_reading():
    q = parse_query("事:あおば")
    assert q.key == "アオバ" and q.employer_kana == "アオバ"
    assert q.employer_codes == ("あおば",)  # tried as a code of another shape too


def test_a_legal_form_alone_is_invalid():
    with pytest.raises(DomainError, match="法人の種類"):
        parse_query("株式会社")


# ------------------------------------------------------------------------------ field prefixes


@pytest.mark.parametrize("text, kind", [
    ("記:1980-04-02", K.MEMBER_CODE),  # would be a date without the prefix
    ("番：1234 567", K.MEMBER_CODE),
    ("生:S55.4.2", K.BIRTH_DATE),
    ("生：１９８０－０４－０２", K.BIRTH_DATE),
    ("カ:やまだ", K.KANA_NAME),
    ("ｶ:ﾔﾏﾀﾞ", K.KANA_NAME),
    ("名:山田", K.KANJI_NAME),
    ("名：やまだ", K.KANJI_NAME),  # a name search on the name key, also for a kana-only query
    ("事:デザイン", K.EMPLOYER),
    (" 名 : 山田 ", K.KANJI_NAME),
])
def test_field_prefixes_force_the_kind(text, kind):
    q = parse_query(text)
    assert q.kind is kind
    assert q.forced


def test_prefix_values():
    assert parse_query("記:1980-04-02").member_code == MemberCode("1980", "04", "02")
    assert parse_query("ｶ:ﾔﾏﾀﾞ").key == "ヤマダ"
    assert parse_query("名：やまだ").key == "ヤマダ"


@pytest.mark.parametrize("text, fragment", [
    ("記:山田", "記号・番号の形が読み取れません"),
    ("生:山田", "日付の形が読み取れません"),
    ("生:令和7年2月30日", "存在しない日付です"),
    ("カ:山田", "「カ:」の後はカタカナまたはひらがな"),
    ("名:!!", "検索できる文字がありません"),
])
def test_prefix_with_a_value_of_the_wrong_kind_is_invalid(text, fragment):
    with pytest.raises(DomainError) as err:
        parse_query(text)
    assert fragment in err.value.message


def test_a_prefix_alone_is_empty():
    q = parse_query("生:")
    assert q.kind is K.EMPTY and q.forced


# ------------------------------------------------------------------------------ empty, invalid


@pytest.mark.parametrize("text", ["", "   ", "\u3000", None, "\u200b", "\t\n"])
def test_empty_input_is_empty_not_an_error(text):
    q = parse_query(text)
    assert q.kind is K.EMPTY
    assert q.description == ""


@pytest.mark.parametrize("text", ["!!!", "・・", "「」", "---", "＊＊", '"', "'", "[]"])
def test_text_of_symbols_only_is_invalid(text):
    with pytest.raises(DomainError, match="検索できる文字がありません"):
        parse_query(text)


def test_overlong_input_is_invalid():
    with pytest.raises(DomainError, match=f"{MAX_QUERY_CHARS}文字まで"):
        parse_query("山" * (MAX_QUERY_CHARS + 1))


def test_control_and_bidi_characters_are_dropped_before_classifying():
    q = parse_query("山\u202e田\x1b太郎")
    assert q.kind is K.KANJI_NAME and q.key == "山田太郎"


def test_invalid_messages_quote_long_input_shortened():
    with pytest.raises(DomainError) as err:
        parse_query("1" * 40 + "-1")
    assert "..." in err.value.message  # ASCII: "…" is drawn two cells wide on some terminals
