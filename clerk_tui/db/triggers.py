"""SQLite triggers that keep the audit trail append-only. Engine-specific: a PostgreSQL port
replaces this module."""

AUDIT_APPEND_ONLY = [
    """CREATE TRIGGER IF NOT EXISTS audit_entry_no_update BEFORE UPDATE ON audit_entry
BEGIN SELECT RAISE(ABORT, 'audit_entry is append-only'); END""",
    """CREATE TRIGGER IF NOT EXISTS audit_entry_no_delete BEFORE DELETE ON audit_entry
BEGIN SELECT RAISE(ABORT, 'audit_entry is append-only'); END""",
]

AUDIT_TRIGGER_NAMES = ("audit_entry_no_update", "audit_entry_no_delete")


def _normal(sql: str) -> str:
    # SQLite stores the statement as written, without IF NOT EXISTS.
    return " ".join(sql.replace("IF NOT EXISTS ", "").split())


_EXPECTED = dict(zip(AUDIT_TRIGGER_NAMES, (_normal(sql) for sql in AUDIT_APPEND_ONLY)))


def create_audit_triggers(db) -> None:
    for sql in AUDIT_APPEND_ONLY:
        db.execute_sql(sql)


def drop_audit_triggers(db) -> None:
    """Only for `fixtures load --reset` on a training database, inside its transaction."""
    db.execute_sql("DROP TRIGGER IF EXISTS audit_entry_no_update")
    db.execute_sql("DROP TRIGGER IF EXISTS audit_entry_no_delete")


def audit_trigger_problems(db) -> list[str]:
    """What is wrong with the triggers protecting audit_entry: each protecting trigger missing
    or altered (a same-named trigger that does nothing), and any other trigger on the table."""
    rows = db.execute_sql("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
                          "AND tbl_name = 'audit_entry'").fetchall()
    found = {name: _normal(sql or "") for name, sql in rows}
    problems = []
    for name, expected in _EXPECTED.items():
        if name not in found:
            problems.append(f"{name} がありません")
        elif found[name] != expected:
            problems.append(f"{name} が書き換えられています")
    problems += [f"想定外のトリガー {name} があります" for name in sorted(found) if name not in _EXPECTED]
    return problems


def restore_audit_triggers(db) -> bool:
    """Put back missing or altered protecting triggers (and drop any other trigger on the
    table); True when something was changed. Run inside a transaction."""
    if not audit_trigger_problems(db):
        return False
    rows = db.execute_sql("SELECT name FROM sqlite_master WHERE type = 'trigger' "
                          "AND tbl_name = 'audit_entry'").fetchall()
    for (name,) in rows:
        db.execute_sql(f'DROP TRIGGER IF EXISTS "{name.replace(chr(34), chr(34) * 2)}"')
    create_audit_triggers(db)
    return True
