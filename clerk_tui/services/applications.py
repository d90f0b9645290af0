"""利用登録解除申請 (R7) and 被保険者証滅失届 (R8): record them from the paper, withdraw an
application, record a lost document found again. One transaction and audit entry each."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from clerk_tui.db.models import Document, LossReport, Member, RegistrationCancellation
from clerk_tui.db.prepared import Prepared
from clerk_tui.db.standing import in_force
from clerk_tui.domain import kana, rules
from clerk_tui.domain.codes import (
    AuditKind,
    CancellationStatus,
    CardStatus,
    DocumentKind,
    DocumentStatus,
    LossCircumstance,
)
from clerk_tui.domain.errors import DomainError
from clerk_tui.domain.text import TextKind, clean_text
from clerk_tui.domain.wareki import format_wareki
from clerk_tui.services import audit
from clerk_tui.services.context import (
    Context,
    current_document,
    fetch_for_edit,
    get_member,
    mark_returned,
    touch,
)
from clerk_tui.services.rows import CancellationRow, LossReportRow, to_row, with_member

ACTIVE = (CancellationStatus.RECEIVED, CancellationStatus.AWAITING_CERTIFICATE)
LEGACY_KINDS = rules.LEGACY_KINDS


class DuplicateError(DomainError):
    """The same paper was already recorded; `existing_id` points at that record."""

    def __init__(self, message: str, existing_id: int) -> None:
        super().__init__(message)
        self.existing_id = existing_id


class MismatchError(DomainError):
    """What the applicant wrote differs from the register; the clerk resolves or accepts it."""

    def __init__(self, differences: list[str]) -> None:
        super().__init__("申請書の記載が登録内容と異なります: " + "、".join(differences)
                         + "。確認のうえ、相違を承知で受け付ける場合はその旨を選んでください。")
        self.differences = differences



def _check_received_on(member: Member, received_on: date, today: date, label: str = "受付日") -> None:
    if received_on > today:
        raise DomainError(f"{label}（{format_wareki(received_on)}）が未来の日付です。", field="received_on")
    if received_on < member.acquired_on:
        raise DomainError(f"{label}（{format_wareki(received_on)}）が資格取得日"
                          f"（{format_wareki(member.acquired_on)}）より前です。", field="received_on")
    if member.lost_on is not None and member.lost_on <= received_on:
        raise DomainError(f"この方は{format_wareki(member.lost_on)}に資格を喪失しています。", field="member")


def _text(value: str | None, label: str, max_len: int, *, required: bool = False,
          kind: TextKind = TextKind.FREE) -> str | None:
    return clean_text(value, label=label, max_len=max_len, kind=kind, required=required) or None


# The checks a write makes inside its transaction, compiled once (see db.prepared).
_VALID_LEGACY_CARD = Prepared(Document, lambda p: Document.select(Document.id).where(
    Document.member == p(Document.member), Document.kind.in_(LEGACY_KINDS),
    in_force(p(Document.valid_until))).limit(1))
_ACTIVE_CANCELLATION = Prepared(RegistrationCancellation, lambda p: RegistrationCancellation.select().where(
    RegistrationCancellation.member == p(RegistrationCancellation.member),
    RegistrationCancellation.status.in_(ACTIVE)).limit(1))
_CANCELLATIONS_IN = Prepared(RegistrationCancellation, lambda p: RegistrationCancellation.select().where(
    RegistrationCancellation.member == p(RegistrationCancellation.member),
    RegistrationCancellation.status == p(RegistrationCancellation.status),
    RegistrationCancellation.received_on <= p(RegistrationCancellation.received_on)))
_LEGACY_LOSS_REPORT = Prepared(LossReport, lambda p: LossReport.select(LossReport.id).where(
    LossReport.member == p(LossReport.member), LossReport.document_kind.in_(LEGACY_KINDS)).limit(1))
_SAME_LOSS_REPORT = Prepared(LossReport, lambda p: LossReport.select().where(
    LossReport.member == p(LossReport.member), LossReport.document_kind == p(LossReport.document_kind),
    LossReport.lost_on == p(LossReport.lost_on)).limit(1))
_CURRENT_CERTIFICATE = Prepared(Document, lambda p: Document.select(Document.id).where(
    Document.member == p(Document.member), Document.kind == DocumentKind.ELIGIBILITY_CERTIFICATE,
    in_force(p(Document.valid_until))).limit(1))


def _holds_current_certificate(member_id: int, today: date) -> bool:
    """R18: a member with a valid, not expired 資格確認書 is covered, not awaiting one."""
    return _CURRENT_CERTIFICATE.scalar(member_id, today) is not None


def _paper_complete_status(member_id: int, today: date) -> CancellationStatus:
    """Where an application stands once its papers are complete (R7): it waits for the 資格確認書
    the insurer sends without a further request, unless the member already holds a current one
    (e.g. issued while the card was lost, R3(c)): that one stays valid and nothing is awaited."""
    if _holds_current_certificate(member_id, today):
        return CancellationStatus.COMPLETED
    return CancellationStatus.AWAITING_CERTIFICATE


def _held_valid_legacy_card(member: Member, on: date) -> bool:
    """R7: whether the member held a legacy card still in force on `on` (R6, R18)."""
    return _VALID_LEGACY_CARD.scalar(member.id, on) is not None


@dataclass(frozen=True)
class CancellationInput:
    member_id: int
    applicant_name: str
    applicant_birth_date: date
    received_on: date
    applicant_address: str | None = None
    applicant_phone: str | None = None
    reason: str | None = None
    proxy_name: str | None = None
    proxy_relationship: str | None = None
    accept_mismatch: bool = False
    legacy_card_at_hand: bool | None = None  # asked only when a valid legacy card was held


def cancellation_needs_legacy_answer(member_id: int, received_on: date) -> bool:
    """Whether to ask "is the legacy card at hand?" (R7: applications before 2025-12-02)."""
    return _held_valid_legacy_card(get_member(member_id), received_on)


def record_cancellation(ctx: Context, data: CancellationInput) -> CancellationRow:
    today = ctx.clock.today()
    name = _text(data.applicant_name, "氏名", 60, required=True, kind=TextKind.NAME)
    address = _text(data.applicant_address, "住所", 200, kind=TextKind.ADDRESS)
    phone = _text(data.applicant_phone, "連絡先", 20, kind=TextKind.CODE)
    reason = _text(data.reason, "理由", 200)
    proxy_name = _text(data.proxy_name, "代理人氏名", 60, kind=TextKind.NAME)
    proxy_rel = _text(data.proxy_relationship, "代理人との関係", 30)
    if proxy_name and not proxy_rel:
        raise DomainError("代理人の申請では本人との関係を入力してください。", field="代理人との関係")

    def write() -> CancellationRow:
        member = get_member(data.member_id)
        _check_received_on(member, data.received_on, today)
        existing = _ACTIVE_CANCELLATION.first(member.id)
        if existing is not None:
            raise DuplicateError(
                f"この方の利用登録解除申請は{format_wareki(existing.received_on)}受付で既に記録されています"
                f"（{existing.status.label}）。", existing.id)
        refusal = rules.cancellation_refusal(member.card_status)
        if refusal is not None:
            raise DomainError(refusal, field="member")
        differences = []
        if kana.name_key(name) != kana.name_key(member.family_name + member.given_name):
            differences.append(f"氏名（登録: {member.full_name}）")
        if data.applicant_birth_date != member.birth_date:
            differences.append(f"生年月日（登録: {format_wareki(member.birth_date)}）")
        if differences and not data.accept_mismatch:
            raise MismatchError(differences)
        needs_legacy = _held_valid_legacy_card(member, data.received_on)
        if needs_legacy and data.legacy_card_at_hand is None:
            raise DomainError("有効な健康保険証をお持ちの方です。保険証が手元にあるか（滅失していないか）を選んでください。",
                              field="legacy_card_at_hand")
        waiting_for_loss = (needs_legacy and data.legacy_card_at_hand is False
                            and _LEGACY_LOSS_REPORT.scalar(member.id) is None)
        app = RegistrationCancellation.create(
            member=member, received_on=data.received_on,
            effective_on=rules.cancellation_effective_on(data.received_on),
            applicant_name=name, applicant_birth_date=data.applicant_birth_date,
            applicant_address=address, applicant_phone=phone, reason=reason,
            proxy_name=proxy_name, proxy_relationship=proxy_rel,
            mismatch_accepted=bool(differences), legacy_card_at_hand=data.legacy_card_at_hand if needs_legacy else None,
            status=CancellationStatus.RECEIVED if waiting_for_loss else _paper_complete_status(member.id, today),
            # An applicant holds a registration (see rules.cancellation_refusal): one the register
            # already shows as cancelled was made again since, so a withdrawal restores "usable".
            previous_card_status=(CardStatus.USABLE if member.card_status is CardStatus.REGISTRATION_CANCELLED
                                  else member.card_status), updated_at=ctx.clock.now(), updated_by=ctx.clerk)
        member.card_status = CardStatus.REGISTRATION_CANCELLED
        touch(member, ctx)
        member.save()
        audit.record(ctx, AuditKind.WRITE, "cancellation.record", table="registration_cancellation",
                     record_id=app.id, member_id=member.id,
                     summary={"received_on": data.received_on, "effective_on": app.effective_on,
                              "status": app.status.value, "proxy": bool(proxy_name),
                              "mismatch_accepted": bool(differences)})
        return with_member(CancellationRow, app, member)

    return ctx.write(write)


def withdraw_cancellation(ctx: Context, cancellation_id: int, *, expected_version: int | None) -> CancellationRow:
    """取下げ before the effective date: the member's card situation goes back to what it was."""
    today = ctx.clock.today()

    def write() -> CancellationRow:
        app = fetch_for_edit(RegistrationCancellation, cancellation_id, expected_version,
                             f"申請が見つかりません（ID {cancellation_id}）。")
        if app.status not in ACTIVE and app.status is not CancellationStatus.COMPLETED:
            raise DomainError(f"この申請は{app.status.label}のため取り下げできません。")
        if today >= app.effective_on:
            raise DomainError(f"解除日（{format_wareki(app.effective_on)}）を過ぎているため取り下げできません。"
                              "再登録はマイナポータル等でご本人が行います。")
        app.status = CancellationStatus.WITHDRAWN
        app.withdrawn_on = today
        touch(app, ctx)
        app.save()
        member = get_member(app.member_id)
        if member.card_status is CardStatus.REGISTRATION_CANCELLED:
            member.card_status = app.previous_card_status
            touch(member, ctx)
            member.save()
        audit.record(ctx, AuditKind.WRITE, "cancellation.withdraw", table="registration_cancellation",
                     record_id=app.id, member_id=member.id,
                     summary={"restored_card_status": app.previous_card_status.value})
        return with_member(CancellationRow, app, member)

    return ctx.write(write)


def complete_cancellations_for(ctx: Context, member: Member, document: Document) -> None:
    """Called inside the issuing transaction: a 資格確認書 issued after receipt completes the
    member's awaiting application (R3(d))."""
    for app in list(_CANCELLATIONS_IN.rows(member.id, CancellationStatus.AWAITING_CERTIFICATE,
                                           document.issued_on)):
        app.status = CancellationStatus.COMPLETED
        touch(app, ctx)
        app.save()
        audit.record(ctx, AuditKind.WRITE, "cancellation.complete", table="registration_cancellation",
                     record_id=app.id, member_id=member.id, summary={"document": document.id})


def list_cancellations(*, status: CancellationStatus | None = None, month: date | None = None) -> list[CancellationRow]:
    q = RegistrationCancellation.select(RegistrationCancellation, Member).join(Member)
    if status is not None:
        q = q.where(RegistrationCancellation.status == status)
    if month is not None:
        start = month.replace(day=1)
        q = q.where(RegistrationCancellation.received_on >= start,
                    RegistrationCancellation.received_on <= rules.last_day_of_month(start))
    return [with_member(CancellationRow, c)
            for c in q.order_by(RegistrationCancellation.received_on.desc(), RegistrationCancellation.id.desc())]


@dataclass(frozen=True)
class LossReportInput:
    member_id: int
    document_kind: DocumentKind
    lost_on: date
    received_on: date
    circumstance: LossCircumstance
    police_report_ref: str | None = None
    reissue_requested: bool = False
    document_id: int | None = None


def record_loss_report(ctx: Context, data: LossReportInput) -> LossReportRow:
    today = ctx.clock.today()
    kind, circumstance = DocumentKind(data.document_kind), LossCircumstance(data.circumstance)
    police = _text(data.police_report_ref, "警察への届出（受理番号など）", 60)
    if circumstance is LossCircumstance.STOLEN and not police:
        raise DomainError("盗難の場合は警察への届出（受理番号・警察署名）を入力してください。", field="police_report_ref")
    if data.lost_on > data.received_on:
        raise DomainError("滅失日が受付日より後です。", field="lost_on")

    def write() -> LossReportRow:
        member = get_member(data.member_id)
        _check_received_on(member, data.received_on, today)
        existing = _SAME_LOSS_REPORT.first(member.id, kind, data.lost_on)
        if existing is not None:
            raise DuplicateError(f"同じ{kind.label}の滅失届（滅失日 {format_wareki(data.lost_on)}）は"
                                 f"{format_wareki(existing.received_on)}に受付済みです。", existing.id)
        if data.document_id is not None:
            doc = Document.fetch(data.document_id)
            if doc is None or doc.member_id != member.id:
                raise DomainError("指定の書類はこの方のものではありません。", field="document")
        else:
            doc = current_document(member.id, kind)
        report = LossReport.create(
            member=member, document=doc, document_kind=kind, received_on=data.received_on,
            lost_on=data.lost_on, circumstance=circumstance, police_report_ref=police,
            reissue_requested=data.reissue_requested, updated_at=ctx.clock.now(), updated_by=ctx.clerk)
        if doc is not None and doc.status is DocumentStatus.VALID:
            doc.status = DocumentStatus.LOST
            doc.status_changed_on = data.received_on
            touch(doc, ctx)
            doc.save()
        if kind in LEGACY_KINDS:
            # R7: an application waiting for this 滅失届 is now complete on paper.
            for app in list(_CANCELLATIONS_IN.rows(member.id, CancellationStatus.RECEIVED, date.max)):
                app.status = _paper_complete_status(member.id, today)
                touch(app, ctx)
                app.save()
        audit.record(ctx, AuditKind.WRITE, "loss_report.record", table="loss_report", record_id=report.id,
                     member_id=member.id,
                     summary={"kind": kind.value, "document": doc.id if doc else None,
                              "circumstance": circumstance.value, "reissue": data.reissue_requested})
        return to_row(LossReportRow, report)

    return ctx.write(write)


def record_found(ctx: Context, loss_report_id: int, *, found_on: date, returned: bool,
                 expected_version: int | None) -> LossReportRow:
    """A lost document turned up; when handed back it is 返却済 (R9: it must still come back)."""
    today = ctx.clock.today()

    def write() -> LossReportRow:
        report = fetch_for_edit(LossReport, loss_report_id, expected_version,
                                f"滅失届が見つかりません（ID {loss_report_id}）。")
        if found_on > today or found_on < report.lost_on:
            raise DomainError("発見日は滅失日から今日までの日付で入力してください。", field="found_on")
        report.found_on = found_on
        touch(report, ctx)
        report.save()
        doc = Document.fetch(report.document_id) if report.document_id is not None else None
        if returned and doc is not None:
            mark_returned(ctx, doc, found_on)
        audit.record(ctx, AuditKind.WRITE, "loss_report.found", table="loss_report", record_id=report.id,
                     member_id=report.member_id, summary={"returned": returned,
                                                          "document": doc.id if doc else None})
        return to_row(LossReportRow, report)

    return ctx.write(write)
