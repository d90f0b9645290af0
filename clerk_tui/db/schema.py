"""Schema creation, versioning and migrations (`clerk-tui db init|upgrade|check`).

A new database is created from the current models and stamped with the latest version; an older
one is brought up by the numbered migrations below, each in one transaction.

The app's start only checks the version (`require_current`, plain SQL): the models, triggers and
search objects are imported by the functions that create or change the schema, so that a start
on a current database does not load them before the first screen."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING

import peewee

from clerk_tui.domain.codes import DocumentKind, IssueReason
from clerk_tui.domain.errors import DomainError

if TYPE_CHECKING:  # imported by upgrade() only: a start on a current schema needs no migrator
    from playhouse.migrate import SqliteMigrator

# The table of applied migrations (the model SchemaMigration), read by name at start.
VERSION_TABLE = "schema_migration"


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    apply: Callable[[peewee.Database, SqliteMigrator], None]


def _initial(db: peewee.Database, migrator: SqliteMigrator) -> None:  # pragma: no cover
    raise AssertionError("version 1 is created from the models, never migrated to")


def _loss_report_reissue(db: peewee.Database, migrator: SqliteMigrator) -> None:
    """loss_report.reissue: the 資格確認書 reissued on a 滅失届, so that one report allows one
    reissue (R8). Reissues already made are linked to the report they followed: each 紛失
    reissue of a 資格確認書 takes the oldest unused report of that member received by its issue
    date."""
    from playhouse.migrate import migrate

    from clerk_tui.db.models import LossReport

    migrate(migrator.add_column("loss_report", "reissue_id", LossReport.reissue))
    link_reissues_to_loss_reports(db.execute_sql)


def link_reissues_to_loss_reports(execute: Callable[[str, tuple], object]) -> None:
    """Give every 紛失 reissue of a 資格確認書 not yet linked the oldest unused 滅失届 of that member
    received by its issue date (R8). For rows written without the issuing service: the version-2
    migration and scenario files. `execute(sql, params)` runs a statement on the caller's
    connection (inside its transaction)."""
    cert, lost = DocumentKind.ELIGIBILITY_CERTIFICATE.value, IssueReason.LOST.value
    reissues = execute(
        "SELECT id, member_id, issued_on FROM document d WHERE kind = ? AND reason = ? "
        "AND NOT EXISTS (SELECT 1 FROM loss_report r WHERE r.reissue_id = d.id) ORDER BY issued_on, id",
        (cert, lost)).fetchall()
    for doc_id, member_id, issued_on in reissues:
        execute(
            "UPDATE loss_report SET reissue_id = ? WHERE id = (SELECT id FROM loss_report "
            "WHERE member_id = ? AND document_kind = ? AND reissue_id IS NULL AND received_on <= ? "
            "ORDER BY received_on, id LIMIT 1)",
            (doc_id, member_id, cert, issued_on))


def _register(db: peewee.Database, migrator: SqliteMigrator) -> None:
    """The member register (R16, R17): employer.symbol, the register's history, former names and
    the queue of documents awaiting issue. Each employer gets the 記号 its members have."""
    from playhouse.migrate import migrate

    from clerk_tui.db.models import Employer, FormerName, IssueRequest, MemberHistory

    migrate(migrator.add_column("employer", "symbol", Employer.symbol))
    db.create_tables([MemberHistory, FormerName, IssueRequest])
    assign_employer_symbols(db.execute_sql)


def assign_employer_symbols(execute: Callable[..., object]) -> None:
    """Give each employer without a 記号 the one most of its members have (the lowest when tied),
    unless another employer has it already. For the version-3 migration and for rows written
    without the enrolment service (scenario files, the synthetic generator). `execute(sql,
    params)` runs a statement on the caller's connection (inside its transaction)."""
    taken = {s for (s,) in execute("SELECT symbol FROM employer WHERE symbol IS NOT NULL", ()).fetchall()}
    rows = execute(
        "SELECT employer_id, symbol, COUNT(*) AS n FROM member GROUP BY employer_id, symbol "
        "ORDER BY employer_id, n DESC, symbol", ()).fetchall()
    done = {i for (i,) in execute("SELECT id FROM employer WHERE symbol IS NOT NULL", ()).fetchall()}
    for employer_id, symbol, _n in rows:
        if employer_id in done or symbol in taken:
            continue
        execute("UPDATE employer SET symbol = ? WHERE id = ?", (symbol, employer_id))
        taken.add(symbol)
        done.add(employer_id)


def _former_name_search(db: peewee.Database, migrator: SqliteMigrator) -> None:
    """The trigram index over former names (旧姓), so that the search finds members by them."""
    from clerk_tui.db import search

    search.create_former_name_index(db)


def _covering_reading_index(db: peewee.Database, migrator: SqliteMigrator) -> None:
    """The reading index (member.kana_key) becomes (kana_key, id, lost_on), so that a kana search
    tells 在籍 from 喪失 among the first readings without reading each member's row."""
    db.execute_sql('DROP INDEX IF EXISTS "member_kana_key"')
    db.execute_sql('CREATE INDEX IF NOT EXISTS "member_kana_key_id_lost_on" '
                   'ON "member" ("kana_key", "id", "lost_on")')


def _audit_lookup_indexes(db: peewee.Database, migrator: SqliteMigrator) -> None:
    """Indexes of the audit log for the lookups of clerk actions, so that none reads every entry:
    (table_name, record_id, action) for one record's entries (the withdrawal a cancel_loss
    undoes, an employer's batch prints), and clerk alone in place of (clerk, at), so that a
    clerk's newest entries (the audit screen) come in index order instead of all of them being
    sorted. Creating or dropping an index neither updates nor deletes a row: the append-only
    triggers do not fire and the hash chain is untouched. Plain SQL, so that this migration
    stays what it is whatever the model says later."""
    db.execute_sql('CREATE INDEX IF NOT EXISTS "audit_entry_table_name_record_id_action" '
                   'ON "audit_entry" ("table_name", "record_id", "action")')
    db.execute_sql('DROP INDEX IF EXISTS "audit_entry_clerk_at"')
    db.execute_sql('CREATE INDEX IF NOT EXISTS "audit_entry_clerk" ON "audit_entry" ("clerk")')


# Append new migrations here; never edit one that has been released.
MIGRATIONS: list[Migration] = [
    Migration(1, "initial schema", _initial),
    Migration(2, "loss_report.reissue: one reissue per 滅失届", _loss_report_reissue),
    Migration(3, "member register: employer.symbol, history, former names, issue queue", _register),
    Migration(4, "search: full-text index of former names", _former_name_search),
    Migration(5, "search: the reading index holds id and lost_on", _covering_reading_index),
    Migration(6, "audit: the entries indexed by record and action, and by clerk", _audit_lookup_indexes),
]

LATEST_VERSION = MIGRATIONS[-1].version


def create_engine_objects(db: peewee.Database) -> None:
    """Triggers and full-text tables that the models cannot express."""
    from clerk_tui.db import search, triggers

    triggers.create_audit_triggers(db)
    search.create_search_objects(db)


def current_version(db: peewee.Database) -> int:
    """The latest migration stamped in the database; 0 for a database without a schema."""
    exists = db.execute_sql("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?",
                            (VERSION_TABLE,)).fetchone()
    if exists is None:
        return 0
    (row,) = db.execute_sql(f"SELECT MAX(version) FROM {VERSION_TABLE}").fetchone()
    return int(row or 0)


def _stamp(version: int, name: str) -> None:
    from clerk_tui.db.models import SchemaMigration

    SchemaMigration.insert(
        version=version, name=name, applied_at=datetime.now(timezone.utc)
    ).on_conflict_ignore().execute()


def init_schema(db: peewee.Database) -> int:
    """Create every table on an empty database; on an existing one, only upgrade."""
    from clerk_tui.db import settings
    from clerk_tui.db.models import ALL_MODELS

    with db.atomic("IMMEDIATE"):
        if current_version(db) == 0:
            db.create_tables(ALL_MODELS)
            create_engine_objects(db)
            for m in MIGRATIONS:
                _stamp(m.version, m.name)
            settings.ensure_database_id()
            return LATEST_VERSION
    return upgrade(db)


def upgrade(db: peewee.Database) -> int:
    version = current_version(db)
    if version == 0:
        return init_schema(db)
    if version > LATEST_VERSION:
        raise DomainError(
            f"データベースのスキーマ版 {version} はこのプログラム（版 {LATEST_VERSION}）より新しいです。"
            "プログラムを更新してください。"
        )
    from playhouse.migrate import SqliteMigrator

    from clerk_tui.db import settings, triggers

    migrator = SqliteMigrator(db)
    for m in MIGRATIONS:
        if m.version > version:
            with db.atomic("IMMEDIATE"):
                m.apply(db, migrator)
                _stamp(m.version, m.name)
    with db.atomic("IMMEDIATE"):
        # Anyone who can write the file can drop the audit trail's triggers: put them back.
        triggers.restore_audit_triggers(db)
        settings.ensure_database_id()
    return current_version(db)


def require_current(db: peewee.Database) -> None:
    version = current_version(db)
    if version != LATEST_VERSION:
        raise DomainError(
            f"データベースのスキーマ版は {version} です（必要な版: {LATEST_VERSION}）。"
            "`clerk-tui db upgrade` を実行してください。"
        )


def schema_sql(db: peewee.Database) -> str:
    """The DDL of every object, in a stable order: what `schema/schema.sql` holds."""
    from clerk_tui.db import search

    rows = db.execute_sql(
        "SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL "
        "AND name NOT LIKE 'sqlite_%' ORDER BY CASE type WHEN 'table' THEN 0 WHEN 'index' THEN 1 "
        "ELSE 2 END, name"
    ).fetchall()
    out = ["-- Generated by scripts/dump_schema.py from clerk_tui/db/models.py. Do not edit.",
           f"-- schema version {LATEST_VERSION}", ""]
    for _type, _name, sql in rows:
        if _type == "table" and any(_name.startswith(fts + "_") for fts, _ in search.INDEXES):
            continue  # FTS5 shadow tables
        out.append(sql.strip() + ";")
        out.append("")
    return "\n".join(out)
