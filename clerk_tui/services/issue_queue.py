"""The 交付待ち queue: documents to issue via the employer after a register event (enrolment,
扶養追加, 氏名変更, a change of 負担割合). Register services queue inside their own write
transaction through `queue_issue`; the per-employer batch issues what is pending and links the
document to its request; screens read pending requests as plain rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from clerk_tui.db.models import Document, Employer, IssueRequest, Member
from clerk_tui.domain.codes import DocumentKind, IssueCause, IssueReason, IssueRequestStatus
from clerk_tui.services.context import Context, touch
from clerk_tui.services.rows import to_row


@dataclass(frozen=True)
class IssueRequestRow:
    id: int
    version: int
    member_id: int
    kind: DocumentKind
    reason: IssueReason
    cause: IssueCause
    queued_on: date
    ratio_effective_from: date | None
    status: IssueRequestStatus
    document_id: int | None
    replaces_id: int | None


_REASONS = {
    IssueCause.ENROLMENT: IssueReason.NEW,
    IssueCause.DEPENDENT_ADDED: IssueReason.NEW,
    IssueCause.NAME_CHANGE: IssueReason.DETAILS_CHANGED,
    IssueCause.RATIO_CHANGE: IssueReason.DETAILS_CHANGED,
}


def issue_reason(cause: IssueCause) -> IssueReason:
    """The reason printed on a document queued for this cause (new, or details changed)."""
    return _REASONS[cause]


def queue_issue(member: Member, kind: DocumentKind, cause: IssueCause, queued_on: date, *,
                ratio_effective_from: date | None = None, replaces: Document | None = None,
                reason: IssueReason | None = None) -> IssueRequest:
    """Queue one document for the member. Must run inside the calling service's write
    transaction (the caller writes the audit entry that names the request ids). A request of the
    same kind already pending for the member is superseded (cancelled): the member gets one
    document showing the latest register data, not one per event. `reason`: the 交付理由 when
    the cause's usual one is not the right word (70歳到達 for a ratio that starts at 70)."""
    (IssueRequest.update(status=IssueRequestStatus.CANCELLED, version=IssueRequest.version + 1)
     .where(IssueRequest.member == member, IssueRequest.kind == kind,
            IssueRequest.status == IssueRequestStatus.PENDING)
     .execute())
    return IssueRequest.create(member=member, kind=kind, reason=reason or _REASONS[cause], cause=cause,
                               queued_on=queued_on, ratio_effective_from=ratio_effective_from,
                               replaces=replaces)


def pending_request_ids(member_ids: list[int]) -> list[int]:
    """The ids of every request still pending for these members."""
    return [r.id for r in IssueRequest.select(IssueRequest.id)
            .where(IssueRequest.member.in_(member_ids), IssueRequest.status == IssueRequestStatus.PENDING)]


def cancel_requests(ctx: Context, request_ids: list[int]) -> None:
    """Take these requests off the queue (cancelled), inside the caller's write transaction; the
    caller's audit entry names them."""
    if request_ids:
        (IssueRequest.update(status=IssueRequestStatus.CANCELLED, version=IssueRequest.version + 1,
                             updated_at=ctx.clock.now(), updated_by=ctx.clerk)
         .where(IssueRequest.id.in_(request_ids)).execute())


def restore_requests(ctx: Context, request_ids: list[int], member_ids: list[int]) -> list[int]:
    """Put back on the queue the requests a loss cancelled, when that loss is cancelled as a
    mistake (inside the caller's write transaction; its audit entry names them). Only those still
    cancelled, of these members, and of a kind the member has nothing pending for now (a request
    queued since then is the latest). Returns the ids restored."""
    restored = []
    for request in (IssueRequest.select()
                    .where(IssueRequest.id.in_(request_ids), IssueRequest.member.in_(member_ids),
                           IssueRequest.status == IssueRequestStatus.CANCELLED)
                    .order_by(IssueRequest.id)):
        newer = IssueRequest.select().where(
            IssueRequest.member == request.member_id, IssueRequest.kind == request.kind,
            IssueRequest.status == IssueRequestStatus.PENDING).exists()
        if newer:
            continue
        request.status = IssueRequestStatus.PENDING
        touch(request, ctx)
        request.save()
        restored.append(request.id)
    return restored


def satisfy_pending(ctx: Context, member: Member, kind: DocumentKind, document: Document) -> int | None:
    """The member's pending request of this kind, done by `document` issued otherwise (at the
    counter): linked to it and marked issued, inside the issuing transaction. Its id, or None."""
    request = (IssueRequest.select()
               .where(IssueRequest.member == member, IssueRequest.kind == kind,
                      IssueRequest.status == IssueRequestStatus.PENDING)
               .order_by(IssueRequest.id.desc()).first())
    if request is None:
        return None
    request.status = IssueRequestStatus.ISSUED
    request.document = document
    touch(request, ctx)
    request.save()
    return request.id


def pending_ratio_date(member: Member, kind: DocumentKind, after: date) -> date | None:
    """The 発効期日 of the member's pending ratio change of this kind when it lies after `after`
    (the 70歳到達 run queues the new documents in the month before the ratio starts), else None."""
    return (IssueRequest.select(IssueRequest.ratio_effective_from)
            .where(IssueRequest.member == member, IssueRequest.kind == kind,
                   IssueRequest.status == IssueRequestStatus.PENDING, IssueRequest.cause == IssueCause.RATIO_CHANGE,
                   IssueRequest.ratio_effective_from > after)
            .order_by(IssueRequest.id.desc()).limit(1).scalar())


def pending_requests(member_id: int) -> list[IssueRequestRow]:
    """The member's documents waiting to be issued, oldest first."""
    query = (IssueRequest.select()
             .where(IssueRequest.member == member_id, IssueRequest.status == IssueRequestStatus.PENDING)
             .order_by(IssueRequest.queued_on, IssueRequest.id))
    return [to_row(IssueRequestRow, r) for r in query]


@dataclass(frozen=True)
class PendingIssueRow:
    """One line of the 交付待ち list: the request with its member and employer."""

    id: int
    member_id: int
    employer_code: str
    employer_name: str
    member_code: str
    full_name: str
    kind: DocumentKind
    cause: IssueCause
    queued_on: date


PENDING_LIST_LIMIT = 2000


def pending_list(ctx, *, limit: int = PENDING_LIST_LIMIT) -> list[PendingIssueRow]:
    """Every document waiting to be issued via the employer, by employer, then member (記号・番号・
    枝番), in the order queued: the 交付待ち list."""
    query = (IssueRequest.select(IssueRequest, Member, Employer)
             .join(Member).join(Employer)
             .where(IssueRequest.status == IssueRequestStatus.PENDING)
             .order_by(Employer.code, Member.symbol, Member.number.cast("INTEGER"), Member.branch,
                       IssueRequest.id)
             .limit(limit))
    return [PendingIssueRow(r.id, r.member.id, r.member.employer.code, r.member.employer.name,
                            r.member.member_code, r.member.full_name, r.kind, r.cause, r.queued_on)
            for r in query]
