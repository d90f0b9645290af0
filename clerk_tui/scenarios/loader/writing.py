"""Writing checked entries: upserts by natural keys in the caller's transaction, and the
reset of a training database."""

from __future__ import annotations

import operator
from datetime import date
from typing import Any

import peewee

from clerk_tui.db import models as m
from clerk_tui.db import triggers
from clerk_tui.db.models import EnumField
from clerk_tui.db.settings import PURPOSE_KEY, TODAY_KEY, TRAINING
from clerk_tui.domain.codes import CancellationStatus, CardStatus
from clerk_tui.domain.errors import DomainError
from clerk_tui.scenarios.loader.records import _Person, _Batch
from clerk_tui.scenarios.loader.references import _chunks, _Resolver
from clerk_tui.scenarios.loader.report import SectionCount
from clerk_tui.scenarios.loader.spec import SPEC
from clerk_tui.services.context import Context

# --------------------------------------------------------------------------------------------
# Phase 3: writing


# Python value → what the column holds (as peewee would store it), by exact type: this runs for
# every value of a large file.
_TO_RAW: dict[type, Any] = {
    date: date.isoformat,
    bool: int,
    **{f.enum: operator.attrgetter("_value_") for fields in SPEC.values() for f in fields if f.kind == "code"},
}


def _raw(value: Any) -> Any:
    convert = _TO_RAW.get(type(value))
    return value if convert is None else convert(value)


def _raw_rows(model: type[peewee.Model], rows: list[dict[str, Any]], cols: list[str]) -> list[tuple]:
    """The rows as tuples of stored values. Only date and code columns need converting (a bool
    is already the integer SQLite stores), so the rest are taken as they are, a column at a time."""
    columns = list(zip(*map(operator.itemgetter(*cols), rows))) if len(cols) > 1 else [[r[cols[0]] for r in rows]]
    for i, col in enumerate(cols):
        if isinstance(model._meta.columns[col], (peewee.DateField, EnumField)):
            stored = {v: _raw(v) for v in set(columns[i])}  # few distinct dates and codes
            columns[i] = [stored[v] for v in columns[i]]
    return list(zip(*columns))


def _getter(indexes: list[int]):
    """A function giving a tuple of the values at `indexes` (itemgetter gives a bare value for one)."""
    if len(indexes) == 1:
        (i,) = indexes
        return lambda values: (values[i],)
    return operator.itemgetter(*indexes)


class _Writer:
    def __init__(self, db: peewee.Database, ctx: Context, empty: bool) -> None:
        self.db = db
        self.cursor = db.cursor()
        self.now = ctx.clock.now()
        self.clerk = ctx.clerk
        self.empty = empty  # after a reset nothing exists: skip the lookups

    def upsert(self, model: type[peewee.Model], key_cols: tuple[str, ...],
               rows: list[dict[str, Any]]) -> tuple[SectionCount, dict[tuple, int]]:
        """Insert rows whose natural key is new, update those whose values changed (raising their
        version, as a clerk's edit would); returns the counts and natural key → id of the rows."""
        count = SectionCount()
        table = model._meta.table_name
        if not rows:
            return count, {}
        cols = [c for c in rows[0] if not c.startswith("_")]
        data_cols = [c for c in cols if c not in key_cols]
        key_of = _getter([cols.index(c) for c in key_cols])
        data_of = _getter([cols.index(c) for c in data_cols])
        prepared = _raw_rows(model, rows, cols)
        existing = {} if self.empty else self._existing(table, key_cols, data_cols, [key_of(v) for v in prepared])
        inserts, updates, ids = [], [], {}
        for values in prepared:
            key = key_of(values)
            found = existing.get(key)
            if found is None:
                inserts.append(values)
                count.created += 1
            else:
                ids[key] = found[0]
                data = data_of(values)
                if found[1] != data:
                    updates.append((*data, found[0]))
                    count.updated += 1
                else:
                    count.unchanged += 1
        # A table clerks edit records who changed a row last; a plain one (旧姓) has no such columns.
        versioned = issubclass(model, m.VersionedModel)
        if inserts:
            marks = ", ".join("?" * (len(cols) + (3 if versioned else 0)))
            stamps = ", version, updated_at, updated_by" if versioned else ""
            sql = f"INSERT INTO {table} ({', '.join(cols)}{stamps}) VALUES ({marks})"
            tail = (1, self.now, self.clerk) if versioned else ()
            (last,) = self.cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}").fetchone()
            self.cursor.executemany(sql, [v + tail for v in inserts])
            # The rows just inserted are the ones above the highest id before (the transaction
            # holds the write lock, so nobody else inserted meanwhile).
            sql = f"SELECT id, {', '.join(key_cols)} FROM {table} WHERE id > ?"
            for rec in self.cursor.execute(sql, (last,)).fetchall():
                ids.setdefault(tuple(rec[1:]), rec[0])
        if updates and not versioned:
            sets = ", ".join(f"{c} = ?" for c in data_cols)
            self.cursor.executemany(f"UPDATE {table} SET {sets} WHERE id = ?", updates)
        elif updates:
            sets = ", ".join(f"{c} = ?" for c in data_cols) + ", version = version + 1, updated_at = ?, updated_by = ?"
            updates = [(*u[:-1], self.now, self.clerk, u[-1]) for u in updates]
            self.cursor.executemany(f"UPDATE {table} SET {sets} WHERE id = ?", updates)
        return count, ids

    def _existing(self, table: str, key_cols: tuple[str, ...], data_cols: list[str],
                  keys: list[tuple]) -> dict[tuple, tuple[int, tuple]]:
        """Natural key → (id, stored values of data_cols) of the rows that already have these keys."""
        found: dict[tuple, tuple[int, tuple]] = {}
        nk = len(key_cols)
        select = f"SELECT id, {', '.join(key_cols + tuple(data_cols))} FROM {table} WHERE "
        for chunk in _chunks(keys):
            if nk == 1:
                sql = select + f"{key_cols[0]} IN ({','.join('?' * len(chunk))})"
                params = [key[0] for key in chunk]
            else:
                row = f"({','.join('?' * nk)})"
                sql = select + f"({', '.join(key_cols)}) IN (VALUES {','.join([row] * len(chunk))})"
                params = [v for key in chunk for v in key]
            for rec in self.cursor.execute(sql, params).fetchall():
                found.setdefault(tuple(rec[1:1 + nk]), (rec[0], tuple(rec[1 + nk:])))
        return found

    def all_ids(self, sql: str) -> dict[Any, int]:
        return {tuple(rec[1:]) if len(rec) > 2 else rec[1]: rec[0] for rec in self.cursor.execute(sql).fetchall()}


def _write(db: peewee.Database, ctx: Context, batch: _Batch, r: _Resolver, empty: bool) -> dict[str, SectionCount]:
    w = _Writer(db, ctx, empty)
    counts: dict[str, SectionCount] = {}

    if batch.insurer is not None:
        counts["insurer"], _ = w.upsert(m.Insurer, ("insurer_number",), [batch.insurer[1]])

    # An employer given without a 記号 keeps the one it has (assigned below when it has none).
    symbols = dict(w.cursor.execute("SELECT code, symbol FROM employer WHERE symbol IS NOT NULL").fetchall())
    for _, row in batch.employers.values():
        row["symbol"] = row["symbol"] or symbols.get(row["code"])
    counts["employers"], _ = w.upsert(m.Employer, ("code",), [row for _, row in batch.employers.values()])
    employer_ids = w.all_ids("SELECT id, code FROM employer")

    # R7: an applicant's registration is cancelled unless the application was withdrawn.
    cancelled = {row["_member"] for _, row in batch.cancellations if row["status"] is not CancellationStatus.WITHDRAWN}
    previous: dict[str, CardStatus] = {}
    for key in {row["_member"] for _, row in batch.cancellations}:
        p = r.person(key)
        before = p.card_status
        if before is CardStatus.REGISTRATION_CANCELLED:
            before = CardStatus.USABLE  # only a registered card can be cancelled
        previous[key] = before

    def member_row(p: _Person, insured_id: int | None) -> dict[str, Any]:
        row = p.row
        row["employer_id"] = employer_ids[p.employer_code]
        row["insured_id"] = insured_id
        if p.key in cancelled:
            row["card_status"] = CardStatus.REGISTRATION_CANCELLED
        return row

    insureds = [p for p in batch.members.values() if p.is_insured]
    dependents = [p for p in batch.members.values() if not p.is_insured]
    member_cols = ("symbol", "number", "branch")
    c1, ids = w.upsert(m.Member, member_cols, [member_row(p, None) for p in insureds])
    member_ids: dict[str, int] = {"-".join(k): v for k, v in ids.items()}
    member_ids.update({k: p.db_id for k, p in r.db_members.items()})
    c2, ids = w.upsert(m.Member, member_cols,
                       [member_row(p, member_ids[p.insured_key]) for p in dependents])
    member_ids.update({"-".join(k): v for k, v in ids.items()})
    members = SectionCount(c1.created + c2.created, c1.updated + c2.updated, c1.unchanged + c2.unchanged)
    # Members only in the database who applied for a cancellation in these files.
    for key in cancelled - batch.members.keys():
        p = r.db_members[key]
        if p.card_status is not CardStatus.REGISTRATION_CANCELLED:
            w.cursor.execute(
                "UPDATE member SET card_status = ?, version = version + 1, updated_at = ?, updated_by = ? WHERE id = ?",
                (CardStatus.REGISTRATION_CANCELLED.value, w.now, w.clerk, p.db_id),
            )
            members.updated += 1
    counts["members"] = members

    for _, row in batch.documents.values():
        row["member_id"] = member_ids[row["_member"]]
    counts["documents"], ids = w.upsert(m.Document, ("serial",), [row for _, row in batch.documents.values()])
    doc_ids = {serial: doc_id for (serial,), doc_id in ids.items()}
    doc_ids.update({serial: info.db_id for serial, info in r.db_documents.items()})
    # Supersession links may point at rows created just now, hence a second pass.
    linked: dict[int, int | None] = {}
    part_ids = sorted(doc_ids[serial] for serial in batch.documents)
    for chunk in _chunks(part_ids):
        sql = f"SELECT id, supersedes_id FROM document WHERE id IN ({','.join('?' * len(chunk))})"
        linked.update(w.cursor.execute(sql, list(chunk)).fetchall())
    changed = []
    for serial, (_, row) in batch.documents.items():
        doc_id = doc_ids[serial]
        wanted = doc_ids[row["_supersedes"]] if row["_supersedes"] else None
        if linked.get(doc_id) != wanted:
            changed.append((wanted, w.now, w.clerk, doc_id))
    if changed:
        w.cursor.executemany(
            "UPDATE document SET supersedes_id = ?, version = version + 1, updated_at = ?, updated_by = ? WHERE id = ?",
            changed,
        )

    # The remaining rows are completed in place: they belong to this load.
    for _, row in batch.cancellations:
        p = r.person(row["_member"])
        row["member_id"] = member_ids[row["_member"]]
        row["applicant_name"] = row["applicant_name"] or f"{p.family_name}\u3000{p.given_name}"
        row["applicant_birth_date"] = row["applicant_birth_date"] or p.birth_date
        row["previous_card_status"] = row["previous_card_status"] or previous[row["_member"]]
    counts["cancellations"], _ = w.upsert(m.RegistrationCancellation, ("member_id", "received_on"),
                                          [row for _, row in batch.cancellations])

    for _, row in batch.loss_reports:
        row["member_id"] = member_ids[row["_member"]]
        row["document_id"] = doc_ids[row["_document"]] if row["_document"] else None
    counts["loss_reports"], _ = w.upsert(m.LossReport, ("member_id", "document_kind", "lost_on"),
                                         [row for _, row in batch.loss_reports])

    for _, row in batch.collection_items:
        row["document_id"] = doc_ids[row["_document"]]
        row["member_id"] = member_ids[row["_member"]]
        row["employer_id"] = employer_ids[r.person(row["_member"]).employer_code]
    counts["collection_items"], _ = w.upsert(m.CollectionItem, ("document_id",), [row for _, row in batch.collection_items])

    for _, row in batch.claims:
        row["member_id"] = member_ids[row["_member"]]
    counts["claims"], _ = w.upsert(m.ReimbursementClaim, ("member_id", "treatment_month", "institution_key"),
                                   [row for _, row in batch.claims])

    for _, row in batch.former_names:
        row["member_id"] = member_ids[row["_member"]]
    counts["former_names"], _ = w.upsert(m.FormerName, ("member_id", "used_until"),
                                         [row for _, row in batch.former_names])

    for _, row in batch.issue_requests:
        row["member_id"] = member_ids[row["_member"]]
        row["document_id"] = doc_ids[row["_document"]] if row["_document"] else None
    counts["issue_requests"], _ = w.upsert(m.IssueRequest, ("member_id", "kind", "queued_on"),
                                           [row for _, row in batch.issue_requests])
    return counts


# Children before parents: ON DELETE RESTRICT refuses to delete a row something still points at.
_RESET_TABLES = (
    m.IssueRequest, m.FormerName, m.MemberHistory, m.ReimbursementClaim, m.CollectionItem, m.LossReport,
    m.RegistrationCancellation, m.Document, m.Member, m.Employer, m.Insurer,
)


def _purpose() -> str | None:
    row = m.Setting.get_or_none(m.Setting.key == PURPOSE_KEY)
    return row.value if row else None


def _guard(reset: bool) -> None:
    """A production database is never reset, and never mixed with scenario data either: marking
    it "training" would make it resettable."""
    if _purpose() == TRAINING or not m.Member.select().exists():
        return
    if reset:
        raise DomainError(
            "このデータベースは研修用ではなく、加入員が登録されています。本番用のデータを守るため"
            " --reset は実行できません（何も変更していません）。研修用には別のデータベースファイルを指定してください。"
        )
    raise DomainError(
        "このデータベースは研修用ではなく、加入員が登録されています。シナリオは研修用のデータベースにだけ"
        "読み込めます（何も変更していません）。--db で研修用のファイルを指定してください。"
    )


def _reset(db: peewee.Database) -> None:
    triggers.drop_audit_triggers(db)
    db.execute_sql("DELETE FROM audit_entry")
    triggers.create_audit_triggers(db)
    # ON DELETE RESTRICT acts on each row at once (not at the statement's end), so rows that
    # point at rows of their own table go first.
    for model in _RESET_TABLES:
        if model is m.Document:
            db.execute_sql("UPDATE document SET supersedes_id = NULL WHERE supersedes_id IS NOT NULL")
        if model is m.Member:
            db.execute_sql("DELETE FROM member WHERE insured_id IS NOT NULL")
        db.execute_sql(f"DELETE FROM {model._meta.table_name}")
    m.Setting.delete().where(m.Setting.key == TODAY_KEY).execute()

