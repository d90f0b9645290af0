"""The audit chain's head written outside the database (an anchor): one line holding the time, the
database's id and path, the number of entries and the hash of the last one. Nothing personal:
only counts and hashes. The same line goes to the anchor file and to the system log, and is found
again inside any line that contains it (a syslog or journal line has its own prefix)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass

MARKER = "CLERK-TUI-AUDIT-ANCHOR"
_HASH = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True)
class Anchor:
    at: str
    database_id: str | None
    path: str
    count: int  # entries 1..count existed, the last with hash `head`
    head: str
    source: str = ""  # where it was read, e.g. "/var/lib/clerk-tui/audit-anchors:12"


def format_anchor(*, at: str, database_id: str | None, path: str, count: int, head: str) -> str:
    body = json.dumps({"at": at, "db": database_id, "path": path, "count": count, "head": head},
                      ensure_ascii=True, separators=(",", ":"))
    return f"{MARKER} {body}"


def parse_anchors(lines: Iterable[str], source: str) -> tuple[list[Anchor], list[str]]:
    """Every anchor in `lines`, and the places of lines that carry the marker but cannot be read
    (a damaged anchor is reported, never skipped silently)."""
    anchors: list[Anchor] = []
    bad: list[str] = []
    for number, line in enumerate(lines, start=1):
        where = line.find(MARKER)
        if where < 0:
            continue
        place = f"{source}:{number}"
        try:
            data = json.loads(line[where + len(MARKER):].strip())
            count, head, path, at, db = data["count"], data["head"], data["path"], data["at"], data["db"]
            if (not isinstance(count, int) or isinstance(count, bool) or count < 0
                    or not isinstance(head, str) or not _HASH.fullmatch(head)
                    or not isinstance(path, str) or not isinstance(at, str)
                    or not (db is None or isinstance(db, str))):
                raise ValueError
        except (ValueError, KeyError, TypeError):
            bad.append(place)
            continue
        anchors.append(Anchor(at=at, database_id=db, path=path, count=count, head=head, source=place))
    return anchors, bad
