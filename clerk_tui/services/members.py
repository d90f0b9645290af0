"""Opening a member: the whole family with documents, applications, claims, history and the
warnings of the day, read in one go; the view itself is recorded in the audit trail."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from clerk_tui.db.models import (
    AuditEntry,
    CollectionItem,
    Document,
    Employer,
    LossReport,
    Member,
    RegistrationCancellation,
    ReimbursementClaim,
)
from clerk_tui.db.prepared import Prepared
from clerk_tui.domain import rules
from clerk_tui.domain.codes import AuditKind, CollectionStatus, DocumentKind
from clerk_tui.domain.errors import DomainError
from clerk_tui.domain.ids import format_code, parse_member_code
from clerk_tui.domain.warnings import ClaimFacts, DocFacts, OutstandingFacts, PersonFacts, Warning, member_warnings
from clerk_tui.services import audit
from clerk_tui.services.changes import HistoryRow, member_history
from clerk_tui.services.context import Context, member_not_found
from clerk_tui.services.issue_queue import pending_requests
from clerk_tui.services.issuance import copay_for
from clerk_tui.services.reimbursement import missing_papers
from clerk_tui.services.rows import (
    AuditEntryRow,
    CancellationRow,
    ClaimRow,
    CollectionItemRow,
    DocumentRow,
    LossReportRow,
    MemberRow,
    document_row,
    member_row,
    to_row,
    with_member,
)
from clerk_tui.services.withdrawal import for_name_change

AUDIT_LIMIT = 50

# The detail's reads, compiled once (db.prepared): opening a member is the commonest action.
_MEMBER_ID = Prepared(Member, lambda p: Member.select(Member.id).where(Member.id == p(Member.id)))
_DEPENDENTS = Prepared(Member, lambda p: Member.select().where(Member.insured == p(Member.id))
                       .order_by(Member.branch, Member.id))


def _of_family(model, order_by):
    """The model's rows for the family of an insured person (bound to the insured person's id)."""
    def build(p):
        insured = p(Member.id)
        family = Member.select(Member.id).where((Member.id == insured) | (Member.insured == insured))
        return model.select().where(model.member.in_(family)).order_by(*order_by)
    return Prepared(model, build)


_FAMILY_DOCUMENTS = _of_family(Document, (Document.issued_on.desc(), Document.id.desc()))
_FAMILY_CANCELLATIONS = _of_family(RegistrationCancellation, (RegistrationCancellation.received_on.desc(),
                                                              RegistrationCancellation.id.desc()))
_FAMILY_LOSS_REPORTS = _of_family(LossReport, (LossReport.received_on.desc(), LossReport.id.desc()))
_FAMILY_CLAIMS = _of_family(ReimbursementClaim, (ReimbursementClaim.treatment_month.desc(),
                                                 ReimbursementClaim.id.desc()))
_FAMILY_COLLECTION_ITEMS = _of_family(CollectionItem, (CollectionItem.lost_on.desc(), CollectionItem.id.desc()))
_AUDIT_ENTRIES = Prepared(AuditEntry, lambda p: AuditEntry.select().where(AuditEntry.member_id == p(AuditEntry.member_id))
                          .order_by(AuditEntry.id.desc()).limit(AUDIT_LIMIT))


@dataclass(frozen=True)
class MemberDetail:
    """Everything the member detail screen shows, as read at `today`."""

    today: date
    member: MemberRow  # with employer_name
    insured: MemberRow
    family: list[MemberRow]  # the insured first, then the dependents by 枝番
    documents_by_member: dict[int, list[DocumentRow]]  # newest first
    cancellations: list[CancellationRow]
    loss_reports: list[LossReportRow]
    claims: list[ClaimRow]
    collection_items: list[CollectionItemRow]
    audit_entries: list[AuditEntryRow]  # this member's, newest first, at most AUDIT_LIMIT
    warnings: list[Warning]
    copay: rules.Copay | None
    copay_note: str | None  # why `copay` is None (lost, 75, missing remuneration …)
    eligibility: rules.Eligibility
    register_history: list[HistoryRow]  # the member's changes and corrections, newest first
    certificate: DocumentRow | None = None  # the member's 資格確認書 in force today (R18), the newest
    # The family's documents queued for issue via the employer (交付待ち), oldest first.
    pending_requests: tuple = ()


def certificate_in_force(documents: list[DocumentRow]) -> DocumentRow | None:
    """The newest 資格確認書 among these rows whose standing is in force."""
    return next((d for d in documents if d.kind is DocumentKind.ELIGIBILITY_CERTIFICATE and d.standing.in_force),
                None)


def open_member(ctx: Context, member_id: int) -> MemberDetail:
    """Record the view (who looked at whom), then read the member's detail."""

    def log_view() -> None:
        # Checked inside the transaction so that no entry names a member that does not exist.
        if _MEMBER_ID.scalar(member_id) is None:
            raise member_not_found(member_id)
        audit.record(ctx, AuditKind.VIEW, "member.view", table="member", record_id=member_id,
                     member_id=member_id)

    ctx.write(log_view)
    return reload_member(ctx, member_id)


def warm_up(ctx: Context) -> None:
    """Load what the first member detail of a session needs and is slow to load once: the
    holiday calendar behind the business-day rules (~0.15 s, the package imports every country)."""
    rules.is_business_day(ctx.clock.today())


def reload_member(ctx: Context, member_id: int) -> MemberDetail:
    """Read the detail again without recording a new view (the screen's 再読込)."""
    # Plain autocommit reads, no transaction held open: the few queries below are quick and a
    # clerk's write between two of them only shows up on the next reload.
    today = ctx.clock.today()
    member = Member.fetch(member_id)
    if member is None:
        raise member_not_found(member_id)
    member.employer = Employer.fetch(member.employer_id)
    insured = member if member.is_insured else Member.fetch(member.insured_id)
    if not member.is_insured:
        member.insured = insured  # cache it: copay_for and the screen use it without a query
    dependents = [member if d.id == member.id else d for d in _DEPENDENTS.rows(insured.id)]
    family = [insured, *dependents]

    documents_by_member: dict[int, list[Document]] = {m.id: [] for m in family}
    for doc in _FAMILY_DOCUMENTS.rows(insured.id):
        documents_by_member[doc.member_id].append(doc)
    cancellations = list(_FAMILY_CANCELLATIONS.rows(insured.id))
    loss_reports = list(_FAMILY_LOSS_REPORTS.rows(insured.id))
    claims = list(_FAMILY_CLAIMS.rows(insured.id))
    collection_items = list(_FAMILY_COLLECTION_ITEMS.rows(insured.id))
    audit_entries = list(_AUDIT_ENTRIES.rows(member.id))

    pending = {m.id: pending_requests(m.id) for m in family}
    copay, copay_note = _copay(member, today)
    warnings = member_warnings(
        person_facts(member, insured, certificate_queued=any(
            r.kind is DocumentKind.ELIGIBILITY_CERTIFICATE for r in pending[member.id])),
        today=today,
        documents=[_doc_facts(d) for d in documents_by_member[member.id]],
        claims=[_claim_facts(c) for c in claims if c.member_id == member.id],
        # The insured person's screen also chases the dependents' documents: the employer returns
        # the family's documents together (R9).
        outstanding=[OutstandingFacts(kind=_item_kind(documents_by_member, i), lost_on=i.lost_on,
                                      reminder_sent_on=i.reminder_sent_on,
                                      other_family_member=i.member_id != member.id,
                                      name_change=_for_name_change(i, family))
                     for i in collection_items
                     if i.status == CollectionStatus.OUTSTANDING
                     and (i.member_id == member.id or member.is_insured)],
    )
    rows = {m.id: member_row(m) for m in family}
    lost_on = {m.id: m.lost_on for m in family}
    rows[member.id] = member_row(member, employer_name=member.employer.name)
    document_rows = {k: [document_row(d, today=today, lost_on=lost_on[k]) for d in v]
                     for k, v in documents_by_member.items()}
    return MemberDetail(
        today=today, member=rows[member.id], insured=rows[insured.id], family=[rows[m.id] for m in family],
        documents_by_member=document_rows, certificate=certificate_in_force(document_rows[member.id]),
        cancellations=[with_member(CancellationRow, c, rows[c.member_id]) for c in cancellations],
        loss_reports=[to_row(LossReportRow, r) for r in loss_reports],
        claims=[with_member(ClaimRow, c, rows[c.member_id]) for c in claims],
        collection_items=[to_row(CollectionItemRow, i) for i in collection_items],
        audit_entries=[to_row(AuditEntryRow, e) for e in audit_entries], warnings=warnings,
        copay=copay, copay_note=copay_note,
        eligibility=rules.certificate_eligibility(member.card_status, member.needs_assistance),
        register_history=member_history(member.id),
        pending_requests=tuple(r for m in family for r in pending[m.id]),
    )


def member_by_code(ctx: Context, text: str) -> MemberRow:
    """The member a clerk's 記号・番号(・枝番) names; without 枝番, the insured person."""
    code = parse_member_code(text)
    query = Member.select().where(Member.symbol == code.symbol, Member.number == code.number)
    if code.branch is not None:
        member = query.where(Member.branch == code.branch).first()
    else:
        # 枝番 00 is the insured in most data, but not all: order by "is a dependent", then 枝番.
        member = query.order_by(Member.insured.is_null(False), Member.branch).first()
    if member is None:
        raise DomainError(f"記号・番号 {format_code(code.symbol, code.number, code.branch)} の"
                          "加入員は登録されていません。", field="member_code")
    return member_row(member)


# ---------------------------------------------------------------------------------------------


def person_facts(member: Member, insured: Member, *, certificate_queued: bool = False) -> PersonFacts:
    return PersonFacts(
        certificate_queued=certificate_queued,
        birth_date=member.birth_date, acquired_on=member.acquired_on, is_insured=member.is_insured,
        lost_on=member.lost_on, loss_reason=member.loss_reason, card_status=member.card_status,
        needs_assistance=member.needs_assistance, mynumber_received_on=member.mynumber_received_on,
        registered_on=member.registered_on, remuneration=member.standard_monthly_remuneration,
        income_reduction=member.income_reduction,
        insured_birth_date=None if member.is_insured else insured.birth_date,
        insured_remuneration=None if member.is_insured else insured.standard_monthly_remuneration,
        insured_income_reduction=False if member.is_insured else insured.income_reduction,
    )


def _item_kind(documents_by_member: dict[int, list[Document]], item: CollectionItem) -> DocumentKind:
    # The documents are already loaded; look the kind up there rather than query per item.
    for doc in documents_by_member.get(item.member_id, []):
        if doc.id == item.document_id:
            return doc.kind
    return item.document.kind


def _for_name_change(item: CollectionItem, family: list[Member]) -> bool:
    holder = next((m for m in family if m.id == item.member_id), None)
    return holder is not None and for_name_change(item, holder)


def _doc_facts(doc: Document) -> DocFacts:
    return DocFacts(kind=doc.kind, status=doc.status, issued_on=doc.issued_on, valid_until=doc.valid_until)


def _claim_facts(claim: ReimbursementClaim) -> ClaimFacts:
    return ClaimFacts(treatment_month=claim.treatment_month, institution_name=claim.institution_name,
                      paid_on=claim.paid_on, status=claim.status, missing=tuple(missing_papers(claim)))


def _copay(member: Member, today: date) -> tuple[rules.Copay | None, str | None]:
    if member.lost_on is not None and member.lost_on <= today:
        return None, "資格喪失済のため負担割合はありません。"
    if today < member.birth_date:
        return None, "生年月日が本日より後のため判定できません。"
    try:
        return copay_for(member, today), None
    except DomainError as exc:
        return None, exc.message
