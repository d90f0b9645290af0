"""Loss of qualification and the return of documents: the R9/R10 boundaries, the family
cascade, returns and closures, the outstanding list, reinstatement, and bad input."""

from __future__ import annotations

from datetime import date

import pytest

import json

from clerk_tui.db.models import AuditEntry, CollectionItem, Document, IssueRequest, Member
from clerk_tui.domain.codes import (
    CollectionStatus,
    DependentRemovalReason,
    DocumentKind,
    DocumentStatus,
    IssueCause,
    IssueRequestStatus,
    Relationship,
    ReturnVia,
    WithdrawalReason,
)
from clerk_tui.domain.errors import DomainError
from clerk_tui.services.withdrawal import (
    cancel_loss,
    close_item,
    members_reaching_75,
    outstanding,
    outstanding_counts,
    preview_loss,
    record_reaching_75,
    record_return,
    record_withdrawal,
    remove_dependent,
)
from clerk_tui.services.issue_queue import pending_requests, queue_issue
from tests.factories import make_document, make_employer, make_member

CERT, LEGACY, NOTICE = DocumentKind.ELIGIBILITY_CERTIFICATE, DocumentKind.LEGACY_CARD, DocumentKind.ELIGIBILITY_NOTICE


@pytest.fixture
def family(ctx):
    emp = make_employer(ctx)
    insured = make_member(ctx, emp, symbol="2001", number="5", branch="00")
    spouse = make_member(ctx, emp, symbol="2001", number="5", branch="01", insured=insured, given_name="花子",
                         given_name_kana="ハナコ", relationship=Relationship.SPOUSE, birth_date=date(1982, 5, 5))
    return insured, spouse


@pytest.mark.parametrize("lost_on, legacy_collected", [(date(2025, 12, 1), True), (date(2025, 12, 2), False)])
def test_legacy_card_boundary_r10(ctx, family, lost_on, legacy_collected):
    insured, _ = family
    make_document(ctx, insured, kind=LEGACY, issued_on=date(2020, 4, 1), valid_until=date(2025, 12, 1))
    preview = preview_loss(ctx, insured.id, lost_on)
    kinds = [d.document.kind for _, d in preview.collect]
    assert (LEGACY in kinds) is legacy_collected


@pytest.mark.parametrize("valid_until, collected", [(date(2025, 12, 10), True), (date(2025, 12, 9), False)])
def test_certificate_expiring_on_the_loss_date_comes_back_r9(ctx, family, valid_until, collected):
    insured, _ = family
    make_document(ctx, insured, kind=CERT, issued_on=date(2023, 4, 1), valid_until=valid_until)
    make_document(ctx, insured, kind=NOTICE, valid_until=None)
    preview = preview_loss(ctx, insured.id, date(2025, 12, 10))
    assert [d.document.kind for _, d in preview.collect] == ([CERT] if collected else [])
    assert NOTICE in [d.document.kind for _, d in preview.not_collected]


def test_withdrawal_cascades_to_dependents_and_creates_items(ctx, family):
    insured, spouse = family
    make_document(ctx, insured, kind=CERT)
    spouse_cert = make_document(ctx, spouse, kind=CERT)
    result = record_withdrawal(ctx, insured.id, lost_on=date(2025, 11, 21), reason=WithdrawalReason.RETIREMENT,
                               expected_version=insured.version)
    assert result.last_work_day == date(2025, 11, 20)
    assert {m.id for m in result.people} == {insured.id, spouse.id}
    assert Member.get_by_id(spouse.id).lost_on == date(2025, 11, 21)
    items = list(CollectionItem.select())
    assert len(items) == 2 and spouse_cert.id in {i.document_id for i in items}
    entry = AuditEntry.select().where(AuditEntry.action == "member.withdraw").get()
    assert "山田" not in entry.summary  # ids only


def test_documents_waiting_to_be_issued_are_cancelled_with_the_loss(ctx, family):
    """Nothing is issued to someone who is leaving: the family's 交付待ち goes with the loss, in
    the same transaction, and the preview says so first."""
    insured, spouse = family
    other = make_member(ctx, make_employer(ctx, code="E9"), symbol="2002", number="1", branch="00")
    waiting = [ctx.write(lambda m=m, k=k: queue_issue(m, k, IssueCause.ENROLMENT, date(2025, 11, 1)))
               for m in (insured, spouse) for k in (NOTICE, CERT)]
    kept = ctx.write(lambda: queue_issue(other, NOTICE, IssueCause.ENROLMENT, date(2025, 11, 1)))
    assert preview_loss(ctx, insured.id, date(2025, 11, 21)).pending_requests == 4
    result = record_withdrawal(ctx, insured.id, lost_on=date(2025, 11, 21), reason=WithdrawalReason.RETIREMENT,
                               expected_version=insured.version)
    assert result.pending_requests == 4
    assert {IssueRequest.get_by_id(r.id).status for r in waiting} == {IssueRequestStatus.CANCELLED}
    assert pending_requests(insured.id) == [] and pending_requests(spouse.id) == []
    assert [r.id for r in pending_requests(other.id)] == [kept.id]
    entry = AuditEntry.select().where(AuditEntry.action == "member.withdraw").get()
    assert sorted(json.loads(entry.summary)["cancelled_requests"]) == sorted(r.id for r in waiting)


def test_a_cancelled_loss_puts_the_documents_back_on_the_queue(ctx, family):
    """A loss recorded by mistake took the family's 交付待ち off the queue: cancelling it puts them
    back, except a kind queued again meanwhile (that newer request is the one to issue), and
    says how many in the audit entry."""
    insured, spouse = family
    waiting = {(m.id, k): ctx.write(lambda m=m, k=k: queue_issue(m, k, IssueCause.ENROLMENT, date(2025, 11, 1)))
               for m in (insured, spouse) for k in (NOTICE, CERT)}
    record_withdrawal(ctx, insured.id, lost_on=date(2025, 11, 21), reason=WithdrawalReason.RETIREMENT)
    newer = ctx.write(lambda: queue_issue(spouse, CERT, IssueCause.NAME_CHANGE, date(2025, 11, 25)))

    result = cancel_loss(ctx, insured.id, reason="退職の取り消し")
    assert set(result.members) == {insured.id, spouse.id} and result.requests_restored == 3
    status = {key: IssueRequest.get_by_id(r.id).status for key, r in waiting.items()}
    assert status == {(insured.id, NOTICE): IssueRequestStatus.PENDING,
                      (insured.id, CERT): IssueRequestStatus.PENDING,
                      (spouse.id, NOTICE): IssueRequestStatus.PENDING,
                      (spouse.id, CERT): IssueRequestStatus.CANCELLED}
    assert {r.id for r in pending_requests(spouse.id)} == {waiting[(spouse.id, NOTICE)].id, newer.id}
    entry = AuditEntry.select().where(AuditEntry.action == "member.cancel_loss").get()
    assert sorted(json.loads(entry.summary)["restored_requests"]) == sorted(
        waiting[key].id for key in ((insured.id, NOTICE), (insured.id, CERT), (spouse.id, NOTICE)))


def test_a_refused_loss_keeps_the_documents_waiting(ctx, family):
    insured, _ = family
    req = ctx.write(lambda: queue_issue(insured, NOTICE, IssueCause.ENROLMENT, date(2025, 11, 1)))
    with pytest.raises(DomainError):
        record_withdrawal(ctx, insured.id, lost_on=date(2025, 11, 21), reason=WithdrawalReason.RETIREMENT,
                          expected_version=insured.version + 5)
    assert IssueRequest.get_by_id(req.id).status is IssueRequestStatus.PENDING


def test_bad_loss_input_writes_nothing(ctx, family):
    insured, spouse = family
    before = (AuditEntry.select().count(), CollectionItem.select().count())
    with pytest.raises(DomainError, match="資格取得日"):
        record_withdrawal(ctx, insured.id, lost_on=date(2019, 1, 1), reason=WithdrawalReason.RETIREMENT)
    with pytest.raises(DomainError, match="先すぎ"):
        record_withdrawal(ctx, insured.id, lost_on=date(2027, 1, 1), reason=WithdrawalReason.RETIREMENT)
    with pytest.raises(DomainError, match="扶養削除"):
        record_withdrawal(ctx, spouse.id, lost_on=date(2025, 11, 21), reason=WithdrawalReason.RETIREMENT)
    assert (AuditEntry.select().count(), CollectionItem.select().count()) == before
    record_withdrawal(ctx, insured.id, lost_on=date(2025, 11, 21), reason=WithdrawalReason.RETIREMENT)
    with pytest.raises(DomainError, match="既に"):
        record_withdrawal(ctx, insured.id, lost_on=date(2025, 11, 21), reason=WithdrawalReason.RETIREMENT)


def test_dependent_removal_with_a_valid_certificate(ctx, family):
    insured, spouse = family
    cert = make_document(ctx, spouse, kind=CERT)
    remove_dependent(ctx, spouse.id, lost_on=date(2025, 11, 21), reason=DependentRemovalReason.EMPLOYED)
    assert Member.get_by_id(insured.id).lost_on is None
    item = CollectionItem.get()
    assert item.document_id == cert.id
    record_return(ctx, item.id, returned_on=date(2025, 11, 20), via=ReturnVia.EMPLOYER, condition="良好",
                  expected_version=item.version)
    assert Document.get_by_id(cert.id).status is DocumentStatus.RETURNED
    with pytest.raises(DomainError, match="既に"):
        record_return(ctx, item.id, returned_on=date(2025, 11, 20), via=ReturnVia.POST)


def test_close_outstanding_and_reminders(ctx, family):
    insured, spouse = family
    make_document(ctx, insured, kind=CERT)
    make_document(ctx, spouse, kind=CERT)
    record_withdrawal(ctx, insured.id, lost_on=date(2025, 9, 1), reason=WithdrawalReason.RETIREMENT)
    rows = outstanding(date(2025, 11, 20))
    assert len(rows) == 2 and rows[0].days == 80
    assert outstanding_counts(date(2025, 11, 20))["31〜90日"] == 2
    close_item(ctx, rows[0].item.id, status=CollectionStatus.UNRECOVERABLE, reason="本人と連絡が取れない")
    assert len(outstanding(date(2025, 11, 20))) == 1


def test_outstanding_list_is_read_in_one_query(ctx, db, family, monkeypatch):
    """The F8 list shows each item's document kind, member and employer: with hundreds of items
    the list must not run a query per row."""
    insured, spouse = family
    make_document(ctx, insured, kind=CERT)
    make_document(ctx, spouse, kind=LEGACY, issued_on=date(2020, 4, 1), valid_until=date(2025, 12, 1))
    record_withdrawal(ctx, insured.id, lost_on=date(2025, 9, 1), reason=WithdrawalReason.RETIREMENT)
    statements = []
    original = type(db).execute_sql
    monkeypatch.setattr(type(db), "execute_sql",
                        lambda self, sql, params=None, *a, **k: statements.append(sql) or original(self, sql, params, *a, **k))
    rows = outstanding(date(2025, 11, 20))
    shown = sorted((r.document.kind, r.member.given_name, r.employer.code) for r in rows)
    assert len(statements) == 1
    assert [k for k, _, _ in shown] == sorted([CERT, LEGACY])


def test_cancel_a_mistaken_loss_restores_the_family(ctx, family):
    insured, spouse = family
    make_document(ctx, spouse, kind=CERT)
    record_withdrawal(ctx, insured.id, lost_on=date(2025, 11, 21), reason=WithdrawalReason.RETIREMENT)
    with pytest.raises(DomainError, match="理由"):
        cancel_loss(ctx, insured.id, reason="  ")
    restored = cancel_loss(ctx, insured.id, reason="退職の取り消し（事業所から連絡）")
    assert set(restored.members) == {insured.id, spouse.id} and restored.requests_restored == 0
    assert Member.get_by_id(spouse.id).lost_on is None
    assert CollectionItem.get().status is CollectionStatus.CANCELLED


def test_a_dependent_lost_with_the_insured_is_restored_only_from_the_insured(ctx, family):
    insured, spouse = family
    record_withdrawal(ctx, insured.id, lost_on=date(2025, 11, 21), reason=WithdrawalReason.RETIREMENT)
    with pytest.raises(DomainError, match="被保険者の画面で") as err:
        cancel_loss(ctx, spouse.id, reason="誤り")
    assert err.value.field == "member"
    assert Member.get_by_id(spouse.id).lost_on == date(2025, 11, 21)  # nothing written
    assert set(cancel_loss(ctx, insured.id, reason="退職の取り消し").members) == {insured.id, spouse.id}


def test_a_dependent_removed_alone_is_restored_alone(ctx, family):
    insured, spouse = family
    remove_dependent(ctx, spouse.id, lost_on=date(2025, 11, 21), reason=DependentRemovalReason.EMPLOYED)
    assert cancel_loss(ctx, spouse.id, reason="扶養削除の誤り").members == [spouse.id]
    assert Member.get_by_id(insured.id).lost_on is None


def test_members_reaching_75_in_a_month(ctx):
    emp = make_employer(ctx)
    a = make_member(ctx, emp, birth_date=date(1951, 1, 10), remuneration=200_000)
    make_member(ctx, emp, birth_date=date(1951, 2, 1))
    found = members_reaching_75(date(2026, 1, 1))
    assert [m.id for m in found] == [a.id]
    record_reaching_75(ctx, [a.id])
    assert Member.get_by_id(a.id).lost_on == date(2026, 1, 10)


def test_age_75_loss_must_be_on_the_birthday(ctx):
    m = make_member(ctx, make_employer(ctx), birth_date=date(1951, 1, 10))
    with pytest.raises(DomainError, match="75歳の誕生日"):
        record_withdrawal(ctx, m.id, lost_on=date(2026, 1, 11), reason=WithdrawalReason.AGE_75)
    record_withdrawal(ctx, m.id, lost_on=date(2026, 1, 10), reason=WithdrawalReason.AGE_75)
