"""Engine-specific search structures: an FTS5 trigram index over the members' name keys, kept in
step with the member table by triggers. Queries live beside it (clerk_tui.db.queries)."""

from __future__ import annotations

import peewee

FTS_TABLE = "member_fts"

_DDL = [
    # External content: the index stores only trigrams; the keys live in `member`.
    f"""CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5(
    name_key, kana_key, content='member', content_rowid='id', tokenize='trigram')""",
    f"""CREATE TRIGGER IF NOT EXISTS member_fts_insert AFTER INSERT ON member BEGIN
    INSERT INTO {FTS_TABLE}(rowid, name_key, kana_key) VALUES (new.id, new.name_key, new.kana_key);
END""",
    f"""CREATE TRIGGER IF NOT EXISTS member_fts_delete AFTER DELETE ON member BEGIN
    INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, name_key, kana_key)
    VALUES ('delete', old.id, old.name_key, old.kana_key);
END""",
    f"""CREATE TRIGGER IF NOT EXISTS member_fts_update AFTER UPDATE OF name_key, kana_key ON member
BEGIN
    INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, name_key, kana_key)
    VALUES ('delete', old.id, old.name_key, old.kana_key);
    INSERT INTO {FTS_TABLE}(rowid, name_key, kana_key) VALUES (new.id, new.name_key, new.kana_key);
END""",
]

_TRIGGERS = ("member_fts_insert", "member_fts_delete", "member_fts_update")


def create_search_objects(db: peewee.Database) -> None:
    for sql in _DDL:
        db.execute_sql(sql)


def suspend_index(db: peewee.Database) -> None:
    """For bulk loads: drop the per-row triggers; `rebuild_index` then indexes in one pass."""
    for name in _TRIGGERS:
        db.execute_sql(f"DROP TRIGGER IF EXISTS {name}")


def rebuild_index(db: peewee.Database) -> None:
    db.execute_sql(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')")
    create_search_objects(db)
