"""立替払 (療養費) intake (R12): one claim per patient × month × institution, the three papers,
the likely cause, the estimated refund and the deadline; hand-over to the 給付グループ."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from clerk_tui.db.models import Member, ReimbursementClaim
from clerk_tui.domain import kana, rules
from clerk_tui.domain.codes import AuditKind, ClaimStatus
from clerk_tui.domain.errors import DomainError
from clerk_tui.domain.text import TextKind, clean_text
from clerk_tui.domain.money import parse_yen
from clerk_tui.domain.wareki import format_wareki, format_wareki_month
from clerk_tui.services import audit
from clerk_tui.services.applications import DuplicateError
from clerk_tui.services.context import Context, check_version, get_member, touch
from clerk_tui.services.issuance import copay_for
from clerk_tui.services.rows import ClaimRow, MemberRow, member_row, with_member

DEADLINE_WARNING_DAYS = 60
NEW_MEMBER_DAYS = 90  # treatment this soon after joining: the online check likely showed the old insurer
PAPERS = {"receipt_received": "領収書（原本）", "medical_statement_received": "レセプト（診療報酬明細書）",
          "claim_form_received": "立替払 請求書"}


@dataclass(frozen=True)
class ClaimInput:
    member_id: int
    institution_name: str
    treatment_month: date
    paid_on: date
    amount_paid: int | str
    is_pharmacy: bool = False
    fee_schedule_cost: int | str | None = None
    receipt_received: bool = False
    medical_statement_received: bool = False
    claim_form_received: bool = False
    received_on: date | None = None
    late_reason: str | None = None


@dataclass(frozen=True)
class ClaimAssessment:
    """What the intake screen shows before saving, and what is stored."""

    copay_ratio: int
    estimated_refund: int  # rules.insurer_share of counted_cost (R12)
    counted_cost: int  # the cost counted: the fee-schedule cost, never more than was paid
    deadline: date
    days_left: int
    cause: str
    missing: list[str]
    warnings: list[str] = field(default_factory=list)


def _missing(flags: dict[str, bool]) -> list[str]:
    return [label for key, label in PAPERS.items() if not flags.get(key)]


def likely_cause(member: Member, treatment_day: date) -> str:
    if member.mynumber_received_on is None:
        return "組合がマイナンバーを受け付けていない（R11: オンライン資格確認ができない）"
    if member.mynumber_received_on > treatment_day or rules.mynumber_usable_from(member.mynumber_received_on) > treatment_day:
        return (f"受診時はマイナンバーの届出（{format_wareki(member.mynumber_received_on)}受付）が"
                "反映される前だった（R11）")
    if (treatment_day - member.acquired_on).days <= NEW_MEMBER_DAYS:
        return (f"加入直後（資格取得 {format_wareki(member.acquired_on)}）で、前の保険者の情報が表示された可能性")
    return "不明（窓口で確認）"


def assess(ctx: Context, data: ClaimInput) -> tuple[MemberRow, ClaimAssessment, int, int | None]:
    """Validate and compute; raises DomainError with the field for bad input. Writes nothing.
    Returns the patient, the assessment, the amount paid and the fee-schedule cost as parsed."""
    member, assessment, amount, cost = _assess(ctx, data)
    return member_row(member), assessment, amount, cost


def _assess(ctx: Context, data: ClaimInput) -> tuple[Member, ClaimAssessment, int, int | None]:
    today = ctx.clock.today()
    member = get_member(data.member_id)
    amount = parse_yen(data.amount_paid, label="支払額（10割）")
    cost = None
    if data.fee_schedule_cost not in (None, ""):
        cost = parse_yen(data.fee_schedule_cost, label="診療報酬額")
    month = data.treatment_month.replace(day=1)
    month_end = rules.last_day_of_month(month)
    if month > today:
        raise DomainError("診療月が未来です。", field="treatment_month")
    if data.paid_on < month:
        raise DomainError(f"支払日（{format_wareki(data.paid_on)}）が診療月（{format_wareki_month(month)}）より前です。",
                          field="paid_on")
    if data.paid_on > today:
        raise DomainError("支払日が未来の日付です。", field="paid_on")
    if member.acquired_on > month_end or (member.lost_on is not None and member.lost_on <= month):
        period = f"{format_wareki(member.acquired_on)}〜" + (format_wareki(member.lost_on) + "喪失" if member.lost_on else "")
        raise DomainError(f"診療月（{format_wareki_month(month)}）は当組合の資格期間（{period}）外です。"
                          "他の保険者への請求になります。受付できません。", field="treatment_month")
    # The ratio is constant within a month (R5 changes take effect on a 1st); within the
    # qualification period the first qualified day of the month stands for the whole month.
    treatment_day = max(month, member.acquired_on)
    ratio = rules.ratio_in_force(copay_for(member, treatment_day), treatment_day)
    refund = rules.insurer_share(amount, ratio, cost)
    deadline = rules.claim_deadline(data.paid_on)
    days_left = rules.claim_days_left(data.paid_on, today)
    flags = {k: getattr(data, k) for k in PAPERS}
    warnings = []
    if days_left < 0:
        warnings.append(f"請求期限（{format_wareki(deadline)}）を過ぎています。受け付けるには理由の記録が必要です。")
    elif days_left <= DEADLINE_WARNING_DAYS:
        warnings.append(f"請求期限は{format_wareki(deadline)}です（あと{days_left}日）。")
    return member, ClaimAssessment(ratio, refund, rules.counted_cost(amount, cost), deadline, days_left,
                                   likely_cause(member, treatment_day), _missing(flags), warnings), amount, cost


def record_claim(ctx: Context, data: ClaimInput) -> ClaimRow:
    institution = clean_text(data.institution_name, label="医療機関名", max_len=100,
                             field="institution_name", kind=TextKind.NAME, required=True)
    late_reason = clean_text(data.late_reason, label="期限後の受付理由", max_len=200,
                             field="late_reason") or None
    member, assessment, amount, cost = _assess(ctx, data)
    if assessment.days_left < 0 and not late_reason:
        raise DomainError(f"請求期限（{format_wareki(assessment.deadline)}）を過ぎています。"
                          "受け付ける理由を入力してください。", field="late_reason")
    month = data.treatment_month.replace(day=1)
    key = kana.name_key(institution)

    def write() -> ClaimRow:
        existing = ReimbursementClaim.get_or_none(ReimbursementClaim.member == member,
                                                  ReimbursementClaim.treatment_month == month,
                                                  ReimbursementClaim.institution_key == key)
        if existing is not None:
            raise DuplicateError(f"同じ方・同じ診療月（{format_wareki_month(month)}）・同じ医療機関の請求は"
                                 f"{format_wareki(existing.received_on)}に受付済みです。", existing.id)
        claim = ReimbursementClaim.create(
            member=member, institution_name=institution, institution_key=key, is_pharmacy=data.is_pharmacy,
            treatment_month=month, paid_on=data.paid_on, amount_paid=amount, fee_schedule_cost=cost,
            copay_ratio=assessment.copay_ratio, estimated_refund=assessment.estimated_refund,
            receipt_received=data.receipt_received, medical_statement_received=data.medical_statement_received,
            claim_form_received=data.claim_form_received, cause=assessment.cause, late_reason=late_reason,
            received_on=data.received_on or ctx.clock.today(),
            status=ClaimStatus.INCOMPLETE if assessment.missing else ClaimStatus.COMPLETE,
            updated_at=ctx.clock.now(), updated_by=ctx.clerk)
        audit.record(ctx, AuditKind.WRITE, "claim.record", table="reimbursement_claim", record_id=claim.id,
                     member_id=member.id, summary={"month": month, "amount": amount,
                                                   "refund": assessment.estimated_refund,
                                                   "status": claim.status.value})
        return with_member(ClaimRow, claim, member)

    return ctx.write(write)


def get_claim(claim_id: int) -> ClaimRow:
    """One claim naming its member, or the clerk-facing error."""
    return with_member(ClaimRow, _claim(claim_id))


def _claim(claim_id: int) -> ReimbursementClaim:
    claim = (ReimbursementClaim.select(ReimbursementClaim, Member).join(Member)
             .where(ReimbursementClaim.id == claim_id).first())
    if claim is None:
        raise DomainError(f"請求が見つかりません（ID {claim_id}）。")
    return claim


def update_papers(ctx: Context, claim_id: int, *, expected_version: int | None, **flags: bool) -> ClaimRow:
    unknown = set(flags) - set(PAPERS)
    if unknown:
        raise DomainError("不明な書類です。")

    def write() -> ClaimRow:
        claim = _claim(claim_id)
        check_version(claim, expected_version)
        if claim.status is ClaimStatus.FORWARDED:
            raise DomainError("回付済みの請求は変更できません。")
        for key, value in flags.items():
            setattr(claim, key, bool(value))
        claim.status = ClaimStatus.INCOMPLETE if missing_papers(claim) else ClaimStatus.COMPLETE
        _refresh_estimate(ctx, claim)
        touch(claim, ctx)
        claim.save()
        audit.record(ctx, AuditKind.WRITE, "claim.papers", table="reimbursement_claim", record_id=claim.id,
                     member_id=claim.member_id, summary={"status": claim.status.value, **flags})
        return with_member(ClaimRow, claim)

    return ctx.write(write)


def missing_papers(claim: ReimbursementClaim | ClaimRow) -> list[str]:
    return _missing({k: getattr(claim, k) for k in PAPERS})


def _refresh_estimate(ctx: Context, claim: ReimbursementClaim) -> None:
    """Recompute the ratio and refund from the member's data as they are now (a corrected birth
    date or remuneration changes them); a change is audited, and saved with the claim."""
    treatment_day = max(claim.treatment_month, claim.member.acquired_on)
    ratio = rules.ratio_in_force(copay_for(claim.member, treatment_day), treatment_day)
    refund = rules.insurer_share(claim.amount_paid, ratio, claim.fee_schedule_cost)
    if (ratio, refund) == (claim.copay_ratio, claim.estimated_refund):
        return
    claim.copay_ratio, claim.estimated_refund = ratio, refund
    audit.record(ctx, AuditKind.WRITE, "claim.recompute", table="reimbursement_claim", record_id=claim.id,
                 member_id=claim.member_id, summary={"ratio": ratio, "refund": refund})


def forward_claims(ctx: Context, claim_ids: list[int]) -> list[ClaimRow]:
    """Hand complete claims over to the 給付グループ (marked 回付済 today)."""
    today = ctx.clock.today()

    def write() -> list[ClaimRow]:
        claims = list(ReimbursementClaim.select(ReimbursementClaim, Member).join(Member)
                      .where(ReimbursementClaim.id.in_(claim_ids)))
        not_ready = [c.id for c in claims if c.status is not ClaimStatus.COMPLETE]
        if not_ready or len(claims) != len(set(claim_ids)):
            raise DomainError("書類が揃っていない、または回付済みの請求が含まれています。")
        for c in claims:
            _refresh_estimate(ctx, c)  # the 給付グループ gets the figures of today's data
            c.status, c.forwarded_on = ClaimStatus.FORWARDED, today
            touch(c, ctx)
            c.save()
        audit.record(ctx, AuditKind.WRITE, "claim.forward", table="reimbursement_claim",
                     summary={"claims": [c.id for c in claims]})
        return [with_member(ClaimRow, c) for c in claims]

    return ctx.write(write)


def list_claims(*, status: ClaimStatus | None = None, month: date | None = None) -> list[ClaimRow]:
    q = ReimbursementClaim.select(ReimbursementClaim, Member).join(Member)
    if status is not None:
        q = q.where(ReimbursementClaim.status == status)
    if month is not None:
        q = q.where(ReimbursementClaim.treatment_month == month.replace(day=1))
    return [with_member(ClaimRow, c) for c in q.order_by(ReimbursementClaim.received_on.desc(),
                                                         ReimbursementClaim.id.desc())]
