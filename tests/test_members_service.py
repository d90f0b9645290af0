"""Opening a member on a real SQLite file: the family, documents, history, the view audit entry,
the warnings of the day, and lookup by 記号・番号."""

from __future__ import annotations

import json
from datetime import date

import pytest

from clerk_tui.db.models import AuditEntry
from clerk_tui.domain.codes import AuditKind, CardStatus, DocumentKind, DocumentStatus, Relationship, WithdrawalReason
from clerk_tui.domain.errors import DomainError
from clerk_tui.services import audit
from clerk_tui.services.members import AUDIT_LIMIT, member_by_code, open_member, reload_member
from clerk_tui.services.reimbursement import ClaimInput, record_claim
from clerk_tui.services.withdrawal import record_withdrawal
from tests.conftest import TODAY
from tests.factories import make_document, make_employer, make_member

CERT = DocumentKind.ELIGIBILITY_CERTIFICATE


@pytest.fixture
def family(ctx):
    """Insured 00 with dependents created out of 枝番 order (02 before 01)."""
    emp = make_employer(ctx)
    insured = make_member(ctx, emp, symbol="3001", number="42", branch="00", card_status=CardStatus.USABLE,
                          mynumber_received_on=date(2020, 4, 1))
    child = make_member(ctx, emp, symbol="3001", number="42", branch="02", insured=insured, given_name="次郎",
                        given_name_kana="ジロウ", birth_date=date(2012, 6, 1))
    spouse = make_member(ctx, emp, symbol="3001", number="42", branch="01", insured=insured, given_name="花子",
                         given_name_kana="ハナコ", relationship=Relationship.SPOUSE, birth_date=date(1982, 5, 5))
    return insured, spouse, child


def view_entries() -> list[AuditEntry]:
    return list(AuditEntry.select().where(AuditEntry.kind == AuditKind.VIEW).order_by(AuditEntry.id))


def test_family_insured_first_then_dependents_by_branch(ctx, family):
    insured, spouse, child = family
    for opened in family:
        detail = open_member(ctx, opened.id)
        assert [m.id for m in detail.family] == [insured.id, spouse.id, child.id]
        assert detail.member.id == opened.id and detail.insured.id == insured.id
        assert set(detail.documents_by_member) == {insured.id, spouse.id, child.id}


def test_opening_writes_one_view_entry_without_personal_data(ctx, family):
    _, spouse, _ = family
    detail = open_member(ctx, spouse.id)
    (entry,) = view_entries()
    assert (entry.clerk, entry.action, entry.table_name) == ("tester", "member.view", "member")
    assert entry.record_id == spouse.id and entry.member_id == spouse.id
    for personal in ("山田", "花子", "ハナコ", "3001", "1982"):
        assert personal not in entry.summary
    assert json.loads(entry.summary) == {}
    # The history shown already contains this view, newest first.
    assert detail.audit_entries[0].id == entry.id
    assert audit.verify().ok


def test_reload_does_not_log_another_view(ctx, family):
    insured, _, _ = family
    open_member(ctx, insured.id)
    reload_member(ctx, insured.id)
    assert len(view_entries()) == 1


def test_unknown_id_is_refused_and_not_logged(ctx, family):
    with pytest.raises(DomainError) as err:
        open_member(ctx, 99999)
    assert str(err.value).startswith("加入員が見つかりません（ID 99999）")
    assert view_entries() == []
    with pytest.raises(DomainError):
        reload_member(ctx, 99999)


def test_documents_newest_first_per_member(ctx, family):
    insured, spouse, _ = family
    old = make_document(ctx, spouse, issued_on=date(2023, 4, 1), valid_until=date(2026, 3, 31),
                        status=DocumentStatus.SUPERSEDED)
    new = make_document(ctx, spouse, issued_on=date(2025, 4, 1), valid_until=date(2028, 3, 31))
    notice = make_document(ctx, insured, kind=DocumentKind.ELIGIBILITY_NOTICE, valid_until=None)
    detail = open_member(ctx, insured.id)
    assert [d.id for d in detail.documents_by_member[spouse.id]] == [new.id, old.id]
    assert [d.id for d in detail.documents_by_member[insured.id]] == [notice.id]


def test_history_is_this_members_newest_first_and_limited(ctx, family):
    insured, spouse, _ = family
    for _ in range(AUDIT_LIMIT + 3):
        open_member(ctx, insured.id)
    open_member(ctx, spouse.id)
    detail = reload_member(ctx, insured.id)
    ids = [e.id for e in detail.audit_entries]
    assert len(ids) == AUDIT_LIMIT and ids == sorted(ids, reverse=True)
    assert {e.member_id for e in detail.audit_entries} == {insured.id}


def test_copay_and_eligibility(ctx, family):
    insured, _, child = family
    detail = open_member(ctx, insured.id)
    assert detail.copay.ratio == 3 and not detail.copay.printed and detail.copay_note is None
    assert detail.eligibility.eligible is False  # マイナ保険証 usable (R3)
    assert open_member(ctx, child.id).eligibility.case == "a"


def test_warnings_for_a_crafted_member(ctx):
    emp = make_employer(ctx)
    # マイナ保険証 registered but the insurer never received the My Number (R11); a certificate
    # expiring in 40 days; a claim missing papers whose deadline is 30 days away (R12).
    member = make_member(ctx, emp, symbol="3002", number="7", card_status=CardStatus.NOT_REGISTERED)
    make_document(ctx, member, kind=CERT, issued_on=date(2023, 4, 1), valid_until=date(2025, 12, 30))
    record_claim(ctx, ClaimInput(member_id=member.id, institution_name="富士見クリニック",
                                 treatment_month=date(2023, 12, 1), paid_on=date(2023, 12, 20),
                                 amount_paid=10_000, receipt_received=True))
    detail = open_member(ctx, member.id)
    by_code = {w.code: w for w in detail.warnings}
    assert {"mynumber_missing", "certificate_expiring", "claim_deadline"} <= set(by_code)
    assert "残り40日" in by_code["certificate_expiring"].text
    assert "あと30日" in by_code["claim_deadline"].text and "レセプト" in by_code["claim_deadline"].text
    assert len(detail.claims) == 1


def test_my_number_warning_error_when_card_usable(ctx):
    emp = make_employer(ctx)
    member = make_member(ctx, emp, symbol="3003", number="8", card_status=CardStatus.USABLE)
    (w,) = [w for w in open_member(ctx, member.id).warnings if w.code == "mynumber_missing"]
    assert w.level == "error" and "マイナ保険証は使えません" in w.text


def test_new_member_system_view_pending(ctx):
    emp = make_employer(ctx)
    member = make_member(ctx, emp, symbol="3004", number="9", acquired_on=date(2025, 11, 10),
                         card_status=CardStatus.USABLE, mynumber_received_on=date(2025, 11, 1))
    (w,) = [w for w in open_member(ctx, member.id).warnings if w.code == "system_view_pending"]
    assert "令和7年11月24日頃" in w.text


def test_withdrawn_insured_sees_family_outstanding_documents(ctx, family):
    insured, spouse, _ = family
    make_document(ctx, insured, kind=CERT)
    make_document(ctx, spouse, kind=CERT)
    record_withdrawal(ctx, insured.id, lost_on=date(2025, 11, 1), reason=WithdrawalReason.RETIREMENT)
    detail = open_member(ctx, insured.id)
    assert len(detail.collection_items) == 2
    codes = [w.code for w in detail.warnings]
    assert codes.count("outstanding") == 1 and "qualification_lost" in codes
    (out,) = [w for w in detail.warnings if w.code == "outstanding"]
    assert "未回収の書類が2件" in out.text and "うち家族分1件" in out.text and "喪失から19日経過" in out.text
    assert detail.copay is None and "資格喪失" in detail.copay_note
    # The spouse's screen chases only the spouse's own document.
    (own,) = [w for w in open_member(ctx, spouse.id).warnings if w.code == "outstanding"]
    assert "未回収の書類が1件" in own.text and "家族分" not in own.text


def test_dependent_copay_uses_the_insured_person(ctx):
    emp = make_employer(ctx)
    insured = make_member(ctx, emp, symbol="3005", number="1", birth_date=date(1954, 4, 2), remuneration=300_000)
    spouse = make_member(ctx, emp, symbol="3005", number="1", branch="01", insured=insured,
                         relationship=Relationship.SPOUSE, birth_date=date(1953, 6, 1))
    detail = open_member(ctx, spouse.id)
    assert detail.copay.printed and detail.copay.ratio == 3  # both 70–74, insured ≥ 28万円


def test_member_by_code(ctx, family):
    insured, spouse, _ = family
    assert member_by_code(ctx, "3001-42").id == insured.id
    assert member_by_code(ctx, "記号３００１　番号４２　枝番１").id == spouse.id
    with pytest.raises(DomainError) as err:
        member_by_code(ctx, "3001-43")
    assert str(err.value).startswith("記号・番号 3001-43 の加入員は登録されていません")
    with pytest.raises(DomainError):
        member_by_code(ctx, "山田")


def test_today_is_the_clock_date(ctx, family):
    assert open_member(ctx, family[0].id).today == TODAY


def test_warm_up_loads_the_holiday_calendar_for_today(ctx):
    from clerk_tui.domain import rules
    from clerk_tui.services.members import warm_up

    rules._national_holidays.cache_clear()
    warm_up(ctx)
    assert rules._national_holidays.cache_info().currsize == 1  # the first detail finds it loaded
