"""SQLite triggers that keep the audit trail append-only. Engine-specific: a PostgreSQL port
replaces this module."""

AUDIT_APPEND_ONLY = [
    """CREATE TRIGGER IF NOT EXISTS audit_entry_no_update BEFORE UPDATE ON audit_entry
BEGIN SELECT RAISE(ABORT, 'audit_entry is append-only'); END""",
    """CREATE TRIGGER IF NOT EXISTS audit_entry_no_delete BEFORE DELETE ON audit_entry
BEGIN SELECT RAISE(ABORT, 'audit_entry is append-only'); END""",
]


def create_audit_triggers(db) -> None:
    for sql in AUDIT_APPEND_ONLY:
        db.execute_sql(sql)


def drop_audit_triggers(db) -> None:
    """Only for `fixtures load --reset` on a training database, inside its transaction."""
    db.execute_sql("DROP TRIGGER IF EXISTS audit_entry_no_update")
    db.execute_sql("DROP TRIGGER IF EXISTS audit_entry_no_delete")
