"""The 交付待ち queue shared by the register services and the per-employer batch."""

from datetime import date

from clerk_tui.db.models import IssueRequest
from clerk_tui.domain.codes import DocumentKind, IssueCause, IssueReason, IssueRequestStatus
from clerk_tui.services.issue_queue import pending_requests, queue_issue
from tests.factories import make_document, make_employer, make_member


def test_a_queued_document_is_pending_with_its_reason(ctx):
    m = make_member(ctx, make_employer(ctx))
    req = ctx.write(lambda: queue_issue(m, DocumentKind.ELIGIBILITY_NOTICE, IssueCause.ENROLMENT, date(2026, 12, 5)))
    rows = pending_requests(m.id)
    assert [r.id for r in rows] == [req.id]
    assert rows[0].reason is IssueReason.NEW and rows[0].status is IssueRequestStatus.PENDING
    assert rows[0].member_id == m.id and rows[0].document_id is None


def test_a_later_event_supersedes_the_pending_request_of_the_same_kind(ctx):
    m = make_member(ctx, make_employer(ctx))
    old_cert = make_document(ctx, m)
    first = ctx.write(lambda: queue_issue(m, DocumentKind.ELIGIBILITY_NOTICE, IssueCause.ENROLMENT, date(2026, 12, 1)))
    cert = ctx.write(lambda: queue_issue(m, DocumentKind.ELIGIBILITY_CERTIFICATE, IssueCause.ENROLMENT,
                                         date(2026, 12, 1)))
    second = ctx.write(lambda: queue_issue(m, DocumentKind.ELIGIBILITY_NOTICE, IssueCause.NAME_CHANGE,
                                           date(2026, 12, 5), replaces=old_cert))
    assert [r.id for r in pending_requests(m.id)] == [cert.id, second.id]
    assert IssueRequest.get_by_id(first.id).status is IssueRequestStatus.CANCELLED
    assert pending_requests(m.id)[1].reason is IssueReason.DETAILS_CHANGED
    assert pending_requests(m.id)[1].replaces_id == old_cert.id


def test_the_pending_list_is_by_employer_then_member(ctx):
    from clerk_tui.services.issue_queue import pending_list

    a, b = make_employer(ctx, code="E00002"), make_employer(ctx, code="E00001")
    m1 = make_member(ctx, a, symbol="1", number="10")
    m2 = make_member(ctx, b, symbol="2", number="9")
    m3 = make_member(ctx, b, symbol="2", number="10")
    for m in (m1, m2, m3):
        ctx.write(lambda m=m: queue_issue(m, DocumentKind.ELIGIBILITY_NOTICE, IssueCause.ENROLMENT, date(2026, 12, 5)))
    done = ctx.write(lambda: queue_issue(m3, DocumentKind.ELIGIBILITY_CERTIFICATE, IssueCause.ENROLMENT,
                                         date(2026, 12, 5)))
    ctx.write(lambda: IssueRequest.update(status=IssueRequestStatus.ISSUED).where(IssueRequest.id == done.id).execute())
    rows = pending_list(ctx)
    assert [(r.employer_code, r.member_code) for r in rows] == [("E00001", "2-9-00"), ("E00001", "2-10-00"),
                                                               ("E00002", "1-10-00")]
    assert rows[0].kind is DocumentKind.ELIGIBILITY_NOTICE and rows[0].member_id == m2.id


def test_a_document_handed_over_at_the_counter_takes_the_waiting_request_off_the_queue(ctx):
    from clerk_tui.db.models import AuditEntry
    from clerk_tui.domain.codes import Route
    from clerk_tui.services.issuance import issue_document, plan_issue

    m = make_member(ctx, make_employer(ctx))
    notice = ctx.write(lambda: queue_issue(m, DocumentKind.ELIGIBILITY_NOTICE, IssueCause.ENROLMENT, date(2025, 11, 1)))
    cert = ctx.write(lambda: queue_issue(m, DocumentKind.ELIGIBILITY_CERTIFICATE, IssueCause.ENROLMENT,
                                         date(2025, 11, 1)))
    plan = plan_issue(ctx, m.id, DocumentKind.ELIGIBILITY_CERTIFICATE, IssueReason.NEW, Route.COUNTER)
    issued = issue_document(ctx, plan)
    assert [r.id for r in pending_requests(m.id)] == [notice.id]  # the お知らせ still waits
    done = IssueRequest.get_by_id(cert.id)
    assert done.status is IssueRequestStatus.ISSUED and done.document_id == issued.document.id
    assert '"issue_request": %d' % cert.id in AuditEntry.select().order_by(AuditEntry.id.desc()).first().summary
