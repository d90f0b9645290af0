"""Tests for the trainers' scenario loader (`clerk-tui fixtures load`): the shipped sets, the
all-or-nothing check, reloading, --reset, the stored training "today" and the command line."""

from __future__ import annotations

import hashlib
import json
import re
import tomllib
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clerk_tui import cli
from clerk_tui.db.database import open_database
from clerk_tui.db.models import (
    AuditEntry,
    CollectionItem,
    Document,
    Employer,
    LossReport,
    Member,
    RegistrationCancellation,
    ReimbursementClaim,
    Setting,
)
from clerk_tui.db.schema import init_schema
from clerk_tui.domain import codes, kana, rules
from clerk_tui.domain.codes import CardStatus, DocumentKind
from clerk_tui.domain.errors import DomainError, ValidationErrors
from clerk_tui.domain.text import contains_my_number
from clerk_tui.scenarios import (
    FixtureLoadError,
    demo_fixture_files,
    load_files,
    stored_training_today,
    training_fixture_files,
)
from clerk_tui.scenarios import loader
from clerk_tui.scenarios.loader import values
from clerk_tui.services import audit

REPO = Path(__file__).resolve().parents[1]
TRAINING_TODAY = date(2025, 12, 10)

BASE = """
[scenario]
name = "テスト"
today = 2025-12-10

[[employers]]
code = "E001"
name = "株式会社テスト"
"""

MEMBER = """
[[members]]
symbol = "1001"
number = "{number}"
branch = "00"
employer = "E001"
family_name = "山田"
given_name = "太郎"
family_name_kana = "ヤマダ"
given_name_kana = "タロウ"
birth_date = 1980-04-01
sex = "male"
acquired_on = 2010-04-01
standard_monthly_remuneration = 300000
card_status = "usable"
"""

# One file with three different mistakes: an impossible date, an unknown employer, a typo in a key.
THREE_MISTAKES = """
[scenario]
name = "誤りのあるシナリオ"

[[members]]
symbol = "1001"
number = "24"
branch = "00"
employer = "E999"
family_name = "鈴木"
given_name = "一郎"
family_name_kana = "スズキ"
given_name_kana = "イチロウ"
birth_date = "令和7年2月30日"
sex = "male"
acquired_on = 2020-04-01
standard_monthly_remunaration = 300000
"""


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "training.db"


@pytest.fixture
def db(db_path: Path):
    database = open_database(db_path)
    init_schema(database)
    yield database
    database.close()


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def counts(report) -> dict[str, tuple[int, int, int]]:
    return {k: (c.created, c.updated, c.unchanged) for k, c in report.counts.items()}


def row_counts() -> dict[str, int]:
    models = (Employer, Member, Document, RegistrationCancellation, LossReport, CollectionItem, ReimbursementClaim)
    return {m.__name__: m.select().count() for m in models}


def file_state(db, path: Path) -> tuple[str, str]:
    """Hashes of the database file and its WAL, taken in the same connection state each time."""
    db.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    wal = path.with_name(path.name + "-wal")
    return (hashlib.sha256(path.read_bytes()).hexdigest(),
            hashlib.sha256(wal.read_bytes() if wal.exists() else b"").hexdigest())


def member(code: str) -> Member:
    symbol, number, branch = code.split("-")
    return Member.get(Member.symbol == symbol, Member.number == number, Member.branch == branch)


# --------------------------------------------------------------------------------------------
# The shipped sets


def test_shipped_fixture_files_are_found_in_order():
    training = training_fixture_files()
    demo = demo_fixture_files()
    assert training and demo
    assert training == sorted(training) and demo == sorted(demo)
    assert all(p.parent == REPO / "fixtures" / "training" for p in training)


def test_training_set_loads_with_its_fixed_today(db):
    report = load_files(db, training_fixture_files())
    assert report.today == TRAINING_TODAY
    assert stored_training_today() == TRAINING_TODAY
    assert Setting.get_by_id("purpose").value == "training"
    assert Member.select().count() >= 30
    assert "令和7年12月10日" in report.summary()


def test_every_training_file_names_its_scenario_and_agrees_on_today():
    for path in training_fixture_files():
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        assert data["scenario"]["name"].startswith("研修: "), path
        assert data["scenario"]["today"] == TRAINING_TODAY, path


def test_training_set_covers_each_situation_of_the_rules(db):
    """Each situation a trainer teaches (R3, R5, R7–R12) exists at least once, by the rules."""
    load_files(db, training_fixture_files())
    today = TRAINING_TODAY
    active = [m for m in Member.select() if m.qualified_on(today)]
    certificates = list(Document.select().where(Document.kind == DocumentKind.ELIGIBILITY_CERTIFICATE))

    def has_certificate(m: Member) -> bool:
        return any(d.member_id == m.id for d in certificates)

    # R3 (a)–(d): each card situation holds a 資格確認書
    for status in (CardStatus.NO_CARD, CardStatus.NOT_REGISTERED, CardStatus.CARD_LOST,
                   CardStatus.CERT_EXPIRED, CardStatus.CARD_RETURNED, CardStatus.REGISTRATION_CANCELLED):
        assert any(m.card_status is status and has_certificate(m) for m in active), status

    # R5: 70–74 insured at 2割 and at 3割, and a dependent of a 3割 insured at 3割
    printed = [(d, Member.get_by_id(d.member_id)) for d in certificates if d.copay_ratio]
    assert any(m.is_insured and d.copay_ratio == 2 for d, m in printed)
    assert any(m.is_insured and d.copay_ratio == 3 for d, m in printed)
    assert any(not m.is_insured and d.copay_ratio == 3 for d, m in printed)
    for d, m in printed:  # every printed ratio is the one R5 gives
        ins = m if m.is_insured else Member.get_by_id(m.insured_id)
        copay = rules.copay_ratio(m.birth_date, d.issued_on, is_insured=m.is_insured,
                                  remuneration=m.standard_monthly_remuneration,
                                  insured_birth_date=ins.birth_date,
                                  insured_remuneration=ins.standard_monthly_remuneration,
                                  acquired_on=m.acquired_on)
        assert copay.printed and copay.ratio == d.copay_ratio, m.member_code

    # R5: someone whose 70–74 ratio starts next month; R4: someone reaching 75 within validity
    assert any(rules.turns_70_next_month(m.birth_date, today) for m in active)
    assert any(rules.certificate_valid_until(d.issued_on, Member.get_by_id(d.member_id).birth_date).capped_at_75
               and d.valid_until >= today for d in certificates)

    # R7/R8: cancellation applicants with and without their legacy card; the lost one reported
    cancellations = list(RegistrationCancellation.select())
    assert any(c.legacy_card_at_hand is True for c in cancellations)
    lost_card = [c for c in cancellations if c.legacy_card_at_hand is False and c.received_on <= rules.LEGACY_CARD_LAST_VALID]
    assert lost_card and any(
        LossReport.select().where(LossReport.member == c.member_id, LossReport.document_kind == DocumentKind.LEGACY_CARD).exists()
        for c in lost_card)

    # R9/R10: withdrawals before and after 2025-12-01, each with a document outstanding
    outstanding = [(i, Document.get_by_id(i.document_id), Member.get_by_id(i.member_id))
                   for i in CollectionItem.select().where(CollectionItem.status == codes.CollectionStatus.OUTSTANDING)]
    assert any(m.is_insured and m.lost_on <= rules.LEGACY_CARD_LAST_VALID and d.kind is DocumentKind.LEGACY_CARD
               for _, d, m in outstanding)
    assert any(m.is_insured and m.lost_on > rules.LEGACY_CARD_LAST_VALID and d.kind is DocumentKind.ELIGIBILITY_CERTIFICATE
               for _, d, m in outstanding)
    # R9: a dependent removed while holding a valid 資格確認書
    assert any(not m.is_insured and d.kind is DocumentKind.ELIGIBILITY_CERTIFICATE and d.valid_until >= m.lost_on
               for _, d, m in outstanding)
    # R10: after 2025-12-01 no legacy card is chased
    assert not any(d.kind is DocumentKind.LEGACY_CARD and i.lost_on > rules.LEGACY_CARD_LAST_VALID
                   for i, d, _ in outstanding)

    # R11: a registered card the insurer cannot use because it lacks the My Number
    assert any(m.card_status is CardStatus.USABLE and m.mynumber_received_on is None for m in active)

    # R12: a new employee's 立替払 claim
    claims = [(c, Member.get_by_id(c.member_id)) for c in ReimbursementClaim.select()]
    assert any(m.acquired_on >= date(2025, 10, 1) and c.treatment_month >= m.acquired_on.replace(day=1) for c, m in claims)

    # Names: variant kanji and a long name
    names = [m.family_name + m.given_name for m in Member.select()]
    assert any(ch in n for n in names for ch in "髙齋𠮷")
    assert max(map(len, names)) >= 20


def test_demo_set_loads_on_the_real_clock(db):
    report = load_files(db, demo_fixture_files())
    assert report.today is None
    assert stored_training_today() is None
    assert 35 <= Member.select().count() <= 45
    assert Employer.select().count() == 4


def test_shipped_files_hold_no_12_digit_number():
    paths = [*training_fixture_files(), *demo_fixture_files(), REPO / "schema" / "fixture.schema.json",
             REPO / "docs" / "fixtures.md"]
    for path in paths:
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            assert not contains_my_number(line), f"{path}:{n}"


# --------------------------------------------------------------------------------------------
# Reloading and the audit trail


def test_loading_twice_duplicates_nothing_and_keeps_the_audit_chain(db):
    first = load_files(db, training_fixture_files())
    rows = row_counts()
    second = load_files(db, training_fixture_files())
    assert row_counts() == rows
    assert all(created == 0 and updated == 0 for created, updated, _ in counts(second).values())
    assert {k: c.total for k, c in second.counts.items()} == {k: c.total for k, c in first.counts.items()}
    result = audit.verify()
    assert result.ok and result.checked == 2
    entry = AuditEntry.select().order_by(AuditEntry.id.desc()).first()
    summary = json.loads(entry.summary)
    assert entry.action == "fixtures.load"
    assert summary["files"] == [p.name for p in training_fixture_files()]
    assert "山田" not in entry.summary and "/" not in "".join(summary["files"])  # names only


def test_changing_a_value_and_reloading_updates_the_same_record(db, tmp_path):
    path = write(tmp_path, "a.toml", BASE + MEMBER.format(number="23"))
    load_files(db, [path])
    before = member("1001-23-00")
    path.write_text(BASE + MEMBER.format(number="23").replace("1980-04-01", "1980-04-02"), encoding="utf-8")
    report = load_files(db, [path])
    after = member("1001-23-00")
    assert counts(report)["members"] == (0, 1, 0)
    assert after.id == before.id and after.birth_date == date(1980, 4, 2)
    assert after.version == before.version + 1


def test_members_get_search_keys_and_readings_in_katakana(db, tmp_path):
    text = BASE + MEMBER.format(number="23").replace('"山田"', '"髙橋"').replace('"ヤマダ"', '"たかはし"').replace('"タロウ"', '"ﾀﾛｳ"')
    load_files(db, [write(tmp_path, "a.toml", text)])
    m = member("1001-23-00")
    assert (m.family_name, m.family_name_kana, m.given_name_kana) == ("髙橋", "タカハシ", "タロウ")
    assert m.name_key == kana.name_key("髙橋太郎") == kana.name_key("高橋太郎")
    assert (m.kana_key, m.given_name_key, m.given_kana_key) == ("タカハシタロウ", "太郎", "タロウ")
    hit = db.execute_sql("SELECT rowid FROM member_fts WHERE member_fts MATCH ?", ('"高橋太"',)).fetchall()
    assert hit == [(m.id,)]


# --------------------------------------------------------------------------------------------
# All or nothing


def test_three_mistakes_are_reported_with_their_places_and_nothing_is_written(db, db_path, tmp_path):
    load_files(db, training_fixture_files())
    before = file_state(db, db_path)
    bad = write(tmp_path, "bad.toml", THREE_MISTAKES)
    good = write(tmp_path, "good.toml", BASE.replace("E001", "E900") + MEMBER.format(number="900").replace("E001", "E900"))
    with pytest.raises(FixtureLoadError) as err:
        load_files(db, [good, bad])
    lines = err.value.message.splitlines()
    where = f"{bad}: members[1] (1001-24-00)"
    assert f"{where} birth_date: 「令和7年2月30日」は存在しない日付です（2月は28日まで）" in lines
    assert f"{where} employer: 事業所コード「E999」は読み込むファイルにもデータベースにもありません。" in lines
    assert any(line.startswith(f"{where} standard_monthly_remunaration:") and "「standard_monthly_remuneration」の誤り" in line
               for line in lines)
    assert len(err.value.problems) == 3
    assert isinstance(err.value, ValidationErrors)
    assert file_state(db, db_path) == before
    assert not Employer.select().where(Employer.code == "E900").exists()  # the good file too


def test_problems_are_collected_across_entries_and_files(db, tmp_path):
    dependent = MEMBER.format(number="23").replace('branch = "00"', 'branch = "01"\ninsured = "1001-99-00"\nrelationship = "配偶者"') \
        .replace('employer = "E001"\n', "").replace("standard_monthly_remuneration = 300000\n", "")
    late = MEMBER.format(number="30").replace("acquired_on = 2010-04-01", "acquired_on = 2010-04-01\nlost_on = 2009-03-31")
    twelve_digits = "1234" * 3  # built here: no 12-digit number is written anywhere in the repo
    odd = MEMBER.format(number="31").replace('sex = "male"', 'sex = "男性"').replace('"山田"', f'"{twelve_digits}"', 1)
    first = write(tmp_path, "a.toml", BASE + dependent + late)
    second = write(tmp_path, "b.toml", BASE.replace("today = 2025-12-10", "today = 2025-12-11").replace("E001", "E002")
                   + odd.replace("E001", "E002") + MEMBER.format(number="30").replace("E001", "E002"))
    with pytest.raises(FixtureLoadError) as err:
        load_files(db, [first, second])
    text = err.value.message
    assert f"{first}: members[1] (1001-23-01) insured: 被扶養者の記号・番号（1001-23）が被保険者（1001-99-00）と違います" in text
    assert f"{first}: members[2] (1001-30-00) lost_on: 資格喪失日" in text
    assert f"{second}: scenario today:" in text
    assert f"{second}: members[1] (1001-31-00) family_name: 氏に12桁の数字があります" in text
    assert twelve_digits not in text  # never echoed
    assert f"{second}: members[1] (1001-31-00) sex: 「男性」は使えません。使える値: male（男）、female（女）" in text
    assert f"{second}: members[2] (1001-30-00) branch: 同じ記号・番号・枝番の加入員が {first}: members[2] (1001-30-00) にもあります。" in text
    assert Member.select().count() == 0


@pytest.mark.parametrize(("key", "value", "expected"), [
    ("given_name", "太\\u001b[31m郎", "名に制御文字などの見えない文字があります（2文字目）"),
    ("family_name", "山\\u202e田", "氏に制御文字などの見えない文字があります（2文字目）"),
    ("address", "東京都\\u001b]0;x\\u0007", "この項目に制御文字などの見えない文字があります（4文字目）"),
    ("address", "東京都 一二三四五六七八九〇一二", "この項目に12桁の数字があります"),
    ("address", "東京都 1234.5678.9012", "この項目に12桁の数字があります"),
    ("given_name", "太郎１２３４　５６７８　９０１２", "名に12桁の数字があります"),
    ("address", "東" * 201, "この項目は200文字以内で入力してください（いま201文字）"),
])
def test_a_control_character_or_my_number_in_a_text_field_is_refused_with_its_place(db, db_path, tmp_path,
                                                                                    key, value, expected):
    """What a clerk could not type cannot come in through a scenario file either: the problem is
    given with file, entry and field, the value is not echoed, and nothing is written."""
    member = MEMBER.format(number="40")
    member = member.replace(f'{key} = "', f'{key} = "{value}"\n_old_{key} = "') if key in member \
        else member + f'{key} = "{value}"\n'
    member = re.sub(r'_old_\w+ = "[^"]*"\n', "", member)
    path = write(tmp_path, "bad.toml", BASE + member)
    before = file_state(db, db_path)
    with pytest.raises(FixtureLoadError) as err:
        load_files(db, [path])
    message = err.value.message
    assert f"{path}: members[1] (1001-40-00) {key}: {expected}" in message
    assert "\x1b" not in message and "\u202e" not in message and "9012" not in message
    assert file_state(db, db_path) == before
    assert Member.select().count() == 0


def test_unknown_sections_and_toml_syntax_errors_are_placed(db, tmp_path):
    typo = write(tmp_path, "typo.toml", BASE + "[[member]]\nsymbol = \"1\"\n")
    broken = write(tmp_path, "broken.toml", BASE + "[[members]]\nsymbol = \"1001\n")
    with pytest.raises(FixtureLoadError) as err:
        load_files(db, [typo, broken])
    text = err.value.message
    assert f"{typo}: member: 「member」という表はありません。「members」の誤りではありませんか。" in text
    assert re.search(rf"{re.escape(str(broken))}: \d+行目 \d+文字目: TOML の書き方に誤りがあります", text)


def test_values_must_agree_with_the_rules(db, tmp_path):
    doc = """
[[documents]]
member = "1001-23-00"
kind = "eligibility_certificate"
issued_on = 2025-11-10
copay_ratio = 3

[[documents]]
member = "1001-23-00"
kind = "legacy_card"
issued_on = 2025-01-10

[[cancellations]]
member = "1001-23-00"
received_on = 2025-11-01

[[collection_items]]
document = "EN-1001-23-00-20250301"

[[documents]]
member = "1001-23-00"
kind = "eligibility_notice"
issued_on = 2025-03-01
"""
    no_card = MEMBER.format(number="23").replace('"usable"', '"no_card"')
    path = write(tmp_path, "a.toml", BASE + no_card + doc)
    with pytest.raises(FixtureLoadError) as err:
        load_files(db, [path])
    text = err.value.message
    assert "documents[1] (1001-23-00) copay_ratio: 交付日に70歳未満のため負担割合は印字しません" in text
    assert "documents[2] (1001-23-00) issued_on: 健康保険証は令和6年12月2日（2024-12-02）以降は新規に交付されていません（R6）" in text
    assert "cancellations[1] (1001-23-00) member: 加入員の card_status が no_card" in text
    assert "collection_items[1] (EN-1001-23-00-20250301 / 1001-23-00) document: 資格情報のお知らせは回収しません" in text


def test_a_member_past_75_on_the_training_day_must_have_lost_qualification(db, tmp_path):
    old = MEMBER.format(number="23").replace("1980-04-01", "1950-06-01").replace("2010-04-01", "1975-04-01")
    with pytest.raises(FixtureLoadError) as err:
        load_files(db, [write(tmp_path, "a.toml", BASE + old)])
    assert 'lost_on = 2025-06-01 と loss_reason = "age_75" を書いてください' in err.value.message


# --------------------------------------------------------------------------------------------
# What the loader works out


def test_cancellation_sets_the_card_status_and_effective_date(db, tmp_path):
    extra = """
[[cancellations]]
member = "1001-23-00"
received_on = "R7.11.18"
legacy_card_at_hand = false

[[cancellations]]
member = "1001-24-00"
received_on = 2025-10-01
status = "withdrawn"
withdrawn_on = 2025-10-15
"""
    load_files(db, [write(tmp_path, "a.toml", BASE + MEMBER.format(number="23") + MEMBER.format(number="24") + extra)])
    applied, withdrew = member("1001-23-00"), member("1001-24-00")
    c = RegistrationCancellation.get(RegistrationCancellation.member == applied.id)
    assert c.effective_on == date(2025, 12, 31)  # R7: last day of the following month
    assert c.previous_card_status is CardStatus.USABLE
    assert c.applicant_name == "山田\u3000太郎" and c.applicant_birth_date == applied.birth_date
    assert applied.card_status is CardStatus.REGISTRATION_CANCELLED
    assert withdrew.card_status is CardStatus.USABLE


def test_a_reissue_in_the_files_uses_up_its_loss_report(db, tmp_path):
    """R8: a 紛失 reissue written in a scenario took the 滅失届 it followed, as the issuing
    service would have; a later report stays open; loading again changes nothing."""
    no_card = MEMBER.format(number="25").replace('"usable"', '"no_card"')
    docs = """
[[documents]]
member = "1001-25-00"
kind = "eligibility_certificate"
issued_on = 2025-04-10
status = "lost"
status_changed_on = 2025-08-05

[[loss_reports]]
member = "1001-25-00"
document_kind = "eligibility_certificate"
document = "EC-1001-25-00-20250410"
received_on = 2025-08-05
lost_on = 2025-08-01
circumstance = "mislaid"

[[documents]]
member = "1001-25-00"
kind = "eligibility_certificate"
issued_on = 2025-08-08
route = "to_member"
reason = "lost"

[[loss_reports]]
member = "1001-25-00"
document_kind = "eligibility_certificate"
received_on = 2025-12-01
lost_on = 2025-11-28
circumstance = "mislaid"
"""
    path = write(tmp_path, "a.toml", BASE + no_card + docs)
    load_files(db, [path])
    reports = list(LossReport.select().order_by(LossReport.received_on))
    reissue = Document.get(Document.serial == "EC-1001-25-00-20250808")
    assert [r.reissue_id for r in reports] == [reissue.id, None]
    load_files(db, [path])
    assert [r.reissue_id for r in LossReport.select().order_by(LossReport.received_on)] == [reissue.id, None]


def test_claim_ratio_and_refund_follow_r12(db, tmp_path):
    claim = """
[[claims]]
member = "1001-23-00"
institution_name = "テスト クリニック"
treatment_month = "R7.11"
paid_on = 2025-11-06
amount_paid = 10000
receipt_received = true
medical_statement_received = true
claim_form_received = true
"""
    load_files(db, [write(tmp_path, "a.toml", BASE + MEMBER.format(number="23") + claim)])
    c = ReimbursementClaim.get()
    assert (c.copay_ratio, c.estimated_refund) == (3, 7000)  # ¥10,000 at 3割 → ¥7,000
    assert c.status is codes.ClaimStatus.COMPLETE
    assert c.treatment_month == date(2025, 11, 1) and c.received_on == date(2025, 11, 6)


@pytest.mark.parametrize("paid, cost, refund", [(8000, 10000, 5600), (10000, 20000, 7000), (12000, 10000, 7000)])
def test_claim_refund_counts_the_fee_schedule_cost_but_never_more_than_was_paid(db, tmp_path, paid, cost, refund):
    claim = f"""
[[claims]]
member = "1001-23-00"
institution_name = "テスト クリニック"
treatment_month = "R7.11"
paid_on = 2025-11-06
amount_paid = {paid}
fee_schedule_cost = {cost}
"""
    load_files(db, [write(tmp_path, "a.toml", BASE + MEMBER.format(number="23") + claim)])
    assert ReimbursementClaim.get().estimated_refund == refund  # R12: min(cost, paid) × 7割


def test_references_may_point_at_records_already_in_the_database(db, tmp_path):
    load_files(db, [write(tmp_path, "a.toml", BASE + MEMBER.format(number="23"))])
    later = """
[scenario]
name = "追加"

[[documents]]
member = "1001-23-00"
kind = "eligibility_certificate"
issued_on = 2025-11-10
"""
    report = load_files(db, [write(tmp_path, "b.toml", later)])
    assert counts(report)["documents"] == (1, 0, 0)
    assert Document.get().valid_until == date(2028, 3, 31)  # R4 by default
    assert stored_training_today() == TRAINING_TODAY  # kept: the new file sets no today


# --------------------------------------------------------------------------------------------
# --reset


def test_reset_reloads_cleanly(db, tmp_path):
    load_files(db, training_fixture_files())
    extra = write(tmp_path, "extra.toml", BASE.replace("E001", "E900") + MEMBER.format(number="900").replace("E001", "E900"))
    load_files(db, [extra])
    report = load_files(db, training_fixture_files(), reset=True)
    assert report.reset
    assert not Member.select().where(Member.symbol == "1001", Member.number == "900").exists()
    assert all(updated == 0 and unchanged == 0 for _, updated, unchanged in counts(report).values())
    assert report.counts["members"].created == Member.select().count()
    result = audit.verify()
    assert result.ok and result.checked == 1
    assert stored_training_today() == TRAINING_TODAY
    # the name index was rebuilt with the new rows
    (hits,) = db.execute_sql("SELECT count(*) FROM member_fts WHERE member_fts MATCH ?", ('"佐藤健"',)).fetchone()
    assert hits == 1
    # the audit trail is append-only again after the reset
    with pytest.raises(Exception, match="append-only"):
        db.execute_sql("DELETE FROM audit_entry")


def test_reset_forgets_a_fixed_today_the_new_files_do_not_set(db):
    load_files(db, training_fixture_files())
    load_files(db, demo_fixture_files(), reset=True)
    assert stored_training_today() is None


def test_production_database_is_never_reset_or_loaded_into(db, db_path, tmp_path):
    employer = Employer.create(code="P001", name="本番事業所", name_key="本番事業所")
    Member.create(symbol="9", number="1", branch="00", employer=employer, family_name="本番", given_name="一郎",
                  family_name_kana="ホンバン", given_name_kana="イチロウ", birth_date=date(1980, 1, 1), sex="male",
                  acquired_on=date(2000, 4, 1), name_key="本番一郎", kana_key="ホンバンイチロウ",
                  given_name_key="一郎", given_kana_key="イチロウ")
    before = file_state(db, db_path)
    with pytest.raises(DomainError, match="--reset は実行できません"):
        load_files(db, training_fixture_files(), reset=True)
    with pytest.raises(DomainError, match="研修用のデータベースにだけ"):
        load_files(db, training_fixture_files())
    assert file_state(db, db_path) == before
    assert Member.select().count() == 1


def test_reset_is_allowed_on_a_database_without_members(db):
    report = load_files(db, training_fixture_files(), reset=True)
    assert report.counts["members"].created > 0


# --------------------------------------------------------------------------------------------
# The command line


def test_cli_loads_and_prints_the_summary(db_path, capsys):
    files = [str(p) for p in training_fixture_files()]
    assert cli.main(["fixtures", "load", *files, "--db", str(db_path)]) == 0
    out = capsys.readouterr().out
    assert f"{len(files)} ファイルを読み込みました" in out and "加入員: 新規" in out
    assert cli.main(["fixtures", "load", *files, "--db", str(db_path), "--reset"]) == 0
    assert "既存のデータを消去して再作成" in capsys.readouterr().out


def test_cli_exits_2_and_lists_every_problem(db_path, tmp_path, capsys):
    bad = write(tmp_path, "bad.toml", THREE_MISTAKES)
    assert cli.main(["fixtures", "load", str(bad), "--db", str(db_path)]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err[0] == "エラー: シナリオファイルに 3 件の問題があります。データベースには何も書き込んでいません。"
    assert [line.split(":")[1].strip() for line in err[1:]] == [
        "members[1] (1001-24-00) employer", "members[1] (1001-24-00) birth_date",
        "members[1] (1001-24-00) standard_monthly_remunaration",
    ]


# --------------------------------------------------------------------------------------------
# The format: schema and TOML reader


def test_schema_describes_exactly_what_the_loader_reads():
    schema = json.loads((REPO / "schema" / "fixture.schema.json").read_text(encoding="utf-8"))
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    props = schema["properties"]
    assert list(props) == list(loader.FIELDS)
    for section, keys in loader.FIELDS.items():
        body = props[section] if section in loader.SINGLE_SECTIONS else props[section]["items"]
        assert list(body["properties"]) == list(keys), section
        assert set(body["required"]) == loader.REQUIRED[section], section
        assert body["additionalProperties"] is False
        for key, spec in body["properties"].items():
            assert re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", spec["description"]), (section, key)
            assert re.search(r"[A-Za-z]{3}", spec["description"]), (section, key)
    for enum in (codes.CardStatus, codes.DocumentKind, codes.Relationship, codes.ClaimStatus):
        assert schema["$defs"][enum.__name__]["enum"] == [m.value for m in enum] + [m.label for m in enum]


def test_schema_and_docs_field_tables_are_generated_from_the_specification():
    """schema/fixture.schema.json and the field tables of docs/fixtures.md are made from the
    loader's one table of fields: a field added, renamed or limited there must show in both."""
    from clerk_tui.scenarios.loader import docgen

    schema = (REPO / docgen.SCHEMA_PATH).read_text(encoding="utf-8")
    assert schema == docgen.schema_text(), "run scripts/gen_fixture_docs.py and commit the schema"
    docs = (REPO / docgen.DOCS_PATH).read_text(encoding="utf-8")
    assert docs == docgen.docs_with_tables(docs), "run scripts/gen_fixture_docs.py and commit docs/fixtures.md"
    assert docs.count(docgen.DOCS_BEGIN) == docs.count(docgen.DOCS_END) == 1
    for section, keys in loader.FIELDS.items():
        for key in keys:
            assert f"| `{key}` |" in docs, (section, key)
    # The limits a trainer reads are the ones the loader enforces.
    limit = next(f for f in loader.SPEC["claims"] if f.key == "amount_paid")
    assert (limit.minimum, limit.maximum) == (1, 100_000_000)
    assert "| `amount_paid` | 必須 | 整数、1円〜1億円 |" in docs
    assert "| `standard_monthly_remuneration` |  | 整数、5.8万円〜139万円 |" in docs
    assert json.loads(schema)["properties"]["claims"]["items"]["properties"]["amount_paid"]["maximum"] == limit.maximum


def test_the_drift_check_script_fails_when_a_file_was_edited_by_hand(tmp_path, monkeypatch):
    import importlib.util

    spec = importlib.util.spec_from_file_location("gen_fixture_docs", REPO / "scripts" / "gen_fixture_docs.py")
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    assert gen.main(["--check"]) == 0
    (tmp_path / "schema").mkdir()
    (tmp_path / "docs").mkdir()
    (tmp_path / "schema" / "fixture.schema.json").write_text("{}\n", encoding="utf-8")
    docs = (REPO / "docs" / "fixtures.md").read_text(encoding="utf-8")
    (tmp_path / "docs" / "fixtures.md").write_text(docs.replace("| `member` |", "| `patient` |", 1), encoding="utf-8")
    monkeypatch.setattr(gen, "ROOT", tmp_path)
    assert gen.main(["--check"]) == 1
    assert gen.main([]) == 0  # rewrites both
    assert gen.main(["--check"]) == 0
    assert (tmp_path / "docs" / "fixtures.md").read_text(encoding="utf-8") == docs


def test_rows_of_register_data_are_checked_with_the_place_of_each_problem():
    """The value checks work on plain rows too (a later import of employers' CSV files): every
    problem names its row and field, and a My Number is refused like anywhere else."""
    rows = [
        {"code": "E001", "name": "株式会社テスト", "phone": "03-1234-5678"},
        {"code": "E002", "name": "個人番号 1234 5678 9012", "phone": "電話"},
        {"name": "名前だけ", "fax": "03"},
    ]
    values, problems = loader.check_rows("employers", rows, "employers.csv")
    assert values[0] == {"code": "E001", "name": "株式会社テスト", "name_kana": None, "postal_code": None,
                         "address": None, "phone": "03-1234-5678", "contact_person": None, "symbol": None}
    assert values[1]["name"] is None and values[1]["phone"] is None
    places = [(p.file, p.entry, p.field) for p in problems]
    assert places == [
        ("employers.csv", "employers[2]", "name"),
        ("employers.csv", "employers[2]", "phone"),
        ("employers.csv", "employers[3]", "code"),
        ("employers.csv", "employers[3]", "fax"),
    ]
    assert "1234" not in " ".join(p.message for p in problems)
    assert "「fax」という項目はありません" in problems[3].message


SHAPES = [
    BASE,
    'a = "tab\\there" # comment\n[[x]]\n k = "ＡＢ　全角"\n',
    'a = "\\u00e9\\U0001F600 \\"q\\" \\\\"\nb = -0\nc = 1979-05-27\nd = true\n',
    "a = 1\na = 2\n",           # duplicate key
    "[x]\n[x]\n",               # table twice
    "x = 1\n[[x]]\n",           # key then array
    "a = 0123\n",               # leading zero
    "a = 2025-02-30\n",         # impossible date
    "a = 1979-05-27T07:32:00\n",  # datetime: left to tomllib
    'a = "\\ud800"\n',          # surrogate escape
    "a = [1, 2]\nb = { c = 1 }\n",
    "a = \"x\"\r\nb = 2\r\n",
    "a = \"x\"\rb = 2\n",
    'a.b = 1\n"q" = 2\n',
    "[ spaced ]\n  k\t=\t'lit'\n",
    "# \u3000 comment\n\n",
    "# bad \x01 comment\n",
]


@pytest.mark.parametrize("text", SHAPES)
def test_scenario_files_are_read_as_tomllib_reads_them(text, tmp_path):
    """The TOML is read by tomllib alone: the same tables, or its error turned into a Japanese
    message with the line and column."""
    path = tmp_path / "shape.toml"
    path.write_bytes(text.encode("utf-8"))
    data, problem = loader.read_toml(path)
    try:
        expected = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        assert data is None
        m = re.search(r"\(at line (\d+), column (\d+)\)", str(exc))
        assert problem.startswith(f"{m[1]}行目 {m[2]}文字目: TOML の書き方に誤りがあります")
    else:
        assert problem is None and data == expected


def test_the_shipped_files_are_read_as_tomllib_reads_them():
    for path in [*training_fixture_files(), *demo_fixture_files()]:
        data, problem = loader.read_toml(path)
        assert problem is None and data == tomllib.loads(path.read_text(encoding="utf-8")), path


@pytest.mark.slow
def test_a_generated_file_loads(db, tmp_path):
    from clerk_tui.scenarios import generate_file

    path = generate_file(tmp_path / "generated.toml", members=3000, seed=1)
    report = load_files(db, [path])
    assert report.counts["members"].created == Member.select().count() >= 3000
    again = load_files(db, [path])
    assert again.counts["members"].unchanged == report.counts["members"].created


_name_chars = st.sampled_from(list("山田髙橋齋藤𠮷吉渡邊辺太郎花子やまだヤマダｶﾞﾞﾟ゛゜ゃャァ・ー 　\u3099\u309a\u200b\ufe00"
                                   "\U000e0100\uf9dc\u1100\u1161\u11a8가AbéѢ"))


@settings(max_examples=300, deadline=None)
@given(st.text(_name_chars, max_size=6), st.text(_name_chars, min_size=1, max_size=6))
def test_member_search_keys_equal_the_keys_of_the_whole_name(family, given_name):
    assert values._joined_key(kana.name_key, family, given_name) == kana.name_key(family + given_name)
    assert values._joined_key(kana.kana_key, family, given_name) == kana.kana_key(family + given_name)


def test_an_earlier_today_than_the_training_scenario_is_refused(db_path, capsys):
    """The scenario's reminders and papers are dated up to its own today: an earlier --today
    would show them in the future, so the program says so instead of starting."""
    files = [str(p) for p in training_fixture_files()]
    assert cli.main(["fixtures", "load", *files, "--db", str(db_path)]) == 0
    capsys.readouterr()
    earlier = (TRAINING_TODAY.replace(day=1)).isoformat()
    assert cli.main(["verify-code", "TJKF1-x-y", "--db", str(db_path), "--today", earlier]) == 2
    err = capsys.readouterr()
    assert "研修用データベースの基準日は 令和7年12月10日" in err.out + err.err
    later = TRAINING_TODAY.replace(day=24).isoformat()  # a later day is the trainer's choice
    cli.main(["verify-code", "TJKF1-x-y", "--db", str(db_path), "--today", later])
    err = capsys.readouterr()
    assert "施設確認コードの形ではありません" in err.err and "基準日" not in err.out + err.err
