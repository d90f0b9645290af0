"""The monthly 70歳到達 run (R5, R19): who is listed for a month, with which ratio and documents,
and what recording queues (once, with its 発効期日, one audit entry per member)."""

from __future__ import annotations

import json
from datetime import date

import pytest

from clerk_tui.db.models import AuditEntry, IssueRequest
from clerk_tui.domain.codes import DocumentKind, IssueCause, IssueReason, IssueRequestStatus, Relationship
from clerk_tui.services import audit
from clerk_tui.services.seventy import members_turning_70, record_turning_70
from tests.factories import make_document, make_employer, make_member
from tests.test_printing import pctx  # noqa: F401 - a fixture

DEC = date(2025, 12, 1)  # the month after the tests' today (2025-11-20)
NOTICE, CERT = DocumentKind.ELIGIBILITY_NOTICE, DocumentKind.ELIGIBILITY_CERTIFICATE


def _listed(month=DEC):
    return {r.member.id: r for r in members_turning_70(month)}


def _family(ctx, *, insured_birth, spouse_birth=date(1953, 5, 5), remuneration=300_000, **extra):
    emp = make_employer(ctx)
    insured = make_member(ctx, emp, birth_date=insured_birth, remuneration=remuneration, **extra)
    spouse = make_member(ctx, emp, number=insured.number, branch="01", insured=insured, family_name="山田",
                         given_name="花子", given_name_kana="ハナコ", birth_date=spouse_birth,
                         relationship=Relationship.SPOUSE)
    return insured, spouse


def test_a_70th_birthday_on_the_1st_starts_the_ratio_that_day_and_the_2nd_a_month_later(ctx):
    emp = make_employer(ctx)
    first = make_member(ctx, emp, birth_date=date(1955, 12, 1), remuneration=200_000)
    second = make_member(ctx, emp, birth_date=date(1955, 12, 2))
    november_2nd = make_member(ctx, emp, birth_date=date(1955, 11, 2), remuneration=280_000)
    november_1st = make_member(ctx, emp, birth_date=date(1955, 11, 1))  # ratio from 2025-11-01
    rows = _listed()
    assert set(rows) == {first.id, november_2nd.id}
    assert (rows[first.id].effective_from, rows[first.id].old_ratio, rows[first.id].new_ratio) == (DEC, 3, 2)
    assert rows[november_2nd.id].new_ratio == 3 and rows[november_2nd.id].turns_70
    assert rows[first.id].kinds == (NOTICE,)  # no 資格確認書 held: the お知らせ only
    assert second.id in _listed(date(2026, 1, 1)) and november_1st.id in _listed(date(2025, 11, 1))


def test_a_high_income_insured_turning_70_moves_the_70_74_dependent_from_2_to_3(ctx):
    insured, spouse = _family(ctx, insured_birth=date(1955, 11, 15), remuneration=300_000)
    make_document(ctx, spouse)  # a 資格確認書 in force: a new one with the ratio too
    rows = members_turning_70(DEC)
    assert [r.member.id for r in rows] == [insured.id, spouse.id]
    dep = rows[1]
    assert not dep.turns_70 and (dep.old_ratio, dep.new_ratio, dep.effective_from) == (2, 3, DEC)
    assert dep.kinds == (NOTICE, CERT) and dep.to_queue == (NOTICE, CERT)


def test_an_insured_under_28man_leaves_the_dependent_at_2_and_unlisted(ctx):
    insured, spouse = _family(ctx, insured_birth=date(1955, 11, 15), remuneration=260_000)
    rows = _listed()
    assert set(rows) == {insured.id} and rows[insured.id].new_ratio == 2


def test_an_approved_income_reduction_gives_2_and_keeps_the_dependent_at_2(ctx):
    insured, spouse = _family(ctx, insured_birth=date(1955, 11, 15), remuneration=410_000, income_reduction=True)
    rows = _listed()
    assert set(rows) == {insured.id}
    assert rows[insured.id].new_ratio == 2 and "基準収入額" in rows[insured.id].reason


def test_a_missing_remuneration_is_shown_but_nothing_is_queued(ctx):
    insured, spouse = _family(ctx, insured_birth=date(1955, 11, 15), remuneration=None)
    rows = _listed()
    assert set(rows) == {insured.id, spouse.id}  # the dependent's ratio may move: shown too
    assert rows[insured.id].new_ratio is None and "標準報酬月額" in rows[insured.id].reason
    assert rows[insured.id].to_queue == () and rows[spouse.id].to_queue == ()
    result = record_turning_70(ctx, DEC, [insured.id, spouse.id])
    assert (result.members, result.documents, result.skipped) == (0, 0, 2)
    assert IssueRequest.select().count() == 0
    assert not AuditEntry.select().where(AuditEntry.action == "member.turning_70").exists()


def test_recording_queues_the_documents_with_the_date_once_even_when_run_twice(ctx):
    insured, spouse = _family(ctx, insured_birth=date(1955, 11, 15))
    make_document(ctx, insured)
    first = record_turning_70(ctx, DEC, [insured.id, spouse.id])
    assert (first.members, first.documents, first.skipped) == (2, 3, 0)
    requests = list(IssueRequest.select().order_by(IssueRequest.id))
    assert [(r.member_id, r.kind, r.cause, r.reason, r.ratio_effective_from, r.status) for r in requests] == [
        (insured.id, NOTICE, IssueCause.RATIO_CHANGE, IssueReason.AGE_70, DEC, IssueRequestStatus.PENDING),
        (insured.id, CERT, IssueCause.RATIO_CHANGE, IssueReason.AGE_70, DEC, IssueRequestStatus.PENDING),
        (spouse.id, NOTICE, IssueCause.RATIO_CHANGE, IssueReason.DETAILS_CHANGED, DEC, IssueRequestStatus.PENDING)]
    entries = list(AuditEntry.select().where(AuditEntry.action == "member.turning_70").order_by(AuditEntry.id))
    assert [e.member_id for e in entries] == [insured.id, spouse.id]
    assert json.loads(entries[0].summary) == {"effective_from": "2025-12-01", "turns_70": True,
                                              "kinds": [NOTICE.value, CERT.value],
                                              "issue_requests": [requests[0].id, requests[1].id]}
    assert all(r.done for r in members_turning_70(DEC))  # shown as queued
    again = record_turning_70(ctx, DEC, [insured.id, spouse.id])
    assert (again.members, again.documents, again.skipped) == (0, 0, 2)
    assert IssueRequest.select().count() == 3
    # Issued by the batch meanwhile: still done, not queued again.
    IssueRequest.update(status=IssueRequestStatus.ISSUED).execute()
    assert record_turning_70(ctx, DEC, [insured.id]).documents == 0


def test_lost_members_are_not_listed_and_not_queued(ctx):
    emp = make_employer(ctx)
    gone = make_member(ctx, emp, birth_date=date(1955, 11, 15), lost_on=date(2025, 11, 30))
    leaving = make_member(ctx, emp, birth_date=date(1955, 11, 16), lost_on=date(2025, 12, 20))
    later = make_member(ctx, emp, birth_date=date(1955, 11, 17), lost_on=date(2026, 1, 10))
    assert set(_listed()) == {later.id}
    assert record_turning_70(ctx, DEC, [gone.id, leaving.id]).documents == 0
    assert IssueRequest.select().count() == 0


def test_a_failed_write_changes_nothing_for_that_member(ctx, monkeypatch):
    emp = make_employer(ctx)
    a = make_member(ctx, emp, birth_date=date(1955, 11, 15))
    make_document(ctx, a)

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(audit, "record", broken)
    with pytest.raises(RuntimeError):
        record_turning_70(ctx, DEC, [a.id])
    assert IssueRequest.select().count() == 0  # the requests went with the failed transaction
    monkeypatch.undo()
    assert record_turning_70(ctx, DEC, [a.id]).documents == 2


def test_an_unknown_member_is_refused_in_japanese(ctx):
    from clerk_tui.domain.errors import DomainError

    with pytest.raises(DomainError) as err:
        record_turning_70(ctx, DEC, [99999])
    assert "見つかりません" in err.value.message
    assert IssueRequest.select().count() == 0


# ------------------------------------------------------------------ the batch prints them


def test_the_batch_before_the_month_prints_the_new_ratio_with_its_date(pctx):  # noqa: F811
    """Run in November, before the insured person even reaches 70 (birthday 25 November): the
    batch prints what holds from 1 December, not what holds on the day it runs (asterisks for
    the insured person, 2割 for the spouse)."""
    from clerk_tui.db.models import Document, Member
    from clerk_tui.services.batch import batch_certificates
    from tests.test_batch import _flat
    from tests.test_printing import _member

    insured = _member(pctx, symbol="3701", number="1", birth_date=date(1955, 11, 25), remuneration=300_000)
    spouse = _member(pctx, symbol="3701", number="1", branch="01", insured=insured, birth_date=date(1953, 5, 5),
                     relationship=Relationship.SPOUSE, given_name="花子", given_name_kana="ハナコ")
    assert record_turning_70(pctx, DEC, [insured.id, spouse.id]).documents == 2
    report = batch_certificates(pctx, employer_code="E001")
    for person in (insured, spouse):
        doc = Document.get(Document.member == person.id, Document.kind == NOTICE)
        assert (doc.copay_ratio, doc.ratio_effective_from) == (3, DEC), Member.get_by_id(person.id).member_code
    text = "".join(_flat(path) for path in report.files)
    assert "3割（発効期日令和7年12月1日）" in text and "2割（発効期日令和7年12月1日）" not in text
    assert not IssueRequest.select().where(IssueRequest.status == IssueRequestStatus.PENDING).exists()


@pytest.mark.parametrize("birth, starts", [
    (date(1955, 1, 1), date(2025, 1, 1)),  # 70 attained on 31 December: the ratio from 1 January
    (date(1956, 2, 29), date(2026, 3, 1)),  # birthday 1 March in a common year, attained 28 February
    (date(1956, 3, 1), date(2026, 3, 1)),
    (date(1956, 3, 2), date(2026, 4, 1)),
    (date(1955, 12, 31), date(2026, 1, 1)),
])
def test_each_member_is_listed_in_the_one_month_their_ratio_starts(ctx, birth, starts):
    m = make_member(ctx, make_employer(ctx), birth_date=birth, acquired_on=date(1990, 4, 1))
    before = date(starts.year - (starts.month == 1), (starts.month - 2) % 12 + 1, 1)
    after = date(starts.year + (starts.month == 12), starts.month % 12 + 1, 1)
    assert [month for month in (before, starts, after) if m.id in _listed(month)] == [starts]


def test_a_counter_issue_before_the_month_does_the_queued_change_with_the_new_ratio(ctx):
    """The お知らせ queued for the wife may also be printed at the counter before December: it
    then shows 3割 from 1 December (and does the queued request), not today's 2割."""
    from clerk_tui.domain.codes import Route
    from clerk_tui.services.issuance import plan_issue

    insured, spouse = _family(ctx, insured_birth=date(1955, 11, 15))
    assert plan_issue(ctx, spouse.id, NOTICE, IssueReason.DETAILS_CHANGED, Route.COUNTER).copay.ratio == 2
    record_turning_70(ctx, DEC, [spouse.id])
    plan = plan_issue(ctx, spouse.id, NOTICE, IssueReason.DETAILS_CHANGED, Route.COUNTER)
    assert (plan.copay.ratio, plan.copay.effective_from) == (3, DEC)
    assert ("負担割合", "3割（発効期日 令和7年12月1日）") in plan.fields
