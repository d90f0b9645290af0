"""Letters from the records: 受付控, 滅失届, 督促状, 不足書類のお知らせ and the 送付一覧, each written
atomically into the output folder and audited as a print (ids only)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from clerk_tui.db.models import (
    CollectionItem,
    Document,
    Employer,
    Insurer,
    LossReport,
    Member,
    RegistrationCancellation,
    ReimbursementClaim,
)
from clerk_tui.domain import rules
from clerk_tui.domain.codes import AuditKind, CancellationStatus, ClaimStatus, LossCircumstance
from clerk_tui.domain.errors import DomainError
from clerk_tui.domain.person import CancellationApplicant
from clerk_tui.domain.wareki import format_wareki
from clerk_tui.services import audit, reimbursement, withdrawal
from clerk_tui.services.context import Context
from clerk_tui.services.printing import deliver, insurer_info

__all__ = [
    "LetterResult",
    "forward_and_print",
    "print_cancellation_receipt",
    "print_loss_report",
    "print_missing_papers_letter",
    "print_reminder",
    "print_transmittal",
]


@dataclass(frozen=True)
class LetterResult:
    path: Path
    message: str  # what the clerk is told
    print_message: str | None = None  # the print command's outcome, when one is configured
    record_ids: tuple[int, ...] = ()  # the records printed (collection items, claims)


# The numbers printed on the letters (受付番号, 文書番号): the record's id, so a clerk can find
# the record from the paper; also the last part of the file name.
def cancellation_reference(app_id: int) -> str:
    return f"K{app_id:06d}"


def loss_report_reference(report_id: int) -> str:
    return f"M{report_id:06d}"


def claim_reference(claim_id: int) -> str:
    return f"R{claim_id:06d}"


def reminder_reference(employer: Employer, on: date) -> str:
    return f"D{on:%Y%m%d}-{employer.code}"


def transmittal_reference(claim_ids: list[int], on: date) -> str:
    # A claim is forwarded once, so its smallest id names the list; a reprint gets the same number.
    return f"S{on:%Y%m%d}-{min(claim_ids)}"


def _filename(on: date, kind: str, code: str, reference: str) -> str:
    from clerk_tui.forms.output import safe_filename

    return safe_filename(on, kind, code, reference)


def _make_file(ctx: Context, render: Callable[[Any], bytes], data, kind: str, code: str) -> tuple[Path, str | None]:
    """Render the letter and write it (and hand it to the print command): the file is named by
    the date, the kind, the member's or employer's code and the letter's reference."""
    return deliver(ctx, render(data), _filename(data.issued_on, kind, code, data.reference), None)


def _insured(member: Member) -> Member:
    return member if member.is_insured else member.insured


def _audit_print(ctx: Context, action: str, *, table: str, record_id: int | None, member_id: int | None,
                 summary: dict) -> None:
    ctx.write(lambda: audit.record(ctx, AuditKind.PRINT, action, table=table, record_id=record_id,
                                   member_id=member_id, summary=summary))


def _benefits_section() -> tuple[str, str]:
    insurer = Insurer.select().first()
    if insurer is None:
        raise DomainError("保険者情報が登録されていません（fixtures の [insurer] で設定してください）。")
    return insurer.benefits_section_name, insurer.benefits_phone


# ---------------------------------------------------------------------------------------------
# 1. 利用登録解除申請 受付控


def cancellation_receipt_data(ctx: Context, app: RegistrationCancellation):
    from clerk_tui.forms.letters_data import CancellationReceiptData

    m: Member = app.member
    return CancellationReceiptData(
        insurer=insurer_info(ctx), reference=cancellation_reference(app.id), issued_on=ctx.clock.today(),
        symbol=m.symbol, number=m.number, branch=m.branch, **CancellationApplicant.values_of(app),
        received_on=app.received_on, effective_on=app.effective_on,
        status_label=app.status.label, legacy_card_at_hand=app.legacy_card_at_hand,
        # record_cancellation leaves an application at 受付 only while its 滅失届 is missing (R7, R8).
        needs_loss_report=app.status is CancellationStatus.RECEIVED,
        certificate_in_hand=app.status is CancellationStatus.COMPLETED,
        withdrawn_on=app.withdrawn_on if app.status is CancellationStatus.WITHDRAWN else None)


def print_cancellation_receipt(ctx: Context, cancellation_id: int) -> LetterResult:
    """The 受付控 of a 利用登録解除申請, as recorded now (a reprint shows the current status)."""
    from clerk_tui.forms.letters.cancellation_receipt import render_cancellation_receipt

    return _print_record_letter(
        ctx, RegistrationCancellation, cancellation_id, f"利用登録解除申請が見つかりません（ID {cancellation_id}）。",
        cancellation_receipt_data, render_cancellation_receipt, "利用登録解除申請受付控",
        "cancellation.print_receipt", "利用登録解除申請の受付控を出力しました")


def _print_record_letter(ctx: Context, model, record_id: int, missing: str, build: Callable[[Context, Any], Any],
                         render: Callable[[Any], bytes], kind: str, action: str, done: str) -> LetterResult:
    """Print the letter of one recorded application or report of a member: render it from the
    record as it is now, write the file and record the print in the audit trail."""
    record = model.get_or_none(model.id == record_id)
    if record is None:
        raise DomainError(missing)
    path, printed = _make_file(ctx, render, build(ctx, record), kind, record.member.member_code)
    _audit_print(ctx, action, table=model._meta.table_name, record_id=record.id, member_id=record.member_id,
                 summary={"file": path.name})
    return LetterResult(path, f"{done}: {path.name}", printed, (record.id,))


# ---------------------------------------------------------------------------------------------
# 2. 被保険者証滅失届


def loss_report_data(ctx: Context, report: LossReport):
    from clerk_tui.forms.letters_data import LossReportData

    m: Member = report.member
    insured = _insured(m)
    doc: Document | None = report.document
    # A dependent's own address is often not registered: the family's is the insured person's.
    has_own = bool(m.address)
    return LossReportData(
        insurer=insurer_info(ctx), reference=loss_report_reference(report.id), issued_on=ctx.clock.today(),
        symbol=m.symbol, number=m.number, branch=m.branch, name=m.full_name, name_kana=m.full_name_kana,
        birth_date=m.birth_date, sex_label=m.sex.label, is_dependent=not m.is_insured,
        insured_name=None if m.is_insured else insured.full_name,
        postal_code=m.postal_code if has_own else insured.postal_code,
        address=m.address if has_own else insured.address, phone=m.phone or insured.phone,
        employer_name=m.employer.name, document_label=report.document_kind.label,
        document_serial=doc.serial if doc else None, document_issued_on=doc.issued_on if doc else None,
        lost_on=report.lost_on, circumstance_label=report.circumstance.label,
        circumstance_choices=tuple(c.label for c in LossCircumstance), police_report_ref=report.police_report_ref,
        reissue_requested=report.reissue_requested, received_on=report.received_on)


def print_loss_report(ctx: Context, loss_report_id: int) -> LetterResult:
    """The 滅失届 filled in from the record, for the insured person to sign (R8)."""
    from clerk_tui.forms.letters.loss_report import render_loss_report

    return _print_record_letter(
        ctx, LossReport, loss_report_id, f"滅失届が見つかりません（ID {loss_report_id}）。", loss_report_data,
        render_loss_report, "被保険者証滅失届", "loss_report.print", "被保険者証滅失届を出力しました（署名欄は空欄です）")


# ---------------------------------------------------------------------------------------------
# 3. 督促状


def reminder_data(ctx: Context, employer: Employer):
    """The letter's data and the ids of the items it lists (their 前回督促日 as recorded before)."""
    from clerk_tui.forms.letters_data import ReminderData, ReminderRow

    today = ctx.clock.today()
    found = withdrawal.outstanding(today, employer_id=employer.id)
    if not found:
        raise DomainError(f"{employer.code} {employer.name} に未回収の書類はありません。")
    found.sort(key=lambda r: (r.item.lost_on, r.member.symbol, r.member.number, r.member.branch, r.item.id))
    rows = tuple(ReminderRow(code=r.member.member_code, name=r.member.full_name,
                             document_label=r.document_label,
                             serial=r.document.serial, lost_on=r.item.lost_on, days=r.days,
                             last_reminded_on=r.item.reminder_sent_on, name_change=r.name_change) for r in found)
    data = ReminderData(insurer=insurer_info(ctx), employer_code=employer.code, employer_name=employer.name,
                        employer_postal_code=employer.postal_code, employer_address=employer.address,
                        employer_contact=employer.contact_person, issued_on=today,
                        reference=reminder_reference(employer, today), rows=rows)
    return data, [r.item.id for r in found]


def print_reminder(ctx: Context, employer_id: int) -> LetterResult:
    """The 督促状 for one employer; records today as the reminder date of exactly the items it
    lists, in one transaction with its audit entry, after the file is written."""
    from clerk_tui.forms.letters.reminder import render_reminder

    employer = Employer.get_or_none(Employer.id == employer_id)
    if employer is None:
        raise DomainError(f"事業所が見つかりません（ID {employer_id}）。", field="employer")
    data, ids = reminder_data(ctx, employer)
    path, printed = _make_file(ctx, render_reminder, data, "督促状", employer.code)

    # Not withdrawal.mark_reminder_sent: it marks whatever is outstanding at that moment, which
    # may differ from the letter (an item recorded or returned meanwhile), and writes an audit
    # entry of its own. Here the date goes on the items printed, once, with one entry.
    def write() -> None:
        (CollectionItem.update(reminder_sent_on=data.issued_on, version=CollectionItem.version + 1,
                               updated_at=ctx.clock.now(), updated_by=ctx.clerk)
         .where(CollectionItem.id.in_(ids)).execute())
        audit.record(ctx, AuditKind.PRINT, "collection.reminder", table="employer", record_id=employer.id,
                     summary={"items": ids, "file": path.name})

    ctx.write(write)
    return LetterResult(path, f"督促状を出力しました（{len(ids)}件、督促日 {format_wareki(data.issued_on)} を記録）:"
                              f" {path.name}", printed, tuple(ids))


# ---------------------------------------------------------------------------------------------
# 4. 立替払 不足書類のお知らせ


def missing_papers_data(ctx: Context, claim: ReimbursementClaim):
    from clerk_tui.forms.letters_data import MissingPapersData

    m: Member = claim.member
    insured = _insured(m)
    section, phone = _benefits_section()
    return MissingPapersData(
        insurer=insurer_info(ctx), reference=claim_reference(claim.id), issued_on=ctx.clock.today(),
        addressee_name=insured.full_name, addressee_postal_code=insured.postal_code,
        addressee_address=insured.address, symbol=m.symbol, number=m.number, branch=m.branch,
        patient_name=m.full_name, institution_name=claim.institution_name, is_pharmacy=claim.is_pharmacy,
        treatment_month=claim.treatment_month, paid_on=claim.paid_on, amount_paid=claim.amount_paid,
        received_on=claim.received_on, receipt_received=claim.receipt_received,
        medical_statement_received=claim.medical_statement_received,
        claim_form_received=claim.claim_form_received, deadline=rules.claim_deadline(claim.paid_on),
        benefits_section_name=section, benefits_phone=phone)


def print_missing_papers_letter(ctx: Context, claim_id: int) -> LetterResult:
    """The letter to the insured person naming the papers still missing from a claim (R12)."""
    from clerk_tui.forms.letters.missing_papers import render_missing_papers

    claim = ReimbursementClaim.get_or_none(ReimbursementClaim.id == claim_id)
    if claim is None:
        raise DomainError(f"立替払の請求が見つかりません（ID {claim_id}）。")
    if claim.status is ClaimStatus.FORWARDED:
        raise DomainError("この請求は給付グループへ回付済みです。")
    missing = reimbursement.missing_papers(claim)
    if not missing:
        raise DomainError("この請求の書類はそろっています。不足書類のお知らせは不要です。")
    data = missing_papers_data(ctx, claim)
    path, printed = _make_file(ctx, render_missing_papers, data, "立替払不足書類", claim.member.member_code)
    keys = [k for k in reimbursement.PAPERS if not getattr(claim, k)]
    _audit_print(ctx, "claim.print_missing_papers", table="reimbursement_claim", record_id=claim.id,
                 member_id=claim.member_id, summary={"missing": keys, "file": path.name})
    return LetterResult(path, f"不足書類のお知らせを出力しました（不足: {'、'.join(missing)}）: {path.name}",
                        printed, (claim.id,))


# ---------------------------------------------------------------------------------------------
# 5. 送付一覧 for the 給付グループ


def _claims(claim_ids: list[int]) -> list[ReimbursementClaim]:
    ids = list(dict.fromkeys(claim_ids))
    if not ids:
        raise DomainError("回付する請求を選んでください。")
    claims = list(ReimbursementClaim.select(ReimbursementClaim, Member).join(Member)
                  .where(ReimbursementClaim.id.in_(ids)))
    unknown = sorted(set(ids) - {c.id for c in claims})
    if unknown:
        raise DomainError("見つからない請求があります: " + "、".join(claim_reference(i) for i in unknown))
    # The order the 給付グループ files them in: by member, then month.
    claims.sort(key=lambda c: (c.member.symbol, c.member.number, c.member.branch, c.treatment_month, c.id))
    return claims


def transmittal_data(ctx: Context, claims: list[ReimbursementClaim], forwarded_on: date):
    from clerk_tui.forms.letters_data import TransmittalData, TransmittalRow

    section, _ = _benefits_section()
    rows = tuple(TransmittalRow(reference=claim_reference(c.id), code=c.member.member_code, name=c.member.full_name,
                                institution_name=c.institution_name, is_pharmacy=c.is_pharmacy,
                                treatment_month=c.treatment_month, amount_paid=c.amount_paid,
                                estimated_refund=c.estimated_refund) for c in claims)
    return TransmittalData(insurer=insurer_info(ctx), benefits_section_name=section, forwarded_on=forwarded_on,
                           reference=transmittal_reference([c.id for c in claims], forwarded_on), rows=rows)


def _write_transmittal(ctx: Context, data, pdf: bytes, claim_ids: list[int]) -> tuple[Path, str | None]:
    path, printed = deliver(ctx, pdf, _filename(data.forwarded_on, "立替払送付一覧", f"{len(claim_ids)}件",
                                                 data.reference), None)
    _audit_print(ctx, "claim.print_transmittal", table="reimbursement_claim", record_id=None, member_id=None,
                 summary={"claims": claim_ids, "file": path.name})
    return path, printed


def forward_and_print(ctx: Context, claim_ids: list[int]) -> LetterResult:
    """Mark the complete claims 回付済 today (reimbursement.forward_claims) and print their 送付一覧.

    The list is rendered once before forwarding, so a claim that cannot be printed (a character
    no font has) stops the hand-over before anything is marked; after forwarding it is rendered
    again from the forwarded records if they changed in between."""
    from clerk_tui.forms.letters.transmittal import render_transmittal

    claims = _claims(claim_ids)
    not_ready = [c for c in claims if c.status is not ClaimStatus.COMPLETE]
    if not_ready:
        raise DomainError("書類が揃っていない、または回付済みの請求が含まれています: "
                          + "、".join(f"{claim_reference(c.id)}（{c.status.label}）" for c in not_ready))
    today = ctx.clock.today()
    data = transmittal_data(ctx, claims, today)
    pdf = render_transmittal(data)
    forwarded = reimbursement.forward_claims(ctx, [c.id for c in claims])
    claims = _claims([c.id for c in forwarded])
    after = transmittal_data(ctx, claims, claims[0].forwarded_on)
    if after != data:
        data, pdf = after, render_transmittal(after)
    ids = [c.id for c in claims]
    path, printed = _write_transmittal(ctx, data, pdf, ids)
    return LetterResult(path, f"{len(ids)}件を給付グループへ回付済にし、送付一覧を出力しました: {path.name}",
                        printed, tuple(ids))


def print_transmittal(ctx: Context, claim_ids: list[int]) -> LetterResult:
    """Reprint the 送付一覧 of claims already forwarded together (same 回付日)."""
    from clerk_tui.forms.letters.transmittal import render_transmittal

    claims = _claims(claim_ids)
    if any(c.status is not ClaimStatus.FORWARDED for c in claims):
        raise DomainError("回付済みでない請求が含まれています。回付は「回付して送付一覧を出力」で行ってください。")
    days = {c.forwarded_on for c in claims}
    if len(days) != 1:
        raise DomainError("回付日の異なる請求が含まれています。送付一覧は回付日ごとに出力してください。")
    data = transmittal_data(ctx, claims, days.pop())
    ids = [c.id for c in claims]
    path, printed = _write_transmittal(ctx, data, render_transmittal(data), ids)
    return LetterResult(path, f"送付一覧（{len(ids)}件）を再出力しました: {path.name}", printed, tuple(ids))
