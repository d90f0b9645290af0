"""The monthly 70歳到達 run (R5, R19): the people whose printed 負担割合 changes on the 1st of a
month because someone turns 70, and the new お知らせ / 資格確認書 queued for them (交付待ち) before
that month, one transaction and one audit entry per member.

Two kinds of people are listed for a month M (発効期日 = the 1st of M):
- members whose own 70–74 ratio starts on that day (`rules.seventy_ratio_starts_on`; a 70th
  birthday on the 1st of M included);
- 70–74 dependents of an insured person turning 70 whose ratio moves on that day (2割 → 3割
  when the insured person is at 28万円 or more without an approved 基準収入額適用).
The ratios come from the one R5 rule (`services.issuance.copay_for`); nothing here decides a
ratio itself. Running a month twice queues nothing twice: a request of the kind with the same
発効期日, pending or already issued, counts as done."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from clerk_tui.db.models import Document, Employer, IssueRequest, Member
from clerk_tui.db.standing import in_force
from clerk_tui.domain import rules
from clerk_tui.domain.codes import AuditKind, DocumentKind, IssueCause, IssueReason, IssueRequestStatus
from clerk_tui.domain.errors import DomainError
from clerk_tui.services import audit
from clerk_tui.services.context import Context, get_member, insured_of
from clerk_tui.services.issuance import copay_for
from clerk_tui.services.issue_queue import queue_issue
from clerk_tui.services.rows import MemberRow, member_row

ACTION = "member.turning_70"
_KINDS = (DocumentKind.ELIGIBILITY_NOTICE, DocumentKind.ELIGIBILITY_CERTIFICATE)


@dataclass(frozen=True)
class TurningSeventyRow:
    """One person of the month's list."""

    member: MemberRow
    employer_name: str
    effective_from: date  # the 発効期日 printed on the new documents
    turns_70: bool  # False: a 70–74 dependent whose ratio follows the insured person turning 70
    old_ratio: int  # 割 paid until the 発効期日
    new_ratio: int | None  # None: cannot be decided (標準報酬月額 not registered): nothing is queued
    reason: str  # the rule's reason for the new ratio, or why it cannot be decided
    kinds: tuple[DocumentKind, ...]  # the documents the person needs (お知らせ, and 資格確認書 if held)
    queued: tuple[DocumentKind, ...] = ()  # of `kinds`: already queued or issued for this 発効期日

    @property
    def to_queue(self) -> tuple[DocumentKind, ...]:
        """What recording the person would queue now."""
        if self.new_ratio is None:
            return ()
        return tuple(k for k in self.kinds if k not in self.queued)

    @property
    def done(self) -> bool:
        return self.new_ratio is not None and not self.to_queue


@dataclass(frozen=True)
class TurningSeventyResult:
    """What a run recorded: members with documents queued, the documents, and the people chosen
    but left out (ratio undecidable, already queued, or no longer on the list)."""

    members: int
    documents: int
    skipped: int
    request_ids: tuple[int, ...] = ()


def effective_day(month: date) -> date:
    """The 発効期日 of a month's run: its 1st (a 70th birthday on the 1st is that day too)."""
    return month.replace(day=1)


def _covered_through(month_end: date):
    """Members not lost by the end of the month (a loss in or before it: not listed)."""
    return Member.lost_on.is_null() | (Member.lost_on > month_end)


def _copay_or_none(member: Member, on: date) -> rules.Copay | None:
    try:
        return copay_for(member, on)
    except DomainError:
        return None


def _holds_certificate(member: Member, on: date) -> bool:
    return (Document.select().where(Document.member == member.id,
                                    Document.kind == DocumentKind.ELIGIBILITY_CERTIFICATE, in_force(on))
            .exists())


def _already(member: Member, effective: date) -> tuple[DocumentKind, ...]:
    kinds = {r.kind for r in IssueRequest.select(IssueRequest.kind).where(
        IssueRequest.member == member.id, IssueRequest.ratio_effective_from == effective,
        IssueRequest.status.in_([IssueRequestStatus.PENDING, IssueRequestStatus.ISSUED]))}
    return tuple(k for k in _KINDS if k in kinds)


def _turns_70_on(member: Member, effective: date) -> bool:
    return rules.seventy_ratio_starts_on(member.birth_date) == effective and member.acquired_on <= effective


def _row(member: Member, effective: date, employer_name: str) -> TurningSeventyRow | None:
    """The member's line for the run of `effective`'s month, or None when their printed ratio
    does not change on that day because of turning 70 (their own or the insured person's)."""
    if member.acquired_on > effective or rules.loss_on_reaching_75(member.birth_date) <= effective:
        return None
    before_day = effective - rules.ONE_DAY
    before = _copay_or_none(member, before_day) if member.birth_date <= before_day else None
    turns = _turns_70_on(member, effective)
    if not turns:
        if member.is_insured or not _turns_70_on(insured_of(member), effective):
            return None
        if before is None or not before.printed:
            return None  # under 70 (or turning 70 later): nothing printed moves
    after_reason = None
    try:
        after = copay_for(member, effective)
    except DomainError as exc:
        after, after_reason = None, exc.message
    if turns:
        old = rules.ratio_in_force(before, before_day) if before is not None else 3
    else:
        old = before.ratio
        if after is not None and (not after.printed or after.ratio == old):
            return None
    kinds = (DocumentKind.ELIGIBILITY_NOTICE,) + (
        (DocumentKind.ELIGIBILITY_CERTIFICATE,) if _holds_certificate(member, effective) else ())
    if after is None:
        reason = f"負担割合を判定できません（{after_reason}）"
    else:
        reason = after.reason
    return TurningSeventyRow(member_row(member, employer_name=employer_name), employer_name, effective, turns, old,
                             after.ratio if after is not None else None, reason, kinds,
                             _already(member, effective))


def _turning_70(effective: date, month_end: date) -> list[Member]:
    # The 70–74 ratio starts on the 1st of the month after 70 is attained (the day before the
    # birthday): births from the 1st of the month before, 70 years back, to the 1st of the month.
    hi = date(effective.year - 70, effective.month, 1)
    lo = (hi - rules.ONE_DAY).replace(day=1)
    query = (Member.select(Member, Employer).join(Employer)
             .where(_covered_through(month_end), Member.birth_date.between(lo, hi))
             .order_by(Member.birth_date, Member.symbol, Member.number, Member.branch))
    return [m for m in query if _turns_70_on(m, effective)]


def members_turning_70(month: date) -> list[TurningSeventyRow]:
    """The month's list: members turning 70, then under each insured person the 70–74 dependents
    whose ratio follows them. Lost members (資格喪失 by the end of the month) are not listed."""
    effective = effective_day(month)
    month_end = rules.last_day_of_month(effective)
    rows: list[TurningSeventyRow] = []
    seen: set[int] = set()
    for member in _turning_70(effective, month_end):
        if member.id in seen:
            continue
        row = _row(member, effective, member.employer.name)
        if row is None:
            continue
        rows.append(row)
        seen.add(member.id)
        if not member.is_insured:
            continue
        deps = (Member.select().where(Member.insured == member.id, _covered_through(month_end))
                .order_by(Member.branch))
        for dep in deps:
            if dep.id in seen:
                continue
            dep.insured = member
            dep_row = _row(dep, effective, member.employer.name)
            if dep_row is not None:
                rows.append(dep_row)
                seen.add(dep.id)
    return rows


def record_turning_70(ctx: Context, month: date, member_ids: list[int]) -> TurningSeventyResult:
    """Queue the new お知らせ (and 資格確認書 for a holder) with the month's 発効期日 for each chosen
    person, each in its own transaction with its audit entry. The person's line is worked out
    again inside the transaction: someone no longer listed, whose ratio cannot be decided, or
    whose documents are already queued is skipped (counted), never queued twice."""
    effective = effective_day(month)
    month_end = rules.last_day_of_month(effective)
    today = ctx.clock.today()
    members = documents = skipped = 0
    request_ids: list[int] = []
    for member_id in member_ids:

        def write(member_id: int = member_id) -> list[int]:
            member = get_member(member_id)
            if member.lost_on is not None and member.lost_on <= month_end:
                return []
            row = _row(member, effective, "")
            if row is None or not row.to_queue:
                return []
            # 交付理由 70歳到達 for the person turning 70; a dependent's ratio moving with the insured
            # person's is a 記載事項変更, as after a change of 標準報酬月額.
            reason = IssueReason.AGE_70 if row.turns_70 else None
            ids = [queue_issue(member, kind, IssueCause.RATIO_CHANGE, today, ratio_effective_from=effective,
                               reason=reason).id
                   for kind in row.to_queue]
            audit.record(ctx, AuditKind.WRITE, ACTION, table="member", record_id=member.id, member_id=member.id,
                         summary={"effective_from": effective, "turns_70": row.turns_70,
                                  "kinds": [k.value for k in row.to_queue], "issue_requests": ids})
            return ids

        ids = ctx.write(write)
        if ids:
            members += 1
            documents += len(ids)
            request_ids += ids
        else:
            skipped += 1
    return TurningSeventyResult(members, documents, skipped, tuple(request_ids))
