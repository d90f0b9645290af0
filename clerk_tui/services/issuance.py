"""Issuing and reissuing 資格情報のお知らせ and 資格確認書 (R1–R5, R14): plan what will be printed,
then issue in one transaction that supersedes the previous document and audits issue and print."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

import peewee

from clerk_tui.db.models import Document, Insurer, LossReport, Member, Setting
from clerk_tui.db.prepared import Prepared
from clerk_tui.db.settings import is_training
from clerk_tui.domain import rules
from clerk_tui.domain.codes import AuditKind, DocumentKind, DocumentStatus, IssueReason, Route
from clerk_tui.domain.errors import DomainError
from clerk_tui.domain.facility_code import make_code, new_nonce, parse_code
from clerk_tui.domain.terminal import terminal_safe
from clerk_tui.domain.text import clean_text
from clerk_tui.domain.wareki import format_wareki
from clerk_tui.forms.data import printed_fields
from clerk_tui.services import audit
from clerk_tui.services.applications import complete_cancellations_for
from clerk_tui.services.issue_queue import pending_ratio_date, satisfy_pending
from clerk_tui.services.context import (
    ConflictError,
    Context,
    check_version,
    current_document,
    get_member,
    insured_of,
    touch,
)
from clerk_tui.services.rows import DocumentRow, document_row

ISSUABLE = (DocumentKind.ELIGIBILITY_NOTICE, DocumentKind.ELIGIBILITY_CERTIFICATE)
SERIAL_PREFIX = {DocumentKind.ELIGIBILITY_NOTICE: "N", DocumentKind.ELIGIBILITY_CERTIFICATE: "C"}
REASON_MAX = 200


def copay_for(member: Member, on: date) -> rules.Copay:
    """R5 for this member on a date, with the insured person's data for a dependent."""
    insured = insured_of(member)
    return rules.copay_ratio(
        member.birth_date, on, is_insured=member.is_insured,
        remuneration=member.standard_monthly_remuneration,
        insured_birth_date=None if member.is_insured else insured.birth_date,
        insured_remuneration=insured.standard_monthly_remuneration,
        income_reduction=member.income_reduction,
        insured_income_reduction=insured.income_reduction,
        acquired_on=member.acquired_on,
    )


def _copay_to_print(member: Member, kind: DocumentKind, today: date) -> rules.Copay:
    """The ratio a document issued today prints. When it is the document of a ratio change still
    ahead (交付待ち, e.g. queued by the 70歳到達 run in the month before), the ratio of its 発効期日:
    before that day the rule would give the old one (a dependent's 2割 until the insured person's
    70–74 month, asterisks until the 70th birthday's eve). Only people of 69 and over can have one."""
    copay = copay_for(member, today)
    if rules.age_on(member.birth_date, today) < 69:
        return copay
    ahead = pending_ratio_date(member, kind, today)
    if ahead is None:
        return copay
    try:
        return copay_for(member, ahead)
    except DomainError:  # 75 reached by then, or data missing: what is true today
        return copay


def mailing_address(member: Member) -> tuple[str, str] | None:
    """(postal code, address) a copy sent to the person goes to: the member's own, else, for a
    dependent whose own is not registered, the insured person's (the family's); None if neither."""
    for person in (member, insured_of(member)):
        if (person.postal_code or "").strip() and (person.address or "").strip():
            return person.postal_code.strip(), person.address.strip()
    return None


def insurer_info(ctx: Context):
    """The insurer as the forms print it (forms.data.InsurerInfo)."""
    from clerk_tui.forms.data import InsurerInfo

    insurer = Insurer.select().first()
    if insurer is None:
        raise DomainError("保険者情報が登録されていません（fixtures の [insurer] で設定してください）。")
    return InsurerInfo(number=insurer.insurer_number, name=insurer.name, postal_code=insurer.postal_code,
                       address=insurer.address, section_name=insurer.enrolment_section_name,
                       phone=insurer.enrolment_phone, fax=insurer.enrolment_fax)


UNSET = "（未設定）"


def _unset_insurer():
    from clerk_tui.forms.data import InsurerInfo

    return InsurerInfo(number="0" * 8, name=UNSET, postal_code="", address="", section_name="", phone="")


# What the preview shows where the document's own serial and facility code will be printed.
DRAFT_SERIAL = "（交付時に採番）"
DRAFT_FACILITY_CODE = "（交付時に発行）"


def document_data(ctx: Context, m: Member, kind: DocumentKind, *, route: Route | None, issued_on: date,
                  valid_until: date | None, capped_at_75: bool, copay_text: str,
                  ratio_effective_from: date | None, serial: str, facility_code: str | None, insurer=None):
    """The one builder of what a お知らせ or 資格確認書 prints (forms.data NoticeData /
    CertificateData): the plan's preview reads it before issuing, the PDF renderer after."""
    from clerk_tui.forms.data import CertificateData, MailingAddress, NoticeData

    insurer = insurer or insurer_info(ctx)
    insured = insured_of(m)
    mail_to = None
    if route is Route.TO_MEMBER:
        found = mailing_address(m)
        if found is None:
            raise DomainError(f"{serial} は本人送付ですが、{m.member_code} の郵便番号・住所が登録されていません。"
                              "住所を登録してから印刷してください。", field="address")
        mail_to = MailingAddress(postal_code=found[0], address=found[1], name=m.full_name)
    common = dict(insurer=insurer, symbol=m.symbol, number=m.number, branch=m.branch, name=m.full_name,
                  birth_date=m.birth_date, sex_label=m.sex.label, issued_on=issued_on,
                  acquired_on=m.acquired_on, copay_text=copay_text, ratio_effective_from=ratio_effective_from,
                  is_dependent=not m.is_insured, insured_name=None if m.is_insured else insured.full_name,
                  serial=serial, via_employer=route in (None, Route.VIA_EMPLOYER), mail_to=mail_to,
                  name_kana=m.full_name_kana, employer_name=m.employer.name)
    if kind is DocumentKind.ELIGIBILITY_NOTICE:
        return NoticeData(**common, mynaportal_url=ctx.config.mynaportal_url, facility_code=facility_code)
    if kind is DocumentKind.ELIGIBILITY_CERTIFICATE:
        return CertificateData(**common, valid_until=valid_until, capped_at_75=capped_at_75)
    raise DomainError(f"{kind.label}の様式はありません。")


_LAST_DOCUMENT_ID = Prepared(Document, lambda p: Document.select(peewee.fn.MAX(Document.id)))


def open_loss_report(member_id: int, kind: DocumentKind) -> LossReport | None:
    """The most recent 滅失届 for this kind of document not yet used by a reissue (R8: one
    report, one reissue)."""
    return (LossReport.select()
            .where(LossReport.member == member_id, LossReport.document_kind == kind,
                   LossReport.reissue.is_null())
            .order_by(LossReport.received_on.desc(), LossReport.id.desc()).first())


def _used_loss_report(member_id: int, kind: DocumentKind) -> LossReport | None:
    """The most recent 滅失届 already used by a reissue, to tell the clerk why it does not count."""
    return (LossReport.select()
            .where(LossReport.member == member_id, LossReport.document_kind == kind,
                   LossReport.reissue.is_null(False))
            .order_by(LossReport.received_on.desc(), LossReport.id.desc()).first())


def _reissue_serial(report: LossReport) -> str:
    doc = Document.fetch(report.reissue_id)
    return doc.serial if doc is not None else str(report.reissue_id)


def needs_loss_report(kind: DocumentKind, reason: IssueReason) -> bool:
    """R8: a lost 資格確認書 is reissued on a 滅失届. The お知らせ is never collected (the
    member destroys it; R1 lets the member print it again), so its reissue needs none."""
    return reason is IssueReason.LOST and kind is DocumentKind.ELIGIBILITY_CERTIFICATE


@dataclass(frozen=True)
class IssuePlan:
    """What issuing would print and why, shown to the clerk before confirming."""

    member_id: int
    member_version: int
    kind: DocumentKind
    reason: IssueReason
    route: Route
    issued_on: date
    valid_until: date | None
    capped_at_75: bool
    copay: rules.Copay
    eligibility: rules.Eligibility
    previous_id: int | None
    needs_override: bool
    loss_report_id: int | None
    needs_loss_report_reason: bool
    fields: list[tuple[str, str]] = field(default_factory=list)  # printed_fields(data), with kind and route
    notes: list[str] = field(default_factory=list)
    data: Any = None  # forms.data NoticeData / CertificateData: what the PDF will print (draft serial and code)
    # (member, current document) as the plan read them: issue_document(..., same_transaction=True)
    # uses them instead of reading both again when the plan was made in its own transaction.
    read: Any = field(default=None, repr=False, compare=False)



def plan_issue(ctx: Context, member_id: int, kind: DocumentKind, reason: IssueReason,
               route: Route, *, preview: bool = True) -> IssuePlan:
    """Check the rules and compute the printed fields; writes nothing. `preview=False` (the
    employer's batch, which shows no plan to a clerk): the same checks and the same plan, without
    the fields, notes and form data only the confirmation screen reads."""
    kind, reason, route = DocumentKind(kind), IssueReason(reason), Route(route)
    if kind not in ISSUABLE:
        raise DomainError(f"{kind.label}はこの画面では交付できません。", field="kind")
    today = ctx.clock.today()
    member = get_member(member_id)
    if not member.qualified_on(today):
        if member.lost_on is not None and member.lost_on <= today:
            raise DomainError(
                f"{format_wareki(member.lost_on)}に資格を喪失しているため交付できません。", field="member")
        raise DomainError(
            f"資格取得日（{format_wareki(member.acquired_on)}）より前のため交付できません。", field="member")
    if route is Route.TO_MEMBER and mailing_address(member) is None:
        raise DomainError("本人送付には郵便番号と住所の登録が必要です。住所を登録するか、"
                          "事業所経由または窓口手交を選んでください。", field="route")
    copay = _copay_to_print(member, kind, today)
    valid_until, capped = None, False
    if kind is DocumentKind.ELIGIBILITY_CERTIFICATE:
        expiry = rules.certificate_valid_until(today, member.birth_date)
        valid_until, capped = expiry.valid_until, expiry.capped_at_75
    eligibility = rules.certificate_eligibility(member.card_status, member.needs_assistance)
    needs_override = kind is DocumentKind.ELIGIBILITY_CERTIFICATE and not eligibility.eligible
    previous = current_document(member.id, kind, on=today)
    wants_report = needs_loss_report(kind, reason)
    loss = open_loss_report(member.id, kind) if wants_report else None
    plan = IssuePlan(
        member_id=member.id, member_version=member.version, kind=kind, reason=reason, route=route,
        issued_on=today, valid_until=valid_until, capped_at_75=capped, copay=copay,
        eligibility=eligibility, previous_id=previous.id if previous else None,
        needs_override=needs_override, loss_report_id=loss.id if loss else None,
        needs_loss_report_reason=wants_report and loss is None,
    )
    if not preview:
        return replace(plan, read=(member, previous))
    used = _used_loss_report(member.id, kind) if wants_report and loss is None else None
    # Without an insurer on record the plan still shows the member (the PDF is refused later).
    insurer = insurer_info(ctx) if Insurer.select().exists() else _unset_insurer()
    data = document_data(
        ctx, member, kind, route=route, issued_on=today, valid_until=valid_until, capped_at_75=capped,
        copay_text=rules.ratio_masked(copay, kind),
        ratio_effective_from=copay.effective_from if copay.printed else None, serial=DRAFT_SERIAL,
        facility_code=DRAFT_FACILITY_CODE, insurer=insurer)
    fields = [("書類", kind.label), *printed_fields(data), ("交付方法", route.label)]
    if insurer.name == UNSET:
        fields = [(label, UNSET if label == "保険者番号" else value) for label, value in fields]

    notes = []
    if capped:
        notes.append("有効期限は75歳の誕生日の前日です（75歳から後期高齢者医療制度の被保険者になるため）。")
    if kind is DocumentKind.ELIGIBILITY_CERTIFICATE:
        notes.append(("交付対象: " if eligibility.eligible else "交付対象外: ") + eligibility.reason)
    if previous is not None:
        notes.append(f"現在有効な{kind.label}（{previous.serial}、{format_wareki(previous.issued_on)}交付）は差替になります。")
    elif (ended := current_document(member.id, kind)) is not None:
        # R18/R19: one that has run out is not replaced: the member destroys it.
        standing = rules.document_standing(ended.kind, ended.status, ended.valid_until, member.lost_on, today)
        notes.append(f"前回の{kind.label}（{ended.serial}）は{standing.label}のため差替にしません（本人が破棄）。")
    if wants_report and loss is not None:
        notes.append(f"滅失届: {format_wareki(loss.received_on)}受付（この再交付で使用済みになります）")
    elif wants_report and used is not None:
        notes.append(f"{format_wareki(used.received_on)}受付の滅失届は再交付（{_reissue_serial(used)}）で使用済みです。"
                     "1通の滅失届で再交付できるのは1回です。新しい滅失届を受け付けるか、理由を記録してください。")
    elif wants_report:
        notes.append("紛失による再交付ですが滅失届がありません。滅失届を先に受け付けるか、理由を記録してください。")
    return replace(plan, fields=fields, notes=notes, data=data)


def _clean_reason(text: str | None, label: str) -> str | None:
    if text is None:
        return None
    return clean_text(text, label=label, max_len=REASON_MAX) or None


def facility_secret(ctx: Context) -> bytes:
    """The insurer's signing secret: the configured file, else (training databases only) one kept
    with the data (created on first use) so that a training or demo database works out of the
    box. A production database never uses a secret stored in itself: anyone holding a copy of
    the file could sign codes."""
    path = ctx.config.facility_secret_file
    if path is not None:
        from clerk_tui.filecheck import read_secret_file

        return read_secret_file(Path(path))  # owner, permissions and length checked
    if not is_training():
        raise DomainError(
            "施設確認コードの鍵ファイルが設定されていません（設定項目 facility_secret_file）。"
            "本番用のデータベースでは、鍵ファイルなしにお知らせの交付や施設確認コードの照合はできません"
            "（何も変更していません）。管理者に鍵ファイルの設定を依頼してください。",
            field="facility_secret_file")
    row = Setting.get_or_none(Setting.key == "facility_secret")
    if row is None:
        ctx.write(lambda: Setting.insert(key="facility_secret", value=secrets.token_hex(32))
                  .on_conflict_ignore().execute())
        row = Setting.get(Setting.key == "facility_secret")
    return row.value.encode("ascii")


def _next_serial(kind: DocumentKind, today: date) -> str:
    # Inside the IMMEDIATE transaction this process is the only writer, so max(id)+1 is safe.
    next_id = (_LAST_DOCUMENT_ID.scalar() or 0) + 1
    return f"{SERIAL_PREFIX[kind]}{today:%Y}-{next_id:07d}"


@dataclass(frozen=True)
class Issued:
    document: DocumentRow
    superseded_id: int | None
    facility_code: str | None


def issue_document(ctx: Context, plan: IssuePlan, *, override_reason: str | None = None,
                   no_loss_report_reason: str | None = None, reason_note: str | None = None,
                   batch_key: str | None = None, same_transaction: bool = False) -> Issued:
    """Issue the planned document in one transaction. Refused, with nothing written, when the
    member or the current document changed since the plan (another clerk acted), when the R3
    override or the missing-滅失届 reason is needed and not given. `same_transaction`: the caller
    made the plan (preview=False) inside the write transaction this issue joins, so nothing can
    have changed since: the member and current document the plan read are used as they are
    (the employer's batch, one read of each per document instead of two)."""
    override_reason = _clean_reason(override_reason, "交付理由（対象外の交付）")
    no_loss_report_reason = _clean_reason(no_loss_report_reason, "滅失届がない理由")
    reason_note = _clean_reason(reason_note, "備考")
    if plan.needs_override and not override_reason:
        raise DomainError(
            "マイナ保険証を利用できる方への資格確認書の交付には、交付する理由の入力が必要です。",
            field="override_reason")
    if plan.needs_loss_report_reason and not no_loss_report_reason:
        raise DomainError("滅失届がない理由を入力してください（または先に滅失届を受け付けてください）。",
                          field="no_loss_report_reason")
    secret = facility_secret(ctx) if plan.kind is DocumentKind.ELIGIBILITY_NOTICE else None
    reuse = same_transaction and plan.read is not None
    if reuse and not ctx.db.in_transaction():
        raise RuntimeError("same_transaction: the plan must be made in the caller's open write transaction")

    def write() -> Issued:
        if reuse:
            member, previous = plan.read
        else:
            member = get_member(plan.member_id)
            previous = current_document(member.id, plan.kind, on=plan.issued_on)
        check_version(member, plan.member_version)
        if (previous.id if previous else None) != plan.previous_id:
            raise ConflictError(
                f"この方の{plan.kind.label}は、確認画面を開いた後に別の職員が交付しました"
                f"（{terminal_safe(previous.serial) if previous else '取消'}）。内容を確認し直してください。")
        report = LossReport.fetch(plan.loss_report_id) if plan.loss_report_id is not None else None
        if report is not None and report.reissue_id is not None:
            raise ConflictError(
                f"{format_wareki(report.received_on)}受付の滅失届は、確認画面を開いた後に別の再交付"
                f"（{_reissue_serial(report)}）で使用されました。1通の滅失届で再交付できるのは1回です。"
                "内容を確認し直してください。")
        nonce = new_nonce() if secret is not None else None
        note = "; ".join(t for t in (reason_note, no_loss_report_reason and f"滅失届なし: {no_loss_report_reason}") if t)
        doc = Document.create(
            member=member, kind=plan.kind, serial=_next_serial(plan.kind, plan.issued_on),
            issued_on=plan.issued_on, valid_until=plan.valid_until, route=plan.route,
            reason=plan.reason, reason_note=note or None, status=DocumentStatus.VALID,
            status_changed_on=plan.issued_on,
            copay_ratio=plan.copay.ratio if plan.copay.printed else None,
            ratio_effective_from=plan.copay.effective_from if plan.copay.printed else None,
            supersedes=previous, override_reason=override_reason if plan.needs_override else None,
            facility_code_nonce=nonce, batch_key=batch_key, updated_at=ctx.clock.now(),
            updated_by=ctx.clerk,
        )
        if report is not None:
            report.reissue = doc  # R8: this 滅失届 is used up
            touch(report, ctx)
            report.save()
        if plan.kind is DocumentKind.ELIGIBILITY_CERTIFICATE:
            complete_cancellations_for(ctx, member, doc)
        # Handed over at the counter: the same kind waiting in the 交付待ち queue is done by this
        # document (the employer's batch links its own requests itself).
        satisfied = satisfy_pending(ctx, member, plan.kind, doc) if batch_key is None else None
        if previous is not None:
            previous.status = DocumentStatus.SUPERSEDED
            previous.status_changed_on = plan.issued_on
            touch(previous, ctx)
            previous.save()
        audit.record(ctx, AuditKind.WRITE, "document.issue", table="document", record_id=doc.id,
                     member_id=member.id,
                     summary={"kind": plan.kind.value, "reason": plan.reason.value,
                              "route": plan.route.value, "supersedes": plan.previous_id,
                              "override": bool(doc.override_reason),
                              "loss_report": plan.loss_report_id, "batch": batch_key,
                              **({"issue_request": satisfied} if satisfied else {})})
        code = make_code(nonce, secret) if nonce else None
        return Issued(document=document_row(doc, today=plan.issued_on, lost_on=member.lost_on),
                      superseded_id=plan.previous_id, facility_code=code)

    # In the caller's transaction the caller's savepoint already makes the issue all or nothing.
    return write() if reuse else ctx.write(write)


@dataclass(frozen=True)
class CodeCheck:
    status: str  # "valid", "not_qualified", "superseded", "unknown", "forged"
    text: str
    member_id: int | None = None


def verify_facility_code(ctx: Context, text: str) -> CodeCheck:
    """What a facility's clerk learns from a scanned code (R14): nothing beyond the member's name
    and whether they are still qualified today."""
    parsed = parse_code(text, facility_secret(ctx))
    if not parsed.authentic:
        return CodeCheck("forged", "このコードは当組合が発行したものではありません（偽造または読み取り誤り）。")
    doc = Document.get_or_none(Document.facility_code_nonce == parsed.nonce)
    if doc is None:
        return CodeCheck("unknown", "このコードの記録はありません。")
    member = doc.member
    today = ctx.clock.today()
    standing = rules.document_standing(doc.kind, doc.status, doc.valid_until, member.lost_on, today)
    if doc.status is not DocumentStatus.VALID:  # replaced (差替) or otherwise recorded as no longer held
        return CodeCheck("superseded", f"このお知らせは{standing.label}です（新しいお知らせのコードを使ってください）。",
                         member.id)
    if not member.qualified_on(today):
        return CodeCheck("not_qualified", f"{member.full_name} さんは資格がありません"
                         f"（資格喪失日 {format_wareki(member.lost_on) if member.lost_on else '-'}）。", member.id)
    return CodeCheck("valid", f"{member.full_name} さん: 当組合の加入員です（{format_wareki(today)}現在 資格あり）。",
                     member.id)
