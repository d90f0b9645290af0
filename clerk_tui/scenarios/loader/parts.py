"""The natural keys of the parts of a scenario already loaded, each with the place of its entry,
so that a second entry with the same key in a later part is reported with the place of the first,
as within one file. They are kept in a table of the database itself, created and dropped inside
the load's transaction (so nobody else ever sees it): a million members' and documents' keys
would take hundreds of megabytes in memory, and this SQLite keeps TEMP tables in memory."""

from __future__ import annotations

from collections.abc import Iterator

import peewee

from clerk_tui.scenarios.loader.records import _Batch, place_of, report_repeat
from clerk_tui.scenarios.loader.references import ROW_KEYS, _chunks
from clerk_tui.scenarios.loader.values import _Entry

_TABLE = "scenario_load_seen"


class SeenKeys:
    """The keys of the parts loaded so far in this transaction (`close` drops the table; a
    failed load rolls it back with everything else)."""

    def __init__(self, db: peewee.Database) -> None:
        self.cursor = db.cursor()
        self.cursor.execute(
            f"CREATE TABLE IF NOT EXISTS {_TABLE} (kind TEXT NOT NULL, key TEXT NOT NULL, "
            "place TEXT NOT NULL, PRIMARY KEY (kind, key)) WITHOUT ROWID")
        self.cursor.execute(f"DELETE FROM {_TABLE}")

    def close(self) -> None:
        self.cursor.execute(f"DROP TABLE IF EXISTS {_TABLE}")

    def check_and_add(self, batch: _Batch) -> None:
        """Report every entry of the part whose key an earlier part used, then remember the
        part's keys."""
        entries: dict[str, list[tuple[str, _Entry]]] = {}
        for kind, key, e in _keyed_entries(batch):
            entries.setdefault(kind, []).append((key, e))
        what = {section: words for section, _key, words in ROW_KEYS}
        for kind, items in entries.items():
            by_key = dict(items)
            for chunk in _chunks(list(by_key)):
                sql = f"SELECT key, place FROM {_TABLE} WHERE kind = ? AND key IN ({','.join('?' * len(chunk))})"
                for key, place in self.cursor.execute(sql, [kind, *chunk]).fetchall():
                    e = by_key[key]
                    if kind in what:
                        e.problem(None, f"{what[kind]}が {place} にもあります。")
                    else:
                        report_repeat(e, kind, key, place)
            self.cursor.executemany(f"INSERT OR IGNORE INTO {_TABLE} (kind, key, place) VALUES (?, ?, ?)",
                                    [(kind, key, place_of(e)) for key, e in items])


def _keyed_entries(batch: _Batch) -> Iterator[tuple[str, str, _Entry]]:
    """(kind, natural key as text, entry) of every entry the part would write."""
    for code, (e, _row) in batch.employers.items():
        yield "employer", code, e
    for key, person in batch.members.items():
        assert person.entry is not None
        yield "member", key, person.entry
    for serial, (e, _row) in batch.documents.items():
        yield "document", serial, e
    for section, key_of, _what in ROW_KEYS:
        for e, row in getattr(batch, section):
            if not e.bad:
                key = key_of(row)
                yield section, "|".join(map(str, key)) if isinstance(key, tuple) else str(key), e
