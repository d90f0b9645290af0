"""Member search on a real SQLite file: what each input finds, the order, the messages, the FTS
index kept in step with writes, hostile text, and searching from a worker thread."""

from __future__ import annotations

import re
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date

import pytest

from clerk_tui.db import queries
from clerk_tui.db.models import AuditEntry, Employer, FormerName, Member
from clerk_tui.domain import kana
from clerk_tui.domain.codes import CardStatus, Relationship
from clerk_tui.domain.query import QueryKind
from clerk_tui.services.search import SearchResult, search_members
from tests.conftest import TODAY
from tests.factories import make_employer, make_former_name, make_member


@pytest.fixture
def employer(ctx):
    return make_employer(ctx, code="E09001", name="株式会社テスト商事")


def add(ctx, employer, family, given, family_kana, given_kana, **kw) -> Member:
    return make_member(ctx, employer, family_name=family, given_name=given,
                       family_name_kana=family_kana, given_name_kana=given_kana, **kw)


def named(page: queries.Page) -> list[dict]:
    """A page's rows by column name."""
    return [dict(zip(queries.ROW_NAMES, row)) for row in page.rows]


def found(result: SearchResult) -> list[str]:
    assert result.error is None, result.error
    return [row.name.replace("\u3000", " ") for row in result.rows]


def ids(result: SearchResult) -> set[int]:
    assert result.error is None, result.error
    return {row.member_id for row in result.rows}


# ------------------------------------------------------------------------------ variants (異体字)

VARIANT_GROUPS = [
    (["高橋", "髙橋"], "タカハシ"),
    (["山崎", "山\ufa11"], "ヤマザキ"),  # 﨑 U+FA11 たつさき
    (["斎藤", "齋藤", "齊藤", "斉藤"], "サイトウ"),
    (["渡辺", "渡邊", "渡邉"], "ワタナベ"),
    (["吉田", "\U00020bb7田"], "ヨシダ"),  # 𠮷 U+20BB7 つちよし
]


@pytest.mark.parametrize("forms, reading", VARIANT_GROUPS, ids=[g[0][0] for g in VARIANT_GROUPS])
def test_variant_kanji_find_each_other(ctx, employer, forms, reading):
    members = {add(ctx, employer, form, "一郎", reading, "イチロウ").id for form in forms}
    add(ctx, employer, "田中", "一郎", "タナカ", "イチロウ")  # must not be found
    for form in forms:
        assert ids(search_members(ctx, form)) == members, form  # 2 characters: prefix search
        assert ids(search_members(ctx, form + "一郎")) == members, form  # 3+: FTS trigram
        assert ids(search_members(ctx, form + " 一")) == members, form
    # The name is shown as registered, not folded.
    assert {r.name for r in search_members(ctx, forms[0]).rows} == {f"{f}\u3000一郎" for f in forms}


def test_one_astral_character_is_searchable_alone_and_inside_a_name(ctx, employer):
    hokke = add(ctx, employer, "\U00029e3d野", "太郎", "ホッケノ", "タロウ")  # 𩸽 U+29E3D
    add(ctx, employer, "吉野", "太郎", "ヨシノ", "タロウ")
    assert ids(search_members(ctx, "\U00029e3d")) == {hokke.id}
    assert ids(search_members(ctx, "\U00029e3d野太")) == {hokke.id}
    yoshida = add(ctx, employer, "\U00020bb7田", "花子", "ヨシダ", "ハナコ")
    assert yoshida.id in ids(search_members(ctx, "\U00020bb7"))  # 𠮷 → 吉: finds 吉野 too
    assert len(search_members(ctx, "吉").rows) == 2


def test_prefix_upper_bound_handles_astral_surrogate_gap_and_the_last_code_point():
    ub = queries.prefix_upper_bound
    assert ub("ア") == "ィ"
    assert ub("\U00020bb7") == "\U00020bb8"
    assert ub("a\ud7ff") == "a\ue000"  # U+D800–DFFF cannot be stored: skipped
    assert ub("a\U0010ffff") == "b"
    assert ub("\U0010ffff") is None


# ------------------------------------------------------------------------------ kana


@pytest.mark.parametrize("text", [
    "たかはし", "タカハシ", "ﾀｶﾊｼ", "たかはし いちろう", "ﾀｶﾊｼ ｲﾁﾛｳ", "タカハシ　イチロウ",
    "タカハシイチ", "カハシイチ",  # a part from the middle (3+ characters)
    "いちろう",  # the given name
    "カ:たかはし",
])
def test_kana_in_any_script_width_and_spacing(ctx, employer, text):
    member = add(ctx, employer, "高橋", "一郎", "タカハシ", "イチロウ")
    add(ctx, employer, "田中", "花子", "タナカ", "ハナコ")
    result = search_members(ctx, text)
    assert result.kind is QueryKind.KANA_NAME
    assert ids(result) == {member.id}


def test_small_kana_typed_either_way_find_the_same_reading(ctx, employer):
    member = add(ctx, employer, "佐藤", "恭子", "サトウ", "キョウコ")
    assert ids(search_members(ctx, "きようこ")) == {member.id}
    assert ids(search_members(ctx, "ｷｮｳｺ")) == {member.id}


# ------------------------------------------------------------------------------ 1–2 characters


@pytest.fixture
def short_names(ctx, employer):
    rows = [
        ("林", "太郎", "ハヤシ", "タロウ"),
        ("林田", "花子", "ハヤシダ", "ハナコ"),
        ("小林", "一", "コバヤシ", "ハジメ"),
        ("山本", "林太郎", "ヤマモト", "リンタロウ"),
        ("森", "健", "モリ", "ケン"),
        ("大森", "健", "オオモリ", "ケン"),
        ("高橋", "次郎", "タカハシ", "ジロウ"),
        ("佐藤", "たかし", "サトウ", "タカシ"),
    ]
    return {f"{f} {g}": add(ctx, employer, f, g, fk, gk) for f, g, fk, gk in rows}


def test_one_or_two_characters_match_the_start_of_family_or_given_name(ctx, short_names):
    # 林 finds the family names starting with 林, then the given name 林太郎; not 小林 (the
    # trigram index cannot look inside a name for fewer than 3 characters).
    assert found(search_members(ctx, "林")) == ["林 太郎", "林田 花子", "山本 林太郎"]
    assert found(search_members(ctx, "森")) == ["森 健"]
    assert found(search_members(ctx, "小林")) == ["小林 一"]
    assert found(search_members(ctx, "大")) == ["大森 健"]
    # Kana: family name reading first, then given name reading.
    assert found(search_members(ctx, "たか")) == ["高橋 次郎", "佐藤 たかし"]
    assert found(search_members(ctx, "ﾓﾘ")) == ["森 健"]
    assert found(search_members(ctx, "ハシ")) == []  # the middle of タカハシ: not with 2 characters
    # From 3 characters the middle is found too.
    assert found(search_members(ctx, "カハシ")) == ["高橋 次郎"]
    assert found(search_members(ctx, "コバヤシ")) == ["小林 一"]


def test_short_query_description_tells_the_clerk_what_was_matched(ctx, short_names):
    result = search_members(ctx, "林")
    assert result.description == "氏名『林』（姓・名の先頭）で検索"


# ------------------------------------------------------------------------------ 記号・番号


@pytest.fixture
def family(ctx, employer):
    insured = add(ctx, employer, "山田", "太郎", "ヤマダ", "タロウ", symbol="1234", number="567",
                  branch="00", birth_date=date(1980, 4, 2), card_status=CardStatus.USABLE)
    spouse = add(ctx, employer, "山田", "花子", "ヤマダ", "ハナコ", symbol="1234", number="567",
                 branch="01", insured=insured, relationship=Relationship.SPOUSE,
                 birth_date=date(1982, 6, 1))
    child = add(ctx, employer, "山田", "一郎", "ヤマダ", "イチロウ", symbol="1234", number="567",
                branch="02", insured=insured, birth_date=date(2010, 1, 5),
                lost_on=date(2025, 4, 1))
    add(ctx, employer, "鈴木", "一", "スズキ", "ハジメ", symbol="1234", number="568", branch="00",
        birth_date=date(1975, 7, 7))
    return insured, spouse, child


@pytest.mark.parametrize("text", ["1234-567", "1234 567", "１２３４－５６７", "記:1234-567",
                                  "記号1234 番号567"])
def test_member_code_without_branch_finds_the_whole_family_in_branch_order(ctx, family, text):
    result = search_members(ctx, text)
    assert result.kind is QueryKind.MEMBER_CODE
    assert [r.code for r in result.rows] == ["1234-567-00", "1234-567-01", "1234-567-02"]
    assert not result.more


@pytest.mark.parametrize("text", ["1234-567-01", "1234 567 01", "１２３４－５６７－０１", "1234-567-1"])
def test_member_code_with_branch_finds_one_person(ctx, family, text):
    result = search_members(ctx, text)
    assert [r.code for r in result.rows] == ["1234-567-01"]


def test_a_row_carries_what_the_list_shows(ctx, family):
    insured, spouse, child = family
    rows = {r.member_id: r for r in search_members(ctx, "1234-567").rows}
    r = rows[insured.id]
    assert (r.code, r.name, r.name_kana) == ("1234-567-00", "山田\u3000太郎", "ヤマダ\u3000タロウ")
    assert (r.birth_date, r.birth_date_wareki) == (date(1980, 4, 2), "昭和55年4月2日")
    assert (r.is_insured, r.insured_label, r.relationship_label) == (True, "本人", "本人")
    assert r.employer_name == "株式会社テスト商事"
    assert (r.lost_on, r.is_lost, r.status_label) == (None, False, "在籍")
    assert (r.card_status, r.card_status_label) == (CardStatus.USABLE, "マイナ保険証利用可")
    s = rows[spouse.id]
    assert (s.is_insured, s.insured_label, s.relationship_label) == (False, "家族", "配偶者")
    c = rows[child.id]
    assert (c.lost_on, c.is_lost, c.status_label) == (date(2025, 4, 1), True, "喪失")


def test_unknown_member_code_is_no_match_not_an_error(ctx, family):
    result = search_members(ctx, "9999-1")
    assert result.rows == () and result.error is None
    assert result.message == "該当する加入員はいません（記号・番号『9999-1』（世帯全員）で検索）"


# ------------------------------------------------------------------------------ 生年月日


@pytest.mark.parametrize("text", ["昭和55年4月2日", "S55.4.2", "s55/4/2", "1980-04-02", "19800402",
                                  "１９８０年４月２日", "生:1980.4.2", "3550402"])
def test_birth_date_in_wareki_and_western_shapes(ctx, family, text):
    insured = family[0]
    result = search_members(ctx, text)
    assert result.kind is QueryKind.BIRTH_DATE
    assert ids(result) == {insured.id}


def test_digit_groups_read_as_date_and_code_show_the_code_first(ctx, employer, family):
    coded = add(ctx, employer, "石井", "誠", "イシイ", "マコト", symbol="1980", number="04",
                branch="02", birth_date=date(1970, 1, 1))
    result = search_members(ctx, "1980-04-02")
    assert [r.member_id for r in result.rows] == [coded.id, family[0].id]
    assert "または記号・番号・枝番『1980-04-02』" in result.description


def test_a_future_date_is_invalid_and_an_impossible_date_is_invalid(ctx, family):
    result = search_members(ctx, "令和7年2月30日")
    assert result.error == "「令和7年2月30日」は存在しない日付です（2月は28日まで）"
    assert result.kind is None and result.rows == () and result.message is None
    assert "未来の日付" in search_members(ctx, "R9.1.1").error


def test_a_code_that_is_not_a_date_says_why_when_nothing_is_found(ctx, family):
    result = search_members(ctx, "1980-02-30")
    assert result.kind is QueryKind.MEMBER_CODE
    assert result.message.startswith("該当する加入員はいません（記号・番号・枝番『1980-02-30』で検索）")
    assert "2月は29日まで" in result.message


# ------------------------------------------------------------------------------ 事業所


@pytest.fixture
def employers(ctx, employer):
    other = ctx.write(lambda: Employer.create(code="E09002", name="青葉デザイン株式会社",
                                              name_kana="アオバデザイン",
                                              name_key=kana.name_key("青葉デザイン株式会社")))
    a = add(ctx, employer, "上田", "一", "ウエダ", "ハジメ")
    b = add(ctx, employer, "安藤", "二郎", "アンドウ", "ジロウ", lost_on=date(2024, 3, 31))
    c = add(ctx, other, "江藤", "三郎", "エトウ", "サブロウ")
    return a, b, c


@pytest.mark.parametrize("text", ["E09001", "e09001", "E9001", "Ｅ０９００１", "事:E09001",
                                  "事:テスト", "事：テスト商事", "テスト商事株式会社", "㈱テスト"])
def test_employer_by_code_or_name(ctx, employers, text):
    a, b, _c = employers
    result = search_members(ctx, text)
    assert result.kind is QueryKind.EMPLOYER
    assert [r.member_id for r in result.rows] == [a.id, b.id]  # 在籍 first, then 喪失
    assert "株式会社テスト商事（E09001）" in result.description


def test_employer_by_reading_in_kana(ctx, employers):
    assert ids(search_members(ctx, "事:あおば")) == {employers[2].id}


def test_unknown_employer_says_no_employer(ctx, employers):
    result = search_members(ctx, "事:ありえない")
    assert result.message == "該当する事業所はありません（事業所名『アリエナイ』で検索）"


# ------------------------------------------------------------------------------ order, paging


def test_lost_members_are_marked_and_sorted_last(ctx, employer):
    lost = add(ctx, employer, "山田", "次郎", "ヤマダ", "ジロウ", lost_on=date(2024, 3, 31))
    taro = add(ctx, employer, "山田", "太郎", "ヤマダ", "タロウ")
    # A loss registered for a later day: still 在籍 today.
    saburo = add(ctx, employer, "山田", "三郎", "ヤマダ", "サブロウ", lost_on=date(2026, 1, 1))
    given = add(ctx, employer, "石田", "やまだ", "イシダ", "ヤマダ")
    result = search_members(ctx, "やまだ")
    assert [r.member_id for r in result.rows] == [saburo.id, taro.id, given.id, lost.id]
    assert [r.is_lost for r in result.rows] == [False, False, False, True]
    assert result.rows[-1].status_label == "喪失"


def test_first_page_and_the_more_flag(ctx, employer):
    for given, reading in [("一", "ハジメ"), ("二郎", "ジロウ"), ("三郎", "サブロウ"), ("四郎", "シロウ")]:
        add(ctx, employer, "山田", given, "ヤマダ", reading)
    page = search_members(ctx, "山田", limit=3)
    assert len(page.rows) == 3 and page.more
    # Reading order is code point order: シ (U+30B7) before ジ (U+30B8).
    assert [r.name_kana for r in page.rows] == ["ヤマダ\u3000サブロウ", "ヤマダ\u3000シロウ",
                                                "ヤマダ\u3000ジロウ"]
    everything = search_members(ctx, "山田", limit=4)
    assert len(everything.rows) == 4 and not everything.more


def test_a_cut_off_candidate_window_still_gives_a_sorted_page_and_more(ctx, employer, db):
    readings = ["ハジメ", "ジロウ", "サブロウ", "シロウ", "ゴロウ", "ロクロウ"]
    for reading in readings:
        add(ctx, employer, "山田", reading, "ヤマダ", reading)
    # The prefix branch is cut after 3 candidates in index (= reading) order: the page is the
    # first readings, sorted, and says there are more.
    page = queries.name_page(db, "ヤマダ", kana=True, today=TODAY, limit=2, cap=3)
    assert [r["given_name_kana"] for r in named(page)] == sorted(readings)[:2]
    assert page.more
    # A window smaller than the page is widened, so that a cut-off branch always sets `more`.
    page = queries.name_page(db, "ヤマダ", kana=True, today=TODAY, limit=4, cap=1)
    assert [r["given_name_kana"] for r in named(page)] == sorted(readings)[:4] and page.more


@pytest.mark.parametrize("text", ["さとう", "佐藤一郎", "林", "たか", "1234-567", "1234-567-01",
                                  "S55.4.2", "1980-04-02", "E09001", "事:テスト"])
def test_no_search_scans_the_member_table(ctx, family, db, text):
    """The plans use indexes (or the FTS index) only: a scan of 1M members costs ~100 ms; nor
    the former names (one per renamed member)."""
    make_former_name(ctx, family[1], family_name="佐藤", family_name_kana="サトウ")
    statements = []
    original = db.execute_sql

    def spy(sql, params=None, *args, **kwargs):
        statements.append((sql, params))
        return original(sql, params, *args, **kwargs)

    db.execute_sql = spy
    try:
        search_members(ctx, text)
    finally:
        db.execute_sql = original
    member_reads = [s for s in statements if "member" in s[0]]
    assert member_reads
    for sql, params in member_reads:
        plan = [row[3] for row in db.execute_sql("EXPLAIN QUERY PLAN " + sql, params)]
        scans = [line for line in plan if re.match(r"SCAN (m|member|f|former_name)\b", line)]
        assert not scans, (text, plan)


# ------------------------------------------------------------------------------ messages


def test_no_match_and_invalid_input_are_distinct(ctx, employer):
    add(ctx, employer, "山田", "太郎", "ヤマダ", "タロウ")
    none = search_members(ctx, "ザザザザ")
    assert none.error is None and none.rows == ()
    assert none.message == "該当する加入員はいません（カナ氏名『ザザザザ』で検索）"
    bad = search_members(ctx, "!!!")
    assert bad.message is None and bad.rows == () and bad.kind is None
    assert bad.error.startswith("検索できる文字がありません")
    empty = search_members(ctx, "  ")
    assert empty.kind is QueryKind.EMPTY
    assert (empty.rows, empty.message, empty.error) == ((), None, None)


def test_a_search_writes_no_audit_entry(ctx, employer):
    add(ctx, employer, "山田", "太郎", "ヤマダ", "タロウ")
    before = AuditEntry.select().count()
    search_members(ctx, "山田太郎")
    search_members(ctx, "1001-1")
    assert AuditEntry.select().count() == before


# ------------------------------------------------------------------------------ FTS in step


def fts_integrity_check(db) -> None:
    # rank 1: compare the index with the content table (member), not only with itself.
    db.execute_sql("INSERT INTO member_fts(member_fts, rank) VALUES ('integrity-check', 1)")


def test_the_index_follows_an_update_of_the_name(ctx, employer, db):
    member = add(ctx, employer, "中川", "健一", "ナカガワ", "ケンイチ")
    assert ids(search_members(ctx, "中川健一")) == {member.id}

    def rename():
        member.family_name, member.family_name_kana = "西川", "ニシカワ"
        member.refresh_search_keys()
        member.save()

    ctx.write(rename)
    assert search_members(ctx, "中川健一").rows == ()
    assert search_members(ctx, "なかがわけん").rows == ()
    assert ids(search_members(ctx, "西川健一")) == {member.id}
    assert ids(search_members(ctx, "にしかわけん")) == {member.id}
    assert ids(search_members(ctx, "西川")) == {member.id}
    fts_integrity_check(db)


def test_the_index_follows_a_delete(ctx, employer, db):
    member = add(ctx, employer, "中川", "健一", "ナカガワ", "ケンイチ")
    keep = add(ctx, employer, "中川", "健二", "ナカガワ", "ケンジ")
    ctx.write(member.delete_instance)
    assert ids(search_members(ctx, "中川健")) == {keep.id}
    assert ids(search_members(ctx, "ナカガワケン")) == {keep.id}
    fts_integrity_check(db)


# ------------------------------------------------------------------------------ former names (旧姓)


@pytest.fixture
def renamed(ctx, employer):
    """佐藤　花子, formerly 山田　花子 (until 2024-03-31), and before that 大川　花子."""
    hanako = add(ctx, employer, "佐藤", "花子", "サトウ", "ハナコ")
    make_former_name(ctx, hanako, family_name="山田", family_name_kana="ヤマダ",
                     used_until=date(2024, 3, 31))
    make_former_name(ctx, hanako, family_name="大川", family_name_kana="オオカワ",
                     used_until=date(2019, 6, 30))
    return hanako


@pytest.mark.parametrize("text, former", [
    ("山田", "山田\u3000花子"), ("やまだ", "山田\u3000花子"),  # 1–2 characters: start of the name
    ("山田花子", "山田\u3000花子"), ("ﾔﾏﾀﾞ ﾊﾅｺ", "山田\u3000花子"),  # 3+: the trigram index
    ("マダハナ", "山田\u3000花子"),  # the middle of the former reading
    ("大川", "大川\u3000花子"), ("オオカワハナコ", "大川\u3000花子"),  # an earlier former name
])
def test_a_member_is_found_by_a_former_name_and_shown_by_the_current_one(ctx, renamed, text, former):
    [row] = search_members(ctx, text).rows
    assert row.member_id == renamed.id
    assert row.name == "佐藤\u3000花子" and row.name_kana == "サトウ\u3000ハナコ"
    assert row.former_name == former
    assert row.former_name_kana == {"山田": "ヤマダ\u3000ハナコ", "大川": "オオカワ\u3000ハナコ"}[former[:2]]


def test_the_latest_matching_former_name_is_the_one_shown(ctx, employer):
    member = add(ctx, employer, "佐藤", "花子", "サトウ", "ハナコ")
    make_former_name(ctx, member, family_name="山田", family_name_kana="ヤマダ", used_until=date(2010, 1, 1))
    make_former_name(ctx, member, family_name="山田", family_name_kana="ヤマダ", used_until=date(2020, 1, 1))
    make_former_name(ctx, member, family_name="山田川", family_name_kana="ヤマダガワ",
                     used_until=date(2015, 1, 1))
    [row] = search_members(ctx, "ヤマダ").rows
    assert row.former_name == "山田\u3000花子"  # the 2020 one: 山田 until 2020, not 山田川
    assert len(search_members(ctx, "ヤマダハナ").rows) == 1  # one row per member, however many hits


def test_a_hit_on_the_current_name_is_not_marked_even_when_a_former_name_matches(ctx, employer):
    member = add(ctx, employer, "山田", "花子", "ヤマダ", "ハナコ")
    make_former_name(ctx, member, family_name="山田", given_name="華子", family_name_kana="ヤマダ",
                     given_name_kana="ハナコ")
    for text in ("山田", "ヤマダハナコ", "ハナコ"):
        [row] = search_members(ctx, text).rows
        assert row.former_name is None and row.former_name_kana is None, text


def test_current_names_come_before_former_names_and_keep_their_order(ctx, employer, renamed):
    taro = add(ctx, employer, "山田", "太郎", "ヤマダ", "タロウ")
    given = add(ctx, employer, "石田", "やまだ", "イシダ", "ヤマダ")
    lost = add(ctx, employer, "山田", "次郎", "ヤマダ", "ジロウ", lost_on=date(2024, 3, 31))
    lost_renamed = add(ctx, employer, "鈴木", "一", "スズキ", "ハジメ", lost_on=date(2024, 3, 31))
    make_former_name(ctx, lost_renamed, family_name="山田", family_name_kana="ヤマダ")
    middle = add(ctx, employer, "小山田", "誠", "オヤマダ", "マコト")
    # 在籍 first; in each, the current name's start, the given name's start, the current name
    # elsewhere (3+ characters), then a former name only; 喪失 after all of them.
    result = search_members(ctx, "やまだ")
    assert [r.member_id for r in result.rows] == [taro.id, given.id, middle.id, renamed.id, lost.id,
                                                  lost_renamed.id]
    assert [r.former_name is not None for r in result.rows] == [False, False, False, True, False, True]
    # 1–2 characters: the start of names only, current before former.
    assert [r.member_id for r in search_members(ctx, "山田").rows] == [taro.id, renamed.id, lost.id,
                                                                      lost_renamed.id]


def test_the_former_name_index_follows_inserts_updates_and_deletes(ctx, employer, renamed, db):
    assert ids(search_members(ctx, "山田花子")) == {renamed.id}
    former = FormerName.get(FormerName.family_name == "山田")

    def correct():
        former.family_name, former.family_name_kana = "山根", "ヤマネ"
        former.refresh_search_keys()
        former.save()

    ctx.write(correct)
    assert search_members(ctx, "山田花子").rows == ()
    assert ids(search_members(ctx, "やまねはなこ")) == {renamed.id}
    ctx.write(former.delete_instance)
    assert search_members(ctx, "やまねはなこ").rows == ()
    assert ids(search_members(ctx, "大川花子")) == {renamed.id}
    db.execute_sql("INSERT INTO former_name_fts(former_name_fts, rank) VALUES ('integrity-check', 1)")


@pytest.mark.parametrize("key", ["山田", "山田一"])  # prefix windows; the trigram index
def test_former_names_enter_a_full_page_only_before_the_lost_members(ctx, employer, db, key):
    current = [add(ctx, employer, "山田", f"一{g}", "ヤマダ", r).id
               for g, r in (("郎", "イチロウ"), ("平", "イッペイ"), ("男", "カズオ"))]
    lost = add(ctx, employer, "山田", "一子", "ヤマダ", "カズコ", lost_on=date(2024, 3, 31)).id
    renamed = add(ctx, employer, "佐藤", "一美", "サトウ", "カズミ")
    make_former_name(ctx, renamed, family_name="山田", family_name_kana="ヤマダ")
    in_order = sorted(current, key=lambda i: Member.get_by_id(i).kana_key)
    # Three 在籍 current-name hits fill a page of three: the former name cannot enter it.
    page = queries.name_page(db, key, kana=False, today=TODAY, limit=3)
    assert [r["id"] for r in named(page)] == in_order and page.more
    assert all(r["former_name"] is None for r in named(page))
    # A page of four: the fourth current-name hit is 喪失, so the 在籍 former-name hit comes first.
    page = queries.name_page(db, key, kana=False, today=TODAY, limit=4)
    assert [r["id"] for r in named(page)] == in_order + [renamed.id] and page.more
    assert named(page)[-1]["former_name"].family_name == "山田"
    page = queries.name_page(db, key, kana=False, today=TODAY, limit=5)
    assert [r["id"] for r in named(page)] == in_order + [renamed.id, lost] and not page.more


def test_name_pages_are_those_of_the_rules_written_plainly(ctx, employer, db):
    """Random members and former names, every kind of key: each page is the one the rules give
    when written out in Python (no window is cut at this size), whichever way the SQL took."""
    import random

    rng = random.Random(16)
    families = [("山田", "ヤマダ"), ("山本", "ヤマモト"), ("小山田", "オヤマダ"), ("田中", "タナカ"),
                ("中山", "ナカヤマ"), ("高橋", "タカハシ")]
    givens = [("一郎", "イチロウ"), ("花子", "ハナコ"), ("山男", "ヤマオ"), ("田鶴", "タヅ"), ("中", "アタル")]
    formers: dict[int, list[tuple[str, str]]] = {}
    for _ in range(70):
        (f, fk), (g, gk) = rng.choice(families), rng.choice(givens)
        lost = rng.choice([None, None, None, date(2024, 3, 31), date(2026, 1, 1)])
        m = add(ctx, employer, f, g, fk, gk, lost_on=lost)
        if rng.random() < 0.3:
            (f2, fk2) = rng.choice(families)
            make_former_name(ctx, m, family_name=f2, family_name_kana=fk2)
            formers[m.id] = [(kana.name_key(f2 + g), kana.kana_key(fk2 + gk)),
                             (kana.name_key(g), kana.kana_key(gk))]
    members = list(Member.select())

    def expected(key: str, kana_search: bool, limit: int) -> list[tuple[int, bool]]:
        col = 1 if kana_search else 0

        def ranks(full: str, given: str) -> int | None:
            if full.startswith(key):
                return 0
            if given.startswith(key):
                return 1
            return 2 if len(key) >= 3 and key in full else None

        out = []
        for m in members:
            keys = ((m.name_key, m.kana_key), (m.given_name_key, m.given_kana_key))
            rank = ranks(keys[0][col], keys[1][col])
            if rank is None and m.id in formers:
                full, given = formers[m.id]
                rank = 3 if ranks(full[col], given[col]) is not None else None
            if rank is not None:
                lost = m.lost_on is not None and m.lost_on <= TODAY
                out.append(((lost, rank, m.kana_key, m.id), (m.id, rank == 3)))
        return [hit for _, hit in sorted(out)][:limit]

    for key, kana_search in [("山", False), ("山田", False), ("田", False), ("中", False), ("山田一", False),
                             ("山男", False), ("ヤ", True), ("ヤマ", True), ("ヤマダ", True), ("タ", True),
                             ("ナカ", True), ("マダ", True), ("ヤマダハナ", True), ("カヤマ", True)]:
        for limit in (3, 8, 50):
            page = queries.name_page(db, key, kana=kana_search, today=TODAY, limit=limit)
            got = [(r["id"], r["former_name"] is not None) for r in named(page)]
            assert got == expected(key, kana_search, limit), (key, limit)
            assert page.more == (len(expected(key, kana_search, 1000)) > limit), (key, limit)


def test_a_former_name_window_cut_off_still_says_more(ctx, employer, db):
    for i, reading in enumerate(["ハジメ", "ジロウ", "サブロウ", "シロウ"]):
        member = add(ctx, employer, "佐藤", reading, "サトウ", reading)
        make_former_name(ctx, member, family_name="山田", family_name_kana="ヤマダ")
    page = queries.name_page(db, "ヤマダ", kana=True, today=TODAY, limit=2, cap=1)
    assert len(page.rows) == 2 and page.more
    assert all(r["former_name"].family_name == "山田" for r in named(page))
    page = queries.name_page(db, "ヤマダサ", kana=True, today=TODAY, limit=2, cap=1)  # trigram path
    assert len(page.rows) == 1 and not page.more


# ------------------------------------------------------------------------------ hostile text


@pytest.fixture
def odd_names(ctx, employer):
    return {
        "quote": add(ctx, employer, '山"田', "太郎", "ヤマダ", "タロウ"),
        "apostrophe": add(ctx, employer, "O'Brien", "Tom", "オブライエン", "トム"),
        "markup": add(ctx, employer, "[bold]山", "花子", "ボールドヤマ", "ハナコ"),
    }


@pytest.mark.parametrize("text, key", [
    ('山"田太郎', "quote"), ('山"田', "quote"), ('"田太', "quote"),
    ("O'Brien", "apostrophe"), ("o'brien tom", "apostrophe"), ("'Br", "apostrophe"),
    ("[bold]", "markup"), ("[bold]山花子", "markup"), ("[b", "markup"),
])
def test_quotes_and_markup_in_names_are_searched_as_text(ctx, odd_names, text, key):
    assert ids(search_members(ctx, text)) == {odd_names[key].id}
    assert search_members(ctx, text).rows[0].name == odd_names[key].full_name  # shown as is


@pytest.mark.parametrize("text", ['山田 OR 佐藤', "NEAR(山田 太郎)", "山*", 'a"b"c', "name_key:山田",
                                  "^山田", "山田 AND", "{name_key}", "'; DROP TABLE member; --",
                                  "%%%_", "\\山田"])
def test_fts_and_sql_syntax_in_the_input_never_breaks_the_query(ctx, odd_names, text):
    result = search_members(ctx, text)
    assert result.error is None or "検索できる文字" in result.error or "数字" in result.error
    assert Member.select().count() == 3


def test_percent_and_underscore_are_literal_in_employer_names(ctx, employers):
    assert search_members(ctx, "事:%デ").message.startswith("該当する事業所はありません")
    assert search_members(ctx, "事:テ_ト").message.startswith("該当する事業所はありません")
    assert search_members(ctx, "事:テスト").rows


# ------------------------------------------------------------------------------ threads


def test_a_search_from_a_worker_thread_uses_its_own_connection(ctx, employer, db):
    member = add(ctx, employer, "山田", "太郎", "ヤマダ", "タロウ")
    main_conn = db.connection()
    seen = {}

    def work():
        seen["result"] = search_members(ctx, "やまだたろう")
        seen["conn"] = db.connection()
        seen["again"] = search_members(ctx, "山田")  # the thread's connection is reused
        seen["conn_again"] = db.connection()

    with ThreadPoolExecutor(max_workers=1) as pool:  # what Textual's thread workers run on
        pool.submit(work).result(timeout=30)
    assert ids(seen["result"]) == {member.id}
    assert ids(seen["again"]) == {member.id}
    assert seen["conn"] is not main_conn and seen["conn"] is seen["conn_again"]


def test_a_worker_search_is_not_blocked_by_a_write_in_progress(ctx, employer, db):
    member = add(ctx, employer, "山田", "太郎", "ヤマダ", "タロウ")
    outcome = {}
    thread = threading.Thread(target=lambda: outcome.update(r=search_members(ctx, "ヤマダ")))
    with db.atomic("IMMEDIATE"):  # another clerk's write, not yet committed
        add_uncommitted = Member.get_by_id(member.id)
        add_uncommitted.id = None
        add_uncommitted.number = "999"
        add_uncommitted.save(force_insert=True)
        thread.start()
        thread.join(timeout=10)
        assert not thread.is_alive(), "the search waited for the writer"
    assert ids(outcome["r"]) == {member.id}  # WAL: the reader sees the last committed state
    assert len(search_members(ctx, "ヤマダ").rows) == 2  # and the main thread, after commit


@pytest.mark.parametrize("active", [3, 4])
def test_a_kana_page_of_many_active_prefix_hits_is_the_first_in_reading_order(ctx, employer, db, active):
    """Four and more 在籍 members whose reading starts with the key fill a page of three straight
    from the reading index; with three, the page comes from every branch. Both in the same order:
    在籍 before 喪失, then full-name prefix before given-name prefix, then reading."""
    readings = ["ハジメ", "ジロウ", "サブロウ", "シロウ"][:active]
    members = [add(ctx, employer, "山田", r, "ヤマダ", r) for r in readings]
    lost = add(ctx, employer, "山田", "アキラ", "ヤマダ", "アキラ", lost_on=date(2024, 3, 31))
    given = add(ctx, employer, "佐藤", "山田", "サトウ", "ヤマダ")  # given-name prefix
    page = queries.name_page(db, "ヤマダ", kana=True, today=TODAY, limit=3)
    in_order = [m.id for m in sorted(members, key=lambda m: m.kana_key)]
    assert [r["id"] for r in named(page)] == in_order[:3] and page.more
    assert all(r["former_name"] is None and r["lost_on"] is None for r in named(page))
    everything = queries.name_page(db, "ヤマダ", kana=True, today=TODAY, limit=10)
    assert [r["id"] for r in named(everything)] == in_order + [given.id, lost.id]
    assert not everything.more


def test_pages_sorted_in_python_are_those_sorted_by_sqlite_on_a_generated_society(ctx, db, monkeypatch):
    """A page of up to two pages of candidates is sorted in Python, a wider one by SQLite: on a
    generated society with former names, every kind of key gives the same rows, order, former
    names and `more` either way."""
    import random

    from clerk_tui.scenarios.generator import generate_into

    generate_into(db, members=3000, seed=5, ctx=ctx)
    members = list(Member.select().order_by(Member.id))
    rng = random.Random(5)
    for member in rng.sample(members, 150):
        donor = rng.choice(members)
        make_former_name(ctx, member, family_name=donor.family_name,
                         family_name_kana=donor.family_name_kana)
    keys = set()
    for m in rng.sample(members, 40):
        keys |= {(m.kana_key[:3], True), (m.kana_key[:5], True), (m.given_kana_key, True),
                 (m.name_key, False), (m.name_key[:3], False), (m.given_name_key[:2], False),
                 (m.kana_key[:1], True), (m.name_key[:1], False)}
    compared = 0
    for key, kana_search in sorted(keys):
        for limit in (5, 20, 50):
            python = queries.name_page(db, key, kana=kana_search, today=TODAY, limit=limit)
            with monkeypatch.context() as patch:
                patch.setattr(queries, "_ONE_PASS", 0)  # every page sorted by SQLite
                sqlite = queries.name_page(db, key, kana=kana_search, today=TODAY, limit=limit)
            assert python == sqlite, (key, limit)
            compared += bool(python.rows)
    assert compared > 200


def test_search_rows_are_ordinary_frozen_search_rows(ctx, employer):
    """The rows are filled without SearchRow's __init__ (services.search._new_row): each equals the
    one the constructor builds from the same values, and stays frozen."""
    import dataclasses

    from clerk_tui.services.search import SearchRow

    member = add(ctx, employer, "山田", "太郎", "ヤマダ", "タロウ")
    make_former_name(ctx, add(ctx, employer, "佐藤", "花子", "サトウ", "ハナコ"),
                     family_name="山田", family_name_kana="ヤマダ")
    rows = search_members(ctx, "ヤマダ").rows
    assert {r.member_id for r in rows} > {member.id} and any(r.former_name for r in rows)
    for row in rows:
        built = SearchRow(**dataclasses.asdict(row))
        assert row == built and hash(row) == hash(built) and repr(row) == repr(built)
        with pytest.raises(dataclasses.FrozenInstanceError):
            row.name = "x"  # type: ignore[misc]
