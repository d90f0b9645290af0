"""Scenario files script the member register's 旧姓 (`[[former_names]]`) and 交付待ち
(`[[issue_requests]]`): what is written, that the search finds a loaded former name, that the
交付待ち list and the employer batch see a loaded request, and each check's message."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pytest

from clerk_tui.db.models import AuditEntry, Employer, FormerName, IssueRequest, Member, member_search_keys
from clerk_tui.domain.codes import DocumentKind, IssueCause, IssueReason, IssueRequestStatus
from clerk_tui.scenarios import FixtureLoadError, demo_fixture_files, load_files, training_fixture_files
from clerk_tui.services.batch import batch_items
from clerk_tui.services.issue_queue import pending_list
from clerk_tui.services.search import search_members

BASE = """
[scenario]
name = "テスト: 旧姓と交付待ち"
today = 2025-12-10

[[employers]]
code = "E001"
name = "株式会社テスト"

[[employers]]
code = "E002"
name = "有限会社サンプル"

[[members]]
symbol = "1001"
number = "23"
branch = "00"
employer = "E001"
family_name = "前田"
given_name = "千尋"
family_name_kana = "マエダ"
given_name_kana = "チヒロ"
birth_date = 1994-06-01
sex = "female"
acquired_on = 2017-04-01
card_status = "usable"

[[members]]
symbol = "1002"
number = "5"
branch = "00"
employer = "E002"
family_name = "三浦"
given_name = "健"
family_name_kana = "ミウラ"
given_name_kana = "ケン"
birth_date = 2001-05-20
sex = "male"
acquired_on = 2025-10-01
card_status = "no_card"

[[members]]
symbol = "1002"
number = "6"
branch = "00"
employer = "E002"
family_name = "藤井"
given_name = "剛史"
family_name_kana = "フジイ"
given_name_kana = "ツヨシ"
birth_date = 1979-01-25
sex = "male"
acquired_on = 2003-10-01
lost_on = 2025-11-01
loss_reason = "retirement"
"""

FORMER = """
[[former_names]]
member = "1001-23-00"
family_name = "小川"
given_name = "千尋"
family_name_kana = "おがわ"
given_name_kana = "ﾁﾋﾛ"
used_until = "R7.11.14"
"""

REQUESTS = """
[[issue_requests]]
member = "1001-23-00"
kind = "eligibility_notice"
cause = "氏名変更"
queued_on = 2025-11-15

[[issue_requests]]
member = "1002-5-00"
kind = "資格情報のお知らせ"
cause = "enrolment"
queued_on = 2025-10-01

[[issue_requests]]
member = "1002-5-00"
kind = "eligibility_certificate"
cause = "enrolment"
queued_on = 2025-10-01
"""


def write(tmp_path: Path, text: str, name: str = "a.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def member(code: str) -> Member:
    symbol, number, branch = code.split("-")
    return Member.get(Member.symbol == symbol, Member.number == number, Member.branch == branch)


def problems(db, tmp_path: Path, text: str) -> str:
    """The message of a load that must fail, after checking it wrote nothing."""
    with pytest.raises(FixtureLoadError) as err:
        load_files(db, [write(tmp_path, text)])
    assert FormerName.select().count() == 0 and IssueRequest.select().count() == 0
    assert Member.select().count() == 0
    return err.value.message.replace(f"{tmp_path}/", "")


# --------------------------------------------------------------------------------------------
# What is written


def test_a_former_name_is_written_with_the_keys_a_name_change_stores(db, tmp_path):
    report = load_files(db, [write(tmp_path, BASE + FORMER)])
    assert report.counts["former_names"].created == 1
    [f] = FormerName.select()
    assert f.member_id == member("1001-23-00").id
    assert (f.family_name, f.given_name, f.family_name_kana, f.given_name_kana) == ("小川", "千尋", "オガワ", "チヒロ")
    assert f.used_until == date(2025, 11, 14)
    # The keys are the app's own (a clerk's 氏名変更 stores the same), not a copy of the rule.
    assert {k: getattr(f, k) for k in ("name_key", "kana_key", "given_name_key", "given_kana_key")} == \
        member_search_keys("小川", "千尋", "オガワ", "チヒロ")


def test_issue_requests_are_written_pending_with_the_reason_their_cause_gives(db, tmp_path):
    load_files(db, [write(tmp_path, BASE + REQUESTS)], clerk="tester")
    rows = {(r.member.member_code, r.kind): r for r in IssueRequest.select()}
    assert set(rows) == {("1001-23-00", DocumentKind.ELIGIBILITY_NOTICE), ("1002-5-00", DocumentKind.ELIGIBILITY_NOTICE),
                         ("1002-5-00", DocumentKind.ELIGIBILITY_CERTIFICATE)}
    renamed = rows["1001-23-00", DocumentKind.ELIGIBILITY_NOTICE]
    assert (renamed.cause, renamed.reason) == (IssueCause.NAME_CHANGE, IssueReason.DETAILS_CHANGED)
    assert renamed.queued_on == date(2025, 11, 15) and renamed.status is IssueRequestStatus.PENDING
    assert renamed.document_id is None and renamed.ratio_effective_from is None
    new = rows["1002-5-00", DocumentKind.ELIGIBILITY_CERTIFICATE]
    assert (new.cause, new.reason, new.version, new.updated_by) == (IssueCause.ENROLMENT, IssueReason.NEW, 1, "tester")


def test_the_load_is_audited_with_the_new_sections_counted(db, tmp_path):
    load_files(db, [write(tmp_path, BASE + FORMER + REQUESTS)], clerk="tester")
    entry = AuditEntry.select().order_by(AuditEntry.id.desc()).first()
    summary = json.loads(entry.summary)
    assert entry.action == "fixtures.load"
    assert summary["counts"]["former_names"] == {"created": 1, "updated": 0, "unchanged": 0}
    assert summary["counts"]["issue_requests"] == {"created": 3, "updated": 0, "unchanged": 0}
    assert "小川" not in entry.summary  # names never reach the audit trail


def test_reloading_changes_nothing_and_an_edited_value_updates_the_same_rows(db, tmp_path):
    path = write(tmp_path, BASE + FORMER + REQUESTS)
    load_files(db, [path], clerk="tester")
    former, = FormerName.select()
    request = IssueRequest.get(IssueRequest.cause == IssueCause.NAME_CHANGE)
    again = load_files(db, [path], clerk="tester")
    assert (again.counts["former_names"].unchanged, again.counts["issue_requests"].unchanged) == (1, 3)
    assert FormerName.select().count() == 1 and IssueRequest.select().count() == 3

    edited = (BASE + FORMER + REQUESTS).replace('family_name = "小川"', 'family_name = "小河"').replace(
        'cause = "氏名変更"\nqueued_on = 2025-11-15', 'cause = "氏名変更"\nqueued_on = 2025-11-15\nstatus = "cancelled"')
    path.write_text(edited, encoding="utf-8")
    report = load_files(db, [path], clerk="trainer2")
    assert (report.counts["former_names"].updated, report.counts["issue_requests"].updated) == (1, 1)
    after = FormerName.get_by_id(former.id)
    assert after.family_name == "小河" and after.name_key == member_search_keys("小河", "千尋", "オガワ", "チヒロ")["name_key"]
    changed = IssueRequest.get_by_id(request.id)
    assert changed.status is IssueRequestStatus.CANCELLED
    assert (changed.version, changed.updated_by) == (request.version + 1, "trainer2")


def test_an_issued_request_links_the_document_it_issued(db, tmp_path):
    text = BASE + """
[[documents]]
member = "1001-23-00"
kind = "eligibility_notice"
issued_on = 2025-11-20

[[issue_requests]]
member = "1001-23-00"
kind = "eligibility_notice"
cause = "name_change"
queued_on = 2025-11-15
status = "issued"
document = "EN-1001-23-00-20251120"
"""
    load_files(db, [write(tmp_path, text)])
    [request] = IssueRequest.select()
    assert request.status is IssueRequestStatus.ISSUED
    assert request.document.serial == "EN-1001-23-00-20251120"


def test_a_reset_clears_former_names_and_requests_and_loads_them_again(db, tmp_path):
    path = write(tmp_path, BASE + FORMER + REQUESTS)
    load_files(db, [path])
    report = load_files(db, [path], reset=True)
    assert (report.counts["former_names"].created, report.counts["issue_requests"].created) == (1, 3)
    assert FormerName.select().count() == 1 and IssueRequest.select().count() == 3


# --------------------------------------------------------------------------------------------
# The clerks' screens see what was loaded (service level)


@pytest.mark.parametrize("reset", [False, True], ids=["row triggers", "bulk rebuild"])
def test_the_search_finds_a_member_by_a_loaded_former_name(ctx, tmp_path, reset):
    # A reset load drops the index triggers and rebuilds both indexes at the end.
    load_files(ctx.db, [write(tmp_path, BASE + FORMER)], reset=reset)
    for text in ("小川千尋", "おがわ ちひろ", "オガワ", "ガワチヒ"):
        [row] = search_members(ctx, text).rows
        assert row.member_id == member("1001-23-00").id, text
        assert row.name == "前田\u3000千尋"
        assert (row.former_name, row.former_name_kana) == ("小川\u3000千尋", "オガワ\u3000チヒロ"), text


def test_loaded_requests_show_in_the_pending_list_and_the_employer_batch(ctx, tmp_path):
    load_files(ctx.db, [write(tmp_path, BASE + REQUESTS)])
    pending = pending_list(ctx)
    assert [(r.employer_code, r.member_code, r.kind, r.cause) for r in pending] == [
        ("E001", "1001-23-00", DocumentKind.ELIGIBILITY_NOTICE, IssueCause.NAME_CHANGE),
        ("E002", "1002-5-00", DocumentKind.ELIGIBILITY_NOTICE, IssueCause.ENROLMENT),
        ("E002", "1002-5-00", DocumentKind.ELIGIBILITY_CERTIFICATE, IssueCause.ENROLMENT),
    ]
    items = batch_items(ctx, Employer.get(Employer.code == "E002"))
    queued = {r.id for r in IssueRequest.select().join(Member).where(Member.symbol == "1002")}
    assert {i.request_id for i in items} == queued
    assert [(i.member_code, i.kind, i.reason) for i in items] == [
        ("1002-5-00", DocumentKind.ELIGIBILITY_NOTICE, IssueReason.NEW),
        ("1002-5-00", DocumentKind.ELIGIBILITY_CERTIFICATE, IssueReason.NEW),
    ]


def test_the_example_in_the_trainers_guide_loads(ctx, tmp_path):
    """docs/fixtures.md: the 旧姓 and 交付待ち example, loaded after the short example it continues."""
    docs = (Path(__file__).resolve().parents[1] / "docs" / "fixtures.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```toml\n(.*?)```", docs, re.S)
    short, register = blocks[0], next(b for b in blocks if "[[former_names]]" in b)
    load_files(ctx.db, [write(tmp_path, short + register)])
    [row] = search_members(ctx, "さとう ゆき").rows
    assert (row.name, row.former_name) == ("吉田\u3000由紀", "佐藤\u3000由紀")
    [pending] = pending_list(ctx)
    assert (pending.member_code, pending.kind, pending.cause) == ("1001-23-00", DocumentKind.ELIGIBILITY_NOTICE,
                                                                  IssueCause.NAME_CHANGE)


def test_the_demo_has_former_names_and_a_queue_to_practise_on(ctx):
    load_files(ctx.db, demo_fixture_files())
    assert FormerName.select().count() == 2
    [row] = search_members(ctx, "オガワチヒロ").rows
    assert row.name == "前田\u3000千尋" and row.former_name == "小川\u3000千尋"
    pending = pending_list(ctx)
    assert len(pending) == 5
    assert len({r.employer_code for r in pending}) >= 2


def test_the_training_set_has_a_former_name_and_a_queue_to_practise_on(ctx):
    load_files(ctx.db, training_fixture_files())
    [row] = search_members(ctx, "イシカワ サクラ").rows
    assert (row.code, row.name, row.former_name) == ("1001-102-00", "小林\u3000さくら", "石川\u3000さくら")
    pending = pending_list(ctx)
    assert {(r.employer_code, r.member_code, r.kind) for r in pending} == {
        ("E001", "1001-102-00", DocumentKind.ELIGIBILITY_NOTICE),
        ("E001", "1001-102-00", DocumentKind.ELIGIBILITY_CERTIFICATE),
        ("E003", "1003-14-00", DocumentKind.ELIGIBILITY_NOTICE),
    }
    # The withdrawn member's request is kept as cancelled, and is not on the list.
    assert IssueRequest.get(IssueRequest.member == member("1002-58-00")).status is IssueRequestStatus.CANCELLED


# --------------------------------------------------------------------------------------------
# Checks: every problem named by file, entry and field; nothing written


def test_an_unknown_member_is_reported_for_both_sections(db, tmp_path):
    text = BASE + FORMER.replace("1001-23-00", "1001-99-00") + REQUESTS.replace('"1002-5-00"', '"1002-7-00"', 1)
    message = problems(db, tmp_path, text)
    assert ("a.toml: former_names[1] (1001-99-00) member: 加入員「1001-99-00」は"
            "読み込むファイルにもデータベースにもありません。") in message
    assert "a.toml: issue_requests[2] (1002-7-00) member: 加入員「1002-7-00」は" in message


@pytest.mark.parametrize("used_until, expected", [
    ("2025-12-10", "used_until: 使用最終日 令和7年12月10日（2025-12-10） が基準日 令和7年12月10日（2025-12-10） 以後です"),
    ("2026-01-05", "used_until: 使用最終日 令和8年1月5日（2026-01-05） が基準日"),
    ("1990-01-01", "used_until: 使用最終日 平成2年1月1日（1990-01-01） が生年月日 平成6年6月1日（1994-06-01） より前です。"),
])
def test_a_former_name_is_used_before_today_and_not_before_birth(db, tmp_path, used_until, expected):
    message = problems(db, tmp_path, BASE + FORMER.replace('"R7.11.14"', used_until))
    assert f"a.toml: former_names[1] (1001-23-00) {expected}" in message


def test_a_former_name_without_a_fixed_today_is_checked_against_the_real_date(db, tmp_path):
    text = (BASE + FORMER).replace("today = 2025-12-10\n", "").replace('"R7.11.14"', "2999-01-01")
    message = problems(db, tmp_path, text)
    assert "former_names[1] (1001-23-00) used_until: 使用最終日" in message


def test_no_request_waits_for_a_member_who_has_lost_qualification(db, tmp_path):
    text = BASE + """
[[issue_requests]]
member = "1002-6-00"
kind = "eligibility_notice"
cause = "enrolment"
queued_on = 2025-10-01
"""
    message = problems(db, tmp_path, text)
    assert ("a.toml: issue_requests[1] (1002-6-00) status: 加入員は 令和7年11月1日（2025-11-01） に資格を喪失しています。"
            in message)
    # Cancelled, it is a part of the member's history and loads.
    load_files(db, [write(tmp_path, text.replace("queued_on = 2025-10-01", 'queued_on = 2025-10-01\nstatus = "cancelled"'))])
    assert IssueRequest.get().status is IssueRequestStatus.CANCELLED


def test_one_pending_request_of_a_kind_per_member_in_the_files(db, tmp_path):
    second = """
[[issue_requests]]
member = "1001-23-00"
kind = "eligibility_notice"
cause = "ratio_change"
queued_on = 2025-11-20
ratio_effective_from = 2025-12-01
"""
    message = problems(db, tmp_path, BASE + REQUESTS + second)
    assert ("a.toml: issue_requests[4] (1001-23-00) kind: 同じ加入員の資格情報のお知らせの交付待ち（pending）が "
            "a.toml: issue_requests[1] (1001-23-00) にもあります。") in message


def test_one_pending_request_of_a_kind_per_member_with_the_database(db, tmp_path):
    load_files(db, [write(tmp_path, BASE + REQUESTS)])
    later = BASE + REQUESTS.replace("queued_on = 2025-11-15", "queued_on = 2025-11-16")
    with pytest.raises(FixtureLoadError) as err:
        load_files(db, [write(tmp_path, later, "b.toml")])
    assert ("b.toml: issue_requests[1] (1001-23-00) kind: この加入員には資格情報のお知らせの交付待ち"
            "（令和7年11月15日（2025-11-15） から）がデータベースにもう1件あります。") in err.value.message.replace(
                f"{tmp_path}/", "")
    assert IssueRequest.select().count() == 3


def test_the_same_request_twice_is_a_duplicate(db, tmp_path):
    text = BASE + REQUESTS + REQUESTS.split("\n\n")[0].replace('cause = "氏名変更"', 'cause = "氏名変更"\nstatus = "cancelled"')
    message = problems(db, tmp_path, text)
    assert ("issue_requests[4] (1001-23-00): 同じ加入員・同じ書類・同じ日の交付待ちが a.toml: issue_requests[1] "
            "(1001-23-00) にもあります。") in message


@pytest.mark.parametrize("extra, expected", [
    ('kind = "legacy_card"', "kind: 「legacy_card」は使えません。使える値: eligibility_notice（資格情報のお知らせ）、"
                             "eligibility_certificate（資格確認書）"),
    ('cause = "転勤"', "cause: 「転勤」は使えません。使える値: enrolment（資格取得）"),
    ("ratio_effective_from = 2025-12-01", "ratio_effective_from: ratio_effective_from（負担割合の発効期日）は"
                                          " cause = \"ratio_change\"（負担割合変更）のときだけ書きます。"),
    ('status = "issued"', "document: status が issued（交付済）のときは document（交付した書類の serial）を書いてください。"),
    ('document = "EN-1"', "document: document（交付した書類）は status = \"issued\" のときだけ書きます。"),
    ("queued_on = 2016-01-01", "queued_on: 交付待ちになった日 平成28年1月1日（2016-01-01） が資格取得日 平成29年4月1日（2017-04-01） より前です。"),
    ("queued_on = 2025-12-11", "queued_on: 交付待ちになった日 令和7年12月11日（2025-12-11） が基準日 令和7年12月10日（2025-12-10） より後です。"),
])
def test_each_request_check_names_its_field(db, tmp_path, extra, expected):
    entry = """
[[issue_requests]]
member = "1001-23-00"
kind = "eligibility_notice"
cause = "name_change"
queued_on = 2025-11-15
"""
    key = extra.split(" = ")[0]
    lines = [line for line in entry.strip().splitlines() if not line.startswith(f"{key} =")]
    message = problems(db, tmp_path, BASE + "\n".join(lines) + f"\n{extra}\n")
    assert f"a.toml: issue_requests[1] (1001-23-00) {expected}" in message


def test_an_issued_request_names_a_document_of_its_member_and_kind(db, tmp_path):
    text = BASE + """
[[documents]]
member = "1002-5-00"
kind = "eligibility_certificate"
issued_on = 2025-11-20

[[issue_requests]]
member = "1001-23-00"
kind = "eligibility_notice"
cause = "name_change"
queued_on = 2025-11-15
status = "issued"
document = "EC-1002-5-00-20251120"

[[issue_requests]]
member = "1002-5-00"
kind = "eligibility_notice"
cause = "enrolment"
queued_on = 2025-10-01
status = "issued"
document = "EC-1002-5-00-20251120"
"""
    message = problems(db, tmp_path, text)
    assert ("issue_requests[1] (1001-23-00) document: 書類「EC-1002-5-00-20251120」は別の加入員（1002-5-00）の書類です。"
            in message)
    assert "issue_requests[2] (1002-5-00) document: 書類「EC-1002-5-00-20251120」は a.toml: issue_requests[1]" in message
    assert ("issue_requests[2] (1002-5-00) document: 書類「EC-1002-5-00-20251120」は資格確認書（eligibility_certificate）です"
            in message)


def test_a_document_a_request_in_the_database_issued_is_not_linked_again(db, tmp_path):
    issued = BASE + """
[[documents]]
member = "1001-23-00"
kind = "eligibility_notice"
issued_on = 2025-11-20

[[issue_requests]]
member = "1001-23-00"
kind = "eligibility_notice"
cause = "name_change"
queued_on = 2025-11-15
status = "issued"
document = "EN-1001-23-00-20251120"
"""
    load_files(db, [write(tmp_path, issued)])
    again = load_files(db, [write(tmp_path, issued)])  # the same request: unchanged
    assert again.counts["issue_requests"].unchanged == 1
    other = issued.replace("queued_on = 2025-11-15", "queued_on = 2025-11-16")
    with pytest.raises(FixtureLoadError) as err:
        load_files(db, [write(tmp_path, other, "b.toml")])
    assert ("b.toml: issue_requests[1] (1001-23-00) document: 書類「EN-1001-23-00-20251120」はデータベースにある"
            "別の交付待ち（1001-23-00、令和7年11月15日（2025-11-15） から）で交付した書類です") in err.value.message
    assert IssueRequest.select().count() == 1


@pytest.mark.parametrize("field, value, expected", [
    ("family_name", '"小川\\u001b[31m"', "旧氏に制御文字などの見えない文字があります"),
    ("given_name", '"千尋 123456789018"', "旧名に12桁の数字があります。個人番号（マイナンバー）は入力・記録できません。"),
    ("family_name_kana", '"オガワ1"', "旧氏（カナ）"),
    ("given_name", '""', "旧名"),
    ("family_name", '"小' + "川" * 40 + '"', "旧氏"),
])
def test_hostile_or_bad_former_names_are_refused_like_members_names(db, tmp_path, field, value, expected):
    text = BASE + FORMER.replace(f'{field} = "{ {"family_name": "小川", "given_name": "千尋", "family_name_kana": "おがわ"}[field] }"',
                                 f"{field} = {value}")
    assert f"{field} = {value}" in text
    message = problems(db, tmp_path, text)
    assert f"a.toml: former_names[1] (1001-23-00) {field}: " in message
    assert expected in message
    assert "123456789018" not in message and "\x1b" not in message


def test_markup_in_a_former_name_is_kept_as_written_like_any_name(ctx, tmp_path):
    """A name is stored as registered; the screens show it as text (as for members' names)."""
    load_files(ctx.db, [write(tmp_path, BASE + FORMER.replace('"小川"', '"[b]小川[/b]"'))])
    assert FormerName.get().family_name == "[b]小川[/b]"
    [row] = search_members(ctx, "おがわちひろ").rows
    assert row.former_name == "[b]小川[/b]\u3000千尋"


def test_unknown_keys_in_the_new_sections_get_a_hint(db, tmp_path):
    message = problems(db, tmp_path, BASE + FORMER.replace("used_until", "used_untill"))
    assert "former_names[1] (1001-23-00) used_untill: 「used_untill」という項目はありません。「used_until」の誤りではありませんか。" in message


def test_part_files_may_hold_the_new_sections_and_repeats_across_parts_are_placed(db, tmp_path):
    """A large scenario split with `include`: a later part refers to members of an earlier one,
    and the same 旧姓 in two parts is reported with the place of the first."""
    (tmp_path / "parts").mkdir()
    head, members = BASE.split("[[members]]", 1)
    main = write(tmp_path, head.replace("today = 2025-12-10", 'today = 2025-12-10\ninclude = ["parts/*.toml"]'))
    write(tmp_path, "[[members]]" + members, "parts/1.toml")
    write(tmp_path, FORMER + REQUESTS, "parts/2.toml")
    report = load_files(db, [main])
    assert (report.counts["former_names"].created, report.counts["issue_requests"].created) == (1, 3)

    write(tmp_path, FORMER, "parts/3.toml")
    with pytest.raises(FixtureLoadError) as err:
        load_files(db, [main])
    assert ("parts/3.toml: former_names[1] (1001-23-00): 同じ加入員・同じ使用最終日の旧姓が "
            f"{tmp_path}/parts/2.toml: former_names[1] (1001-23-00) にもあります。") in err.value.message
