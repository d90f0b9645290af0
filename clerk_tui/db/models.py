"""The peewee models: what the society records about employers, members, their documents,
applications, returns, claims, and who did what. Never the 12-digit My Number."""

from __future__ import annotations

from enum import StrEnum

import peewee as pw

from clerk_tui.db.database import database_proxy
from clerk_tui.db.prepared import fetch, insert_row, update_row
from clerk_tui.domain import kana
from clerk_tui.domain.codes import (
    AuditKind,
    CancellationStatus,
    CardStatus,
    ClaimStatus,
    CollectionStatus,
    DocumentKind,
    DocumentStatus,
    IssueCause,
    IssueReason,
    IssueRequestStatus,
    LossCircumstance,
    RegisterChange,
    Relationship,
    ReturnVia,
    Route,
    Sex,
)
from clerk_tui.domain.person import MemberFacts


class EnumField(pw.CharField):
    """Stores a domain StrEnum by its code; reads it back as the enum."""

    def __init__(self, enum: type[StrEnum], **kwargs):
        self.enum = enum
        kwargs.setdefault("max_length", 32)
        super().__init__(**kwargs)

    def db_value(self, value):
        if value is None:
            return None
        return self.enum(value).value

    def python_value(self, value):
        return None if value is None else self.enum(value)


class BaseModel(pw.Model):
    class Meta:
        database = database_proxy
        legacy_table_names = False
        # UPDATE only the columns an action changed: a shorter statement inside the write lock,
        # and a record loaded earlier never writes back columns another clerk changed since.
        only_save_dirty = True

    @classmethod
    def fetch(cls, pk):
        """The record with this primary key, or None (a prepared query, see db.prepared)."""
        return fetch(cls, pk)

    def save(self, force_insert: bool = False, only=None):
        """peewee's save with the SQL compiled once per set of columns (see db.prepared). Saves
        naming `only` some fields, and tables without an auto-increment key, go through peewee."""
        meta = self._meta
        if only is not None or not meta.auto_increment:
            return super().save(force_insert=force_insert, only=only)
        pk_name = meta.primary_key.name
        if self._pk is None:  # INSERT every field that has a value (defaults included)
            data = dict(self.__data__)
            self._populate_unsaved_relations(data)
            data.pop(pk_name, None)
            self._pk = insert_row(type(self), data)
            self._dirty.clear()
            return 1
        if force_insert:
            return super().save(force_insert=True)
        data = {f.name: self.__data__.get(f.name) for f in self.dirty_fields if f.name != pk_name}
        if not data:
            self._dirty.clear()
            return False
        self._populate_unsaved_relations(data)
        rows = update_row(type(self), self._pk, data)
        self._dirty -= set(data)
        return rows


class VersionedModel(BaseModel):
    """A record clerks edit: `version` rises on every change so a stale edit is refused."""

    version = pw.IntegerField(default=1)
    updated_at = pw.DateTimeField(null=True)
    updated_by = pw.CharField(max_length=64, null=True)


class SchemaMigration(BaseModel):
    version = pw.IntegerField(primary_key=True)
    name = pw.CharField(max_length=100)
    applied_at = pw.DateTimeField()


class Setting(BaseModel):
    """Small key/value settings kept with the data, e.g. a training database's fixed "today"."""

    key = pw.CharField(max_length=64, primary_key=True)
    value = pw.TextField()


class Insurer(VersionedModel):
    """The society's own profile: configuration data, loaded from fixtures or the admin."""

    insurer_number = pw.CharField(max_length=8, unique=True)
    name = pw.CharField(max_length=100)
    postal_code = pw.CharField(max_length=8)
    address = pw.CharField(max_length=200)
    enrolment_section_name = pw.CharField(max_length=50, default="適用グループ")
    enrolment_phone = pw.CharField(max_length=20)
    enrolment_fax = pw.CharField(max_length=20, null=True)
    benefits_section_name = pw.CharField(max_length=50, default="給付グループ")
    benefits_phone = pw.CharField(max_length=20)


class Employer(VersionedModel):
    code = pw.CharField(max_length=16, unique=True)
    name = pw.CharField(max_length=100)
    name_kana = pw.CharField(max_length=100, null=True)
    postal_code = pw.CharField(max_length=8, null=True)
    address = pw.CharField(max_length=200, null=True)
    phone = pw.CharField(max_length=20, null=True)
    contact_person = pw.CharField(max_length=60, null=True)
    name_key = pw.CharField(max_length=100, index=True)  # normalised for search
    # The 記号 its families are enrolled under (R16). Schema version 3; NULL for an employer whose
    # 記号 is not yet known (enrolment then refuses with a message).
    symbol = pw.CharField(max_length=8, null=True, unique=True)


def member_search_keys(family_name: str, given_name: str, family_name_kana: str,
                       given_name_kana: str) -> dict[str, str]:
    """The normalised search columns of a member, from the names as registered."""
    return {
        "name_key": kana.name_key(family_name + given_name),
        "kana_key": kana.kana_key(family_name_kana + given_name_kana),
        "given_name_key": kana.name_key(given_name),
        "given_kana_key": kana.kana_key(given_name_kana),
    }


class Member(MemberFacts, VersionedModel):
    """An insured person (insured is NULL) or a dependent (insured points at the insured)."""

    symbol = pw.CharField(max_length=8)
    number = pw.CharField(max_length=8)
    branch = pw.CharField(max_length=2)
    insured = pw.ForeignKeyField("self", null=True, backref="dependents", on_delete="RESTRICT")
    employer = pw.ForeignKeyField(Employer, backref="members", on_delete="RESTRICT")
    relationship = EnumField(Relationship, default=Relationship.SELF)
    family_name = pw.CharField(max_length=40)
    given_name = pw.CharField(max_length=40)
    family_name_kana = pw.CharField(max_length=60)
    given_name_kana = pw.CharField(max_length=60)
    birth_date = pw.DateField()
    sex = EnumField(Sex)
    postal_code = pw.CharField(max_length=8, null=True)
    address = pw.CharField(max_length=200, null=True)
    phone = pw.CharField(max_length=20, null=True)
    acquired_on = pw.DateField()
    lost_on = pw.DateField(null=True)
    loss_reason = pw.CharField(max_length=32, null=True)
    registered_on = pw.DateField(null=True)  # when the insurer registered the 届出 (R13)
    standard_monthly_remuneration = pw.IntegerField(null=True)  # yen; insured only
    income_reduction = pw.BooleanField(default=False)  # approved 基準収入額適用 (R5)
    card_status = EnumField(CardStatus, default=CardStatus.NO_CARD)
    mynumber_received_on = pw.DateField(null=True)  # R11: only whether and when, never the number
    needs_assistance = pw.BooleanField(default=False)  # 要配慮者 (R7 law note)
    # Search keys (see clerk_tui.domain.kana): variant-folded kanji and folded katakana, without
    # spaces, for the whole name and for the given name alone (1–2 character prefix searches).
    name_key = pw.CharField(max_length=80, index=True)
    kana_key = pw.CharField(max_length=120)  # indexed with id and lost_on: see Meta
    given_name_key = pw.CharField(max_length=40, index=True)
    given_kana_key = pw.CharField(max_length=60, index=True)

    class Meta:
        indexes = (
            (("symbol", "number", "branch"), True),
            (("birth_date",), False),
            (("employer", "lost_on"), False),
            # The reading index, in (reading, id) order as the search pages are, holding lost_on:
            # a kana search finds the 在籍 members among the first readings from the index alone,
            # without reading a row per entry (db.queries, "active_page").
            (("kana_key", "id", "lost_on"), False),
        )

    def refresh_search_keys(self) -> None:
        for key, value in member_search_keys(self.family_name, self.given_name,
                                             self.family_name_kana, self.given_name_kana).items():
            setattr(self, key, value)


class Document(VersionedModel):
    """A document the society issued (or, for legacy cards, had issued)."""

    member = pw.ForeignKeyField(Member, backref="documents", on_delete="RESTRICT")
    kind = EnumField(DocumentKind)
    serial = pw.CharField(max_length=32, unique=True)
    issued_on = pw.DateField()
    valid_until = pw.DateField(null=True)
    route = EnumField(Route, null=True)
    reason = EnumField(IssueReason, null=True)
    reason_note = pw.TextField(null=True)
    status = EnumField(DocumentStatus, default=DocumentStatus.VALID)
    status_changed_on = pw.DateField(null=True)
    returned_on = pw.DateField(null=True)
    copay_ratio = pw.IntegerField(null=True)  # printed ratio; NULL = asterisks (R5)
    ratio_effective_from = pw.DateField(null=True)
    supersedes = pw.ForeignKeyField("self", null=True, backref="superseded_by", on_delete="RESTRICT")
    override_reason = pw.TextField(null=True)  # R3 override for a member who can use マイナ保険証
    facility_code_nonce = pw.CharField(max_length=32, null=True, unique=True)  # R14 QR
    batch_key = pw.CharField(max_length=64, null=True, index=True)

    class Meta:
        indexes = ((("member", "kind", "status"), False),)


class RegistrationCancellation(VersionedModel):
    """利用登録解除申請 (R7), as typed from the paper form."""

    member = pw.ForeignKeyField(Member, backref="cancellations", on_delete="RESTRICT")
    received_on = pw.DateField()
    effective_on = pw.DateField()
    applicant_name = pw.CharField(max_length=60)
    applicant_birth_date = pw.DateField()
    applicant_address = pw.CharField(max_length=200, null=True)
    applicant_phone = pw.CharField(max_length=20, null=True)
    reason = pw.TextField(null=True)
    proxy_name = pw.CharField(max_length=60, null=True)
    proxy_relationship = pw.CharField(max_length=30, null=True)
    mismatch_accepted = pw.BooleanField(default=False)
    legacy_card_at_hand = pw.BooleanField(null=True)
    status = EnumField(CancellationStatus, default=CancellationStatus.RECEIVED)
    previous_card_status = EnumField(CardStatus)
    withdrawn_on = pw.DateField(null=True)

    class Meta:
        indexes = ((("member", "received_on"), False), (("status",), False))


class LossReport(VersionedModel):
    """被保険者証滅失届 (R8)."""

    member = pw.ForeignKeyField(Member, backref="loss_reports", on_delete="RESTRICT")
    document = pw.ForeignKeyField(Document, null=True, backref="loss_reports", on_delete="RESTRICT")
    document_kind = EnumField(DocumentKind)
    received_on = pw.DateField()
    lost_on = pw.DateField()
    circumstance = EnumField(LossCircumstance)
    police_report_ref = pw.CharField(max_length=60, null=True)
    reissue_requested = pw.BooleanField(default=False)
    found_on = pw.DateField(null=True)
    # The 資格確認書 reissued on this report (R8): one report allows one reissue. Schema version 2.
    reissue = pw.ForeignKeyField(Document, null=True, unique=True, backref="reissued_on_report",
                                 on_delete="RESTRICT")


class CollectionItem(VersionedModel):
    """A document that must come back after loss of qualification (R9, R10)."""

    member = pw.ForeignKeyField(Member, backref="collection_items", on_delete="RESTRICT")
    document = pw.ForeignKeyField(Document, backref="collection_items", unique=True, on_delete="RESTRICT")
    employer = pw.ForeignKeyField(Employer, backref="collection_items", on_delete="RESTRICT")
    lost_on = pw.DateField()
    status = EnumField(CollectionStatus, default=CollectionStatus.OUTSTANDING)
    returned_on = pw.DateField(null=True)
    return_via = EnumField(ReturnVia, null=True)
    condition = pw.CharField(max_length=100, null=True)
    closed_reason = pw.TextField(null=True)
    reminder_sent_on = pw.DateField(null=True)

    class Meta:
        indexes = ((("employer", "status"), False),)


class ReimbursementClaim(VersionedModel):
    """立替払 療養費 intake (R12): one per patient × treatment month × institution."""

    member = pw.ForeignKeyField(Member, backref="claims", on_delete="RESTRICT")
    institution_name = pw.CharField(max_length=100)
    institution_key = pw.CharField(max_length=100)  # normalised for the duplicate check
    is_pharmacy = pw.BooleanField(default=False)
    treatment_month = pw.DateField()  # first day of the month
    paid_on = pw.DateField()
    amount_paid = pw.IntegerField()  # yen, 10割
    fee_schedule_cost = pw.IntegerField(null=True)
    copay_ratio = pw.IntegerField()
    estimated_refund = pw.IntegerField()
    receipt_received = pw.BooleanField(default=False)
    medical_statement_received = pw.BooleanField(default=False)
    claim_form_received = pw.BooleanField(default=False)
    cause = pw.CharField(max_length=200, null=True)
    late_reason = pw.TextField(null=True)
    received_on = pw.DateField()
    status = EnumField(ClaimStatus, default=ClaimStatus.INCOMPLETE)
    forwarded_on = pw.DateField(null=True)

    class Meta:
        indexes = (
            (("member", "treatment_month", "institution_key"), True),
            (("status", "treatment_month"), False),
        )


class MemberHistory(BaseModel):
    """The register's history (R17): one row per field that changed, with the value before and
    after, the date the change took effect and who recorded it when. Values are the register's
    own (names, addresses): they live here, never in the audit trail. A correction (訂正) is a
    row of its own kind: it is shown, but its old value is not a former value of the person.
    Schema version 3."""

    member = pw.ForeignKeyField(Member, backref="history", on_delete="RESTRICT")
    change = EnumField(RegisterChange)
    field = pw.CharField(max_length=40)  # the Member column, e.g. "family_name"
    old_value = pw.TextField(null=True)  # as stored: text, ISO date, integer or code
    new_value = pw.TextField(null=True)
    effective_from = pw.DateField(null=True)  # NULL for a correction
    recorded_at = pw.DateTimeField()
    recorded_by = pw.CharField(max_length=64)
    reason = pw.TextField(null=True)  # a correction's reason (checked free text)

    class Meta:
        indexes = ((("member", "recorded_at"), False),)


class FormerName(BaseModel):
    """A name the member was registered under before a 氏名変更 (R17), kept searchable for years
    (clerks are asked about members by their 旧姓). Same search keys as Member. Schema version 3."""

    member = pw.ForeignKeyField(Member, backref="former_names", on_delete="RESTRICT")
    family_name = pw.CharField(max_length=40)
    given_name = pw.CharField(max_length=40)
    family_name_kana = pw.CharField(max_length=60)
    given_name_kana = pw.CharField(max_length=60)
    used_until = pw.DateField()  # the day before the change took effect
    name_key = pw.CharField(max_length=80, index=True)
    kana_key = pw.CharField(max_length=120, index=True)
    given_name_key = pw.CharField(max_length=40, index=True)
    given_kana_key = pw.CharField(max_length=60, index=True)

    def refresh_search_keys(self) -> None:
        for key, value in member_search_keys(self.family_name, self.given_name,
                                             self.family_name_kana, self.given_name_kana).items():
            setattr(self, key, value)


class IssueRequest(VersionedModel):
    """A document queued for issue via the employer (交付待ち): after enrolment (R16), 扶養追加, a
    氏名変更 or a change of 負担割合 (R17). The per-employer batch issues it and links the document.
    Schema version 3."""

    member = pw.ForeignKeyField(Member, backref="issue_requests", on_delete="RESTRICT")
    kind = EnumField(DocumentKind)
    reason = EnumField(IssueReason)
    cause = EnumField(IssueCause)
    queued_on = pw.DateField()
    ratio_effective_from = pw.DateField(null=True)  # a ratio change: the 発効期日 to print
    status = EnumField(IssueRequestStatus, default=IssueRequestStatus.PENDING)
    document = pw.ForeignKeyField(Document, null=True, unique=True, backref="issue_request",
                                  on_delete="RESTRICT")
    replaces = pw.ForeignKeyField(Document, null=True, backref="replacement_requests",
                                  on_delete="RESTRICT")  # the certificate a name change replaces

    class Meta:
        indexes = ((("status", "member"), False),)


class AuditEntry(BaseModel):
    """Append-only, hash-chained trail of every write, print and view (triggers refuse changes)."""

    at = pw.CharField(max_length=40)  # ISO 8601 with UTC offset, as hashed
    clerk = pw.CharField(max_length=64, index=True)  # OS user
    origin = pw.CharField(max_length=100, null=True)  # SSH client address, when over SSH
    kind = EnumField(AuditKind)
    action = pw.CharField(max_length=64)
    table_name = pw.CharField(max_length=64, null=True)
    record_id = pw.IntegerField(null=True)
    member_id = pw.IntegerField(null=True, index=True)
    summary = pw.TextField(default="{}")  # JSON of ids and codes, never names or addresses
    prev_hash = pw.CharField(max_length=64)
    hash = pw.CharField(max_length=64, unique=True)

    class Meta:
        # (table_name, record_id, action): a clerk action looks up the entries of one record
        # (a member's withdrawal, an employer's batch prints) without reading the whole log.
        # clerk alone (with the rowid SQLite appends): a clerk's newest entries in index order.
        indexes = ((("table_name", "record_id", "action"), False),)


ALL_MODELS: list[type[BaseModel]] = [
    SchemaMigration,
    Setting,
    Insurer,
    Employer,
    Member,
    Document,
    RegistrationCancellation,
    LossReport,
    CollectionItem,
    ReimbursementClaim,
    MemberHistory,
    FormerName,
    IssueRequest,
    AuditEntry,
]
