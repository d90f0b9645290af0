"""The records services hand to their callers (screens, the CLI): plain frozen rows copied out of
the database records, so that nothing outside `services` holds a live database object, saves one
by mistake or runs a query by reading an attribute. This is also the seam a second database
engine would plug into: callers see these rows, not the engine's objects.

Attribute names are those of the stored records; what a caller reads through a link to another
record (the member's employer, a claim's member) is copied onto the row as a field of its own.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date
from functools import cache
from typing import Any, TypeVar

from clerk_tui.domain import codes, rules
from clerk_tui.domain.person import CancellationApplicant, MemberFacts

R = TypeVar("R")


@cache
def _field_names(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in fields(cls))


def to_row(cls: type[R], record: Any, **extra: Any) -> R:
    """A row of `cls` with each field read from the record's attribute of the same name (a link
    to another record is read as its id, `member_id`), except those given in `extra`."""
    values = {name: getattr(record, name) for name in _field_names(cls) if name not in extra}
    return cls(**values, **extra)


@dataclass(frozen=True)
class EmployerRow:
    id: int
    version: int
    code: str
    name: str
    name_kana: str | None
    postal_code: str | None
    address: str | None
    phone: str | None
    contact_person: str | None
    symbol: str | None = None  # the 記号 its families are enrolled under


@dataclass(frozen=True)
class MemberRow(MemberFacts):
    id: int
    version: int
    symbol: str
    number: str
    branch: str
    insured_id: int | None
    employer_id: int
    relationship: codes.Relationship
    family_name: str
    given_name: str
    family_name_kana: str
    given_name_kana: str
    birth_date: date
    sex: codes.Sex
    postal_code: str | None
    address: str | None
    phone: str | None
    acquired_on: date
    lost_on: date | None
    loss_reason: str | None
    registered_on: date | None
    standard_monthly_remuneration: int | None
    income_reduction: bool
    card_status: codes.CardStatus
    mynumber_received_on: date | None
    needs_assistance: bool
    employer_name: str | None = None  # filled where the caller shows it (the detail's member)


def member_row(member: Any, *, employer_name: str | None = None) -> MemberRow:
    return to_row(MemberRow, member, employer_name=employer_name)


@dataclass(frozen=True)
class DocumentRow:
    id: int
    version: int
    member_id: int
    kind: codes.DocumentKind
    serial: str
    issued_on: date
    valid_until: date | None
    route: codes.Route | None
    reason: codes.IssueReason | None
    reason_note: str | None
    status: codes.DocumentStatus
    status_changed_on: date | None
    returned_on: date | None
    copay_ratio: int | None
    ratio_effective_from: date | None
    supersedes_id: int | None
    override_reason: str | None
    batch_key: str | None
    standing: rules.DocumentStanding  # what it is worth on the day it was read (R18): show this, not `status`


def document_row(document: Any, *, today: date, lost_on: date | None) -> DocumentRow:
    """A document as callers see it, with its standing on `today` for a holder whose
    qualification ends on `lost_on` (None: not lost). The one way to make a DocumentRow."""
    return to_row(DocumentRow, document, standing=rules.document_standing(
        document.kind, document.status, document.valid_until, lost_on, today))


@dataclass(frozen=True)
class CancellationRow(CancellationApplicant):
    id: int
    version: int
    member_id: int
    received_on: date
    effective_on: date
    mismatch_accepted: bool
    legacy_card_at_hand: bool | None
    status: codes.CancellationStatus
    previous_card_status: codes.CardStatus
    withdrawn_on: date | None
    member_code: str  # the member's 記号-番号-枝番 and name, for lists of applications
    member_name: str


@dataclass(frozen=True)
class LossReportRow:
    id: int
    version: int
    member_id: int
    document_id: int | None
    document_kind: codes.DocumentKind
    received_on: date
    lost_on: date
    circumstance: codes.LossCircumstance
    police_report_ref: str | None
    reissue_requested: bool
    found_on: date | None
    reissue_id: int | None


@dataclass(frozen=True)
class CollectionItemRow:
    id: int
    version: int
    member_id: int
    document_id: int
    employer_id: int
    lost_on: date
    status: codes.CollectionStatus
    returned_on: date | None
    return_via: codes.ReturnVia | None
    condition: str | None
    closed_reason: str | None
    reminder_sent_on: date | None


@dataclass(frozen=True)
class ClaimRow:
    id: int
    version: int
    member_id: int
    institution_name: str
    is_pharmacy: bool
    treatment_month: date
    paid_on: date
    amount_paid: int
    fee_schedule_cost: int | None
    copay_ratio: int
    estimated_refund: int
    receipt_received: bool
    medical_statement_received: bool
    claim_form_received: bool
    cause: str | None
    late_reason: str | None
    received_on: date
    status: codes.ClaimStatus
    forwarded_on: date | None
    member_code: str  # the patient's 記号-番号-枝番 and name, for lists of claims
    member_name: str


def with_member(cls: type[R], record: Any, member: Any = None) -> R:
    """A cancellation or claim row naming its member: `member` when given (a record or a row),
    else the record's linked member (read with it, or one more query)."""
    member = member if member is not None else record.member
    return to_row(cls, record, member_code=member.member_code, member_name=member.full_name)


@dataclass(frozen=True)
class AuditEntryRow:
    id: int
    at: str
    clerk: str
    origin: str | None
    kind: codes.AuditKind
    action: str
    table_name: str | None
    record_id: int | None
    member_id: int | None
    summary: str
