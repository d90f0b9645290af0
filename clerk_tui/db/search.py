"""Engine-specific search structures: FTS5 trigram indexes over the name keys of the members and of
their former names (旧姓), kept in step with their tables by triggers. Queries live beside it
(clerk_tui.db.queries)."""

from __future__ import annotations

import peewee

FTS_TABLE = "member_fts"
FORMER_FTS_TABLE = "former_name_fts"
# Each index: (FTS table, the table whose rows it indexes). Both index name_key and kana_key.
INDEXES = ((FTS_TABLE, "member"), (FORMER_FTS_TABLE, "former_name"))


def _ddl(fts: str, content: str) -> list[str]:
    # External content: the index stores only trigrams; the keys live in the content table.
    return [
        f"""CREATE VIRTUAL TABLE IF NOT EXISTS {fts} USING fts5(
    name_key, kana_key, content='{content}', content_rowid='id', tokenize='trigram')""",
        f"""CREATE TRIGGER IF NOT EXISTS {fts}_insert AFTER INSERT ON {content} BEGIN
    INSERT INTO {fts}(rowid, name_key, kana_key) VALUES (new.id, new.name_key, new.kana_key);
END""",
        f"""CREATE TRIGGER IF NOT EXISTS {fts}_delete AFTER DELETE ON {content} BEGIN
    INSERT INTO {fts}({fts}, rowid, name_key, kana_key)
    VALUES ('delete', old.id, old.name_key, old.kana_key);
END""",
        f"""CREATE TRIGGER IF NOT EXISTS {fts}_update AFTER UPDATE OF name_key, kana_key ON {content}
BEGIN
    INSERT INTO {fts}({fts}, rowid, name_key, kana_key)
    VALUES ('delete', old.id, old.name_key, old.kana_key);
    INSERT INTO {fts}(rowid, name_key, kana_key) VALUES (new.id, new.name_key, new.kana_key);
END""",
    ]


def create_search_objects(db: peewee.Database) -> None:
    for fts, content in INDEXES:
        for sql in _ddl(fts, content):
            db.execute_sql(sql)


def create_former_name_index(db: peewee.Database) -> None:
    """The former names' index on a database that had none (a migration): created, then filled."""
    for sql in _ddl(FORMER_FTS_TABLE, "former_name"):
        db.execute_sql(sql)
    db.execute_sql(f"INSERT INTO {FORMER_FTS_TABLE}({FORMER_FTS_TABLE}) VALUES ('rebuild')")


def suspend_index(db: peewee.Database) -> None:
    """For bulk loads: drop the per-row triggers; `rebuild_index` then indexes in one pass."""
    for fts, _content in INDEXES:
        for event in ("insert", "delete", "update"):
            db.execute_sql(f"DROP TRIGGER IF EXISTS {fts}_{event}")


def rebuild_index(db: peewee.Database) -> None:
    """Index every row again, then merge the index into one segment ('optimize'): a rebuild of a
    million members leaves several segments, and each MATCH looks a trigram up in every segment
    (at 1M, one segment made the bare MATCH about twice as fast; the merge takes ~0.4 s)."""
    for fts, _content in INDEXES:
        db.execute_sql(f"INSERT INTO {fts}({fts}) VALUES ('rebuild')")
        db.execute_sql(f"INSERT INTO {fts}({fts}) VALUES ('optimize')")
    create_search_objects(db)
