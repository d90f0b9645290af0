"""The shared database file: engine, pragmas, permissions, schema versioning and drift, the
append-only hash-chained audit trail, and the db/audit commands."""

from __future__ import annotations

import os
import sqlite3
import stat
import sys
from pathlib import Path

import peewee
import pytest

from clerk_tui.cli import main
from clerk_tui.db import schema
from clerk_tui.db.database import DatabaseAccessError, open_database
from clerk_tui.db.models import AuditEntry, Employer, Member
from clerk_tui.domain.codes import AuditKind
from clerk_tui.domain.errors import DomainError
from clerk_tui.services import audit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))


def test_pragmas_for_many_clerks(db):
    assert db.execute_sql("pragma journal_mode").fetchone()[0] == "wal"
    assert db.execute_sql("pragma foreign_keys").fetchone()[0] == 1
    assert db.execute_sql("pragma synchronous").fetchone()[0] == 2  # FULL
    # A write waits for another clerk's rather than failing: test_concurrency shows it.
    assert db.execute_sql("pragma busy_timeout").fetchone()[0] >= 10_000
    version = tuple(int(p) for p in db.execute_sql("select sqlite_version()").fetchone()[0].split("."))
    assert version >= (3, 51, 3)


def test_database_file_is_private_to_the_group(db_path, db):
    mode = stat.S_IMODE(db_path.stat().st_mode)
    assert mode & 0o007 == 0, oct(mode)


def test_a_data_directory_the_program_makes_is_private_to_the_group(tmp_path):
    path = tmp_path / "new" / "data" / "clerk.db"
    open_database(path).close()
    for folder in (path.parent, path.parent.parent):
        assert stat.S_IMODE(folder.stat().st_mode) & 0o007 == 0, folder


def test_refuses_a_database_others_can_read(db_path, db):
    db.close()
    os.chmod(db_path, 0o664)
    with pytest.raises(DatabaseAccessError) as err:
        open_database(db_path)
    assert "chmod o-rwx" in err.value.message
    assert main(["db", "check", "--db", str(db_path)]) == 2


def test_schema_sql_matches_models():
    from dump_schema import current_schema_sql

    committed = (ROOT / "schema" / "schema.sql").read_text(encoding="utf-8")
    assert current_schema_sql() == committed, "run scripts/dump_schema.py and commit schema/schema.sql"


def test_schema_version_is_recorded_and_upgrade_is_idempotent(db):
    assert schema.current_version(db) == schema.LATEST_VERSION
    assert schema.upgrade(db) == schema.LATEST_VERSION
    assert schema.init_schema(db) == schema.LATEST_VERSION


def test_newer_schema_is_refused(db):
    with db.atomic():
        db.execute_sql("insert into schema_migration(version, name, applied_at) values (?, 'future', '2030-01-01')",
                       (schema.LATEST_VERSION + 1,))
    with pytest.raises(DomainError, match="新しい"):
        schema.upgrade(db)


def test_member_code_is_unique(db, ctx):
    from tests.factories import make_employer, make_member

    emp = make_employer(ctx)
    make_member(ctx, emp, symbol="1001", number="1", branch="00")
    with pytest.raises(peewee.IntegrityError):
        make_member(ctx, emp, symbol="1001", number="1", branch="00")


def _audit_some(ctx, n=3):
    for i in range(n):
        ctx.write(lambda i=i: audit.record(ctx, AuditKind.WRITE, "test.action", table="member",
                                           record_id=i + 1, summary={"i": i}))


def test_audit_chain_verifies(ctx):
    _audit_some(ctx)
    result = audit.verify()
    assert result.ok and result.checked == 3
    entries = list(AuditEntry.select().order_by(AuditEntry.id))
    assert entries[1].prev_hash == entries[0].hash
    assert all(e.clerk == "tester" for e in entries)


def test_audit_is_append_only(ctx, db):
    _audit_some(ctx)
    with pytest.raises(peewee.IntegrityError, match="append-only"):
        with db.atomic():
            db.execute_sql("update audit_entry set action='x' where id=1")
    with pytest.raises(peewee.IntegrityError, match="append-only"):
        with db.atomic():
            db.execute_sql("delete from audit_entry where id=2")
    assert audit.verify().ok


def _tamper(db_path, sql):
    conn = sqlite3.connect(db_path)
    conn.execute("drop trigger audit_entry_no_update")
    conn.execute("drop trigger audit_entry_no_delete")
    conn.execute(sql)
    conn.commit()
    conn.close()


def test_audit_verify_finds_a_changed_entry(ctx, db_path, capsys):
    _audit_some(ctx, 4)
    _tamper(db_path, "update audit_entry set clerk='someone' where id=3")
    result = audit.verify()
    assert not result.ok and result.entry_id == 3
    assert main(["audit", "verify", "--db", str(db_path)]) == 1
    assert "3 番" in capsys.readouterr().err


def test_audit_verify_finds_a_deleted_entry(ctx, db_path):
    _audit_some(ctx, 4)
    _tamper(db_path, "delete from audit_entry where id=2")
    result = audit.verify()
    assert not result.ok and result.entry_id == 2
    assert "削除" in result.problem


def test_db_commands(tmp_path, capsys):
    path = tmp_path / "new.db"
    assert main(["db", "init", "--db", str(path)]) == 0
    assert main(["--db", str(path), "db", "check"]) == 0
    out = capsys.readouterr().out
    assert "integrity_check): ok" in out and f"スキーマ版: {schema.LATEST_VERSION}" in out
    assert main(["db", "upgrade", "--db", str(path)]) == 0
    dest = tmp_path / "backup" / "copy.db"
    assert main(["db", "backup", str(dest), "--db", str(path)]) == 0
    assert stat.S_IMODE(dest.stat().st_mode) & 0o007 == 0
    conn = sqlite3.connect(dest)
    assert conn.execute("pragma integrity_check").fetchone()[0] == "ok"
    assert conn.execute("select max(version) from schema_migration").fetchone()[0] == schema.LATEST_VERSION


def test_check_refuses_missing_database(tmp_path, capsys):
    assert main(["db", "check", "--db", str(tmp_path / "none.db")]) == 2
    assert "db init" in capsys.readouterr().err


def test_bad_today_is_a_clear_error(capsys):
    with pytest.raises(SystemExit):
        main(["--today", "令和7年2月30日", "db", "check"])
    assert "存在しない日付" in capsys.readouterr().err


def test_employer_keys_present(ctx):
    from tests.factories import make_employer

    emp = make_employer(ctx, name="株式会社テスト")
    assert Employer.get_by_id(emp.id).name_key
    assert Member.select().count() == 0



def test_reindex_repairs_stale_search_keys(ctx, db, db_path, capsys):
    from tests.factories import make_employer, make_member

    m = make_member(ctx, make_employer(ctx), family_name="髙橋", family_name_kana="タカハシ")
    # As if the key had been stored before 髙/高 was in the variant table.
    ctx.write(lambda: Member.update(name_key="髙橋太郎").where(Member.id == m.id).execute())
    assert main(["db", "reindex", "--db", str(db_path)]) == 0
    assert "変更 1 人" in capsys.readouterr().out
    assert Member.get_by_id(m.id).name_key == "高橋太郎"
    hits = db.execute_sql("select rowid from member_fts where member_fts match ?", ('"高橋太"',)).fetchall()
    assert hits == [(m.id,)]
    assert AuditEntry.select().where(AuditEntry.action == "db.reindex").count() == 1


def test_reindex_repairs_the_keys_of_former_names_too(ctx, db, db_path, capsys):
    from clerk_tui.db.models import FormerName
    from clerk_tui.services.search import search_members

    from tests.factories import make_employer, make_former_name, make_member

    m = make_member(ctx, make_employer(ctx), family_name="佐藤", family_name_kana="サトウ")
    f = make_former_name(ctx, m, family_name="髙橋", family_name_kana="タカハシ")
    ctx.write(lambda: FormerName.update(name_key="髙橋太郎").where(FormerName.id == f.id).execute())
    assert search_members(ctx, "高橋太郎").rows == ()
    assert main(["db", "reindex", "--db", str(db_path)]) == 0
    assert FormerName.get_by_id(f.id).name_key == "高橋太郎"
    [row] = search_members(ctx, "高橋太郎").rows
    assert (row.member_id, row.former_name) == (m.id, "髙橋\u3000太郎")


def test_upgrade_applies_pending_migrations_in_order(db, monkeypatch):
    """A later release adds a migration; `db upgrade` applies it once, in its own transaction."""
    from playhouse.migrate import migrate

    applied = []
    nxt = schema.LATEST_VERSION + 1

    def add_note_column(database, migrator):
        migrate(migrator.add_column("employer", "note", peewee.TextField(null=True)))
        applied.append(nxt)

    monkeypatch.setattr(schema, "MIGRATIONS", schema.MIGRATIONS + [schema.Migration(nxt, "employer note", add_note_column)])
    monkeypatch.setattr(schema, "LATEST_VERSION", nxt)
    assert schema.upgrade(db) == nxt
    assert "note" in [c.name for c in db.get_columns("employer")]
    assert schema.upgrade(db) == nxt and applied == [nxt]


def test_failed_migration_leaves_the_version(db, monkeypatch):
    def broken(database, migrator):
        database.execute_sql("create table half_done(x)")
        raise RuntimeError("boom")

    before = schema.LATEST_VERSION
    monkeypatch.setattr(schema, "MIGRATIONS", schema.MIGRATIONS + [schema.Migration(before + 1, "broken", broken)])
    monkeypatch.setattr(schema, "LATEST_VERSION", before + 1)
    with pytest.raises(RuntimeError):
        schema.upgrade(db)
    assert schema.current_version(db) == before and not db.table_exists("half_done")


def test_version_2_links_earlier_reissues_to_their_loss_reports(db, ctx):
    """A version-1 database gains loss_report.reissue; a 紛失 reissue already made uses up the
    滅失届 it followed, so that report cannot carry a second reissue after the upgrade."""
    from datetime import date

    from clerk_tui.db.models import Document, LossReport
    from clerk_tui.domain.codes import DocumentKind, IssueReason, LossCircumstance

    from tests.factories import make_employer, make_member

    m = make_member(ctx, make_employer(ctx))
    cert = DocumentKind.ELIGIBILITY_CERTIFICATE

    def report(received):
        return LossReport.create(member=m, document_kind=cert, received_on=received, lost_on=received,
                                 circumstance=LossCircumstance.MISLAID).id

    used, spare = report(date(2025, 6, 1)), report(date(2025, 9, 1))
    reissue = Document.create(member=m, kind=cert, serial="C1", issued_on=date(2025, 6, 5),
                              reason=IssueReason.LOST).id
    # Back to version 1: no reissue column, no version-2 stamp.
    v1_columns = ('"id", "version", "updated_at", "updated_by", "member_id", "document_id", "document_kind", '
                  '"received_on", "lost_on", "circumstance", "police_report_ref", "reissue_requested", "found_on"')
    db.execute_sql(
        'CREATE TABLE "loss_report_v1" ("id" INTEGER NOT NULL PRIMARY KEY, "version" INTEGER NOT NULL, '
        '"updated_at" DATETIME, "updated_by" VARCHAR(64), "member_id" INTEGER NOT NULL, "document_id" INTEGER, '
        '"document_kind" VARCHAR(32) NOT NULL, "received_on" DATE NOT NULL, "lost_on" DATE NOT NULL, '
        '"circumstance" VARCHAR(32) NOT NULL, "police_report_ref" VARCHAR(60), "reissue_requested" INTEGER NOT NULL, '
        '"found_on" DATE, FOREIGN KEY ("member_id") REFERENCES "member" ("id") ON DELETE RESTRICT, '
        'FOREIGN KEY ("document_id") REFERENCES "document" ("id") ON DELETE RESTRICT)')
    db.execute_sql(f'INSERT INTO "loss_report_v1" ({v1_columns}) SELECT {v1_columns} FROM "loss_report"')
    db.execute_sql('DROP TABLE "loss_report"')
    db.execute_sql('ALTER TABLE "loss_report_v1" RENAME TO "loss_report"')
    db.execute_sql('CREATE INDEX "loss_report_document_id" ON "loss_report" ("document_id")')
    db.execute_sql('CREATE INDEX "loss_report_member_id" ON "loss_report" ("member_id")')
    _back_to_version_2(db)
    db.execute_sql("DELETE FROM schema_migration WHERE version >= 2")
    assert schema.current_version(db) == 1

    assert schema.upgrade(db) == schema.LATEST_VERSION >= 2
    assert LossReport.get_by_id(used).reissue_id == reissue
    assert LossReport.get_by_id(spare).reissue_id is None
    # The same column, foreign key and unique index as a new database has.
    assert "reissue_id" in [c.name for c in db.get_columns("loss_report")]
    assert ("reissue_id", "document") in [(f.column, f.dest_table) for f in db.get_foreign_keys("loss_report")]
    assert [i.unique for i in db.get_indexes("loss_report") if i.columns == ["reissue_id"]] == [True]


# The version that indexes former names (its number may change when branches are merged).
FORMER_NAME_INDEX = next(m.version for m in schema.MIGRATIONS if m.apply is schema._former_name_search)


def _before_former_name_index(db):
    """Undo the former names' index on a new database (and any later version)."""
    db.execute_sql("DROP TABLE former_name_fts")  # its triggers on former_name stay: dropped below
    for event in ("insert", "delete", "update"):
        db.execute_sql(f"DROP TRIGGER former_name_fts_{event}")
    db.execute_sql("DELETE FROM schema_migration WHERE version >= ?", (FORMER_NAME_INDEX,))


def _back_to_version_2(db):
    """Undo version 3 on a new database: no register tables, no employer.symbol."""
    _before_former_name_index(db)
    for table in ("issue_request", "former_name", "member_history"):
        db.execute_sql(f'DROP TABLE "{table}"')
    for index in db.get_indexes("employer"):
        if index.columns == ["symbol"]:
            db.execute_sql(f'DROP INDEX "{index.name}"')
    db.execute_sql('ALTER TABLE "employer" DROP COLUMN "symbol"')
    db.execute_sql("DELETE FROM schema_migration WHERE version >= 3")


def test_version_3_gives_each_employer_the_symbol_of_its_members(db, ctx, tmp_path):
    """A version-2 database gains the register's tables, and each employer the 記号 most of its
    members have; a 記号 already taken by another employer is not given twice. The upgraded
    schema is the same as a new database's."""
    from clerk_tui.db.models import Employer

    from tests.factories import make_employer, make_member

    first, second, empty = make_employer(ctx, code="E1"), make_employer(ctx, code="E2"), make_employer(ctx, code="E3")
    make_member(ctx, first, symbol="1001", number="1")
    make_member(ctx, first, symbol="1001", number="2")
    make_member(ctx, first, symbol="0999", number="3")
    make_member(ctx, second, symbol="1001", number="4")  # only its 記号 is the first employer's
    make_member(ctx, second, symbol="2002", number="5")
    fresh = schema.schema_sql(db)
    _back_to_version_2(db)
    assert schema.current_version(db) == 2

    assert schema.upgrade(db) == schema.LATEST_VERSION >= 3
    symbols = {e.code: e.symbol for e in Employer.select()}
    assert symbols["E1"] == "1001"
    assert symbols["E2"] in ("1001", "2002") and symbols["E2"] != symbols["E1"]
    assert symbols["E3"] is None
    assert schema.schema_sql(db) == fresh


def test_the_former_name_index_covers_the_former_names_already_recorded(db, ctx):
    """Former names written under version 3 are found by the search after the upgrade, and the
    upgraded schema is the same as a new database's."""
    from clerk_tui.services.search import search_members

    from tests.factories import make_employer, make_former_name, make_member

    member = make_member(ctx, make_employer(ctx), family_name="佐藤", family_name_kana="サトウ")
    fresh = schema.schema_sql(db)
    _before_former_name_index(db)
    assert schema.current_version(db) == FORMER_NAME_INDEX - 1
    make_former_name(ctx, member, family_name="山田", family_name_kana="ヤマダ")  # written before

    assert schema.upgrade(db) == schema.LATEST_VERSION >= FORMER_NAME_INDEX
    [row] = search_members(ctx, "山田太郎").rows
    assert (row.member_id, row.former_name) == (member.id, "山田\u3000太郎")
    assert schema.schema_sql(db) == fresh
    db.execute_sql("INSERT INTO former_name_fts(former_name_fts, rank) VALUES ('integrity-check', 1)")


READING_INDEX = next(m.version for m in schema.MIGRATIONS if m.apply is schema._covering_reading_index)


def test_the_reading_index_gains_id_and_lost_on_and_the_search_reads_it_alone(db, ctx):
    """A version-4 database's reading index (kana_key alone) becomes (kana_key, id, lost_on); the
    schema is then a new database's, and a kana search tells 在籍 members from the index alone."""
    from clerk_tui.db import queries
    from clerk_tui.services.search import search_members

    from tests.factories import make_employer, make_member

    employer = make_employer(ctx)
    for given, reading in (("一郎", "イチロウ"), ("二郎", "ジロウ")):
        make_member(ctx, employer, family_name="佐藤", given_name=given, family_name_kana="サトウ",
                    given_name_kana=reading)
    fresh = schema.schema_sql(db)
    db.execute_sql('DROP INDEX "member_kana_key_id_lost_on"')
    db.execute_sql('CREATE INDEX "member_kana_key" ON "member" ("kana_key")')
    db.execute_sql("DELETE FROM schema_migration WHERE version >= ?", (READING_INDEX,))

    assert schema.upgrade(db) == schema.LATEST_VERSION >= READING_INDEX
    assert schema.schema_sql(db) == fresh
    assert {r.name_kana for r in search_members(ctx, "さとう").rows} == {"サトウ\u3000イチロウ",
                                                                        "サトウ\u3000ジロウ"}
    sql = queries._NAME_SQL[True]["active_page"]
    params = {"key": "サトウ", "upper": "サトヴ", "cap": 500, "today": "2026-04-01", "limit": 51}
    plan = [row[3] for row in db.execute_sql("EXPLAIN QUERY PLAN " + sql, params)]
    assert any("COVERING INDEX member_kana_key_id_lost_on" in line for line in plan), plan


AUDIT_INDEXES = next(m.version for m in schema.MIGRATIONS if m.apply is schema._audit_lookup_indexes)


def test_the_audit_log_gains_its_lookup_indexes_with_every_entry_and_the_chain_untouched(db, ctx, db_path, capsys):
    """A database of the version before the audit log's lookup indexes gains them on upgrade
    ((table_name, record_id, action), and clerk in place of (clerk, at)): the schema is then a new
    database's, every entry is as it was, the chain and the append-only triggers still check, and
    a withdrawal recorded before the upgrade is found through the index when it is cancelled."""
    from datetime import date

    from clerk_tui.db import triggers
    from clerk_tui.domain.codes import WithdrawalReason
    from clerk_tui.services import maintenance
    from clerk_tui.services.withdrawal import cancel_loss, record_withdrawal

    from tests.factories import make_employer, make_member

    employer = make_employer(ctx)
    insured = make_member(ctx, employer, symbol="2001", number="5")
    fresh = schema.schema_sql(db)
    db.execute_sql('DROP INDEX "audit_entry_table_name_record_id_action"')
    db.execute_sql('DROP INDEX "audit_entry_clerk"')
    db.execute_sql('CREATE INDEX "audit_entry_clerk_at" ON "audit_entry" ("clerk", "at")')
    db.execute_sql("DELETE FROM schema_migration WHERE version >= ?", (AUDIT_INDEXES,))
    assert schema.current_version(db) == AUDIT_INDEXES - 1
    record_withdrawal(ctx, insured.id, lost_on=date(2025, 11, 21), reason=WithdrawalReason.RETIREMENT)
    before = db.execute_sql("SELECT * FROM audit_entry ORDER BY id").fetchall()
    assert any(row[6:8] == ("member", insured.id) for row in before)

    assert schema.upgrade(db) == schema.LATEST_VERSION >= AUDIT_INDEXES
    assert schema.schema_sql(db) == fresh
    assert db.execute_sql("SELECT * FROM audit_entry ORDER BY id").fetchall() == before
    assert audit.verify().ok and triggers.audit_trigger_problems(db) == []
    assert maintenance.check(db).ok
    assert main(["db", "check", "--db", str(db_path)]) == 0
    assert "監査ログの保護トリガー: 正常" in capsys.readouterr().out

    lookup = ('SELECT "id" FROM "audit_entry" WHERE "record_id" = ? AND "table_name" = ? AND "action" IN (?, ?) '
              'ORDER BY "id" DESC LIMIT 1')
    params = (insured.id, "member", "member.withdraw", "member.remove_dependent")
    plan = [row[3] for row in db.execute_sql("EXPLAIN QUERY PLAN " + lookup, params)]
    assert any("INDEX audit_entry_table_name_record_id_action" in line for line in plan), plan
    assert cancel_loss(ctx, insured.id, reason="退職の取り消し").members == [insured.id]
