"""The audit trail: one hash-chained entry per write, print and view, in the same transaction as
the action it records. `verify` walks the chain and names the first broken entry, then compares
the chain with its anchors: heads recorded outside the database (anchor file, system log)."""

from __future__ import annotations

import hashlib
import json
import os
import stat
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import peewee

from clerk_tui.db import settings
from clerk_tui.db.models import AuditEntry, Member
from clerk_tui.db.prepared import Prepared
from clerk_tui.domain.audit_anchor import Anchor, format_anchor, parse_anchors
from clerk_tui.domain.codes import AuditKind
from clerk_tui.domain.errors import DomainError
from clerk_tui.services.context import Context, note_audit_head
from clerk_tui.services.rows import AuditEntryRow, to_row

GENESIS = "0" * 64


def _digest(prev_hash: str, at: str, clerk: str, origin: str | None, kind: str, action: str,
            table_name: str | None, record_id: int | None, member_id: int | None, summary: str) -> str:
    payload = json.dumps(
        [prev_hash, at, clerk, origin, kind, action, table_name, record_id, member_id, summary],
        ensure_ascii=False, separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def record(ctx: Context, kind: AuditKind, action: str, *, table: str | None = None,
           record_id: int | None = None, member_id: int | None = None,
           summary: dict[str, Any] | None = None) -> AuditEntry:
    """Append one entry. Must run inside the action's write transaction (the chain relies on
    the single writer that an IMMEDIATE transaction guarantees). `summary` holds ids, codes and
    dates only — never names, addresses or other personal text."""
    prev_hash = _LAST_HASH.scalar() or GENESIS
    at = ctx.clock.now().isoformat(timespec="microseconds")
    summary_text = json.dumps(summary or {}, ensure_ascii=False, sort_keys=True, default=str)
    values = (at, ctx.clerk, ctx.origin, kind.value, action, table, record_id, member_id, summary_text)
    entry_hash = _digest(prev_hash, *values)
    entry_id = _INSERT.execute(*values, prev_hash, entry_hash)
    note_audit_head(entry_id, entry_hash)  # sent to the system log once the transaction commits
    return AuditEntry(id=entry_id, at=at, clerk=ctx.clerk, origin=ctx.origin, kind=kind, action=action,
                      table_name=table, record_id=record_id, member_id=member_id, summary=summary_text,
                      prev_hash=prev_hash, hash=entry_hash)


# Every write runs these two inside the write lock: compiled once (see db.prepared).
_LAST_HASH = Prepared(AuditEntry, lambda p: AuditEntry.select(AuditEntry.hash)
                      .order_by(AuditEntry.id.desc()).limit(1))
_COLUMNS = (AuditEntry.at, AuditEntry.clerk, AuditEntry.origin, AuditEntry.kind, AuditEntry.action,
            AuditEntry.table_name, AuditEntry.record_id, AuditEntry.member_id, AuditEntry.summary,
            AuditEntry.prev_hash, AuditEntry.hash)
_INSERT = Prepared(AuditEntry, lambda p: AuditEntry.insert({f: p(f) for f in _COLUMNS}))


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    checked: int
    problem: str | None = None
    entry_id: int | None = None
    problems: tuple[str, ...] = ()  # every problem (the chain's first one, then each anchor's)
    anchors: int = 0  # anchors of this database compared
    unanchored: int | None = None  # entries after the newest anchor (None: no anchor)
    notes: tuple[str, ...] = ()


def verify(anchor_files: Sequence[Path | str | None] = (), *, db: peewee.Database | None = None) -> VerifyResult:
    """Recompute the chain, then compare it with the anchors kept outside the database. The
    chain alone finds an entry changed or deleted in the middle; only the anchors find the chain
    recomputed after an edit, the tail deleted, or every entry deleted (see docs/audit.md)."""
    chain = _verify_chain()
    files = [Path(f).expanduser() for f in anchor_files if f is not None]
    if not files:
        return chain
    anchors, problems, notes = read_anchors(files)
    compared, unanchored = 0, None
    if chain.ok:
        compared, unanchored, mismatches = _compare(anchors, db or AuditEntry._meta.database, chain.checked)
        problems += mismatches
    else:
        problems.insert(0, chain.problem)
    return VerifyResult(ok=not problems, checked=chain.checked, problem=problems[0] if problems else None,
                        entry_id=chain.entry_id, problems=tuple(problems), anchors=compared,
                        unanchored=unanchored, notes=tuple(notes))


def _verify_chain() -> VerifyResult:
    """A changed entry breaks its own hash; a deleted one breaks the link (and leaves a gap in
    the ids); the first problem found is reported with its entry id."""
    prev_hash = GENESIS
    prev_id = 0
    checked = 0
    for e in AuditEntry.select().order_by(AuditEntry.id).iterator():
        if e.id != prev_id + 1:
            return _broken(checked, f"監査ログ {prev_id + 1}〜{e.id - 1} 番が削除されています。", prev_id + 1)
        if e.prev_hash != prev_hash:
            return _broken(checked, f"監査ログ {e.id} 番の直前の記録が変更または削除されています。", e.id)
        expected = _digest(e.prev_hash, e.at, e.clerk, e.origin, e.kind.value, e.action,
                           e.table_name, e.record_id, e.member_id, e.summary)
        if e.hash != expected:
            return _broken(checked, f"監査ログ {e.id} 番の内容が変更されています。", e.id)
        prev_hash, prev_id = e.hash, e.id
        checked += 1
    return VerifyResult(True, checked)


def _broken(checked: int, problem: str, entry_id: int) -> VerifyResult:
    return VerifyResult(False, checked, problem, entry_id, problems=(problem,))


# --------------------------------------------------------------------------------------------
# Anchors: the chain's head kept where a clerk cannot rewrite it (docs/audit.md)

ALERT_MARKER = "CLERK-TUI-AUDIT-ALERT"
SYSLOG_IDENT = "clerk-tui"
_ANCHOR_FILE_MODE = 0o644  # clerks read it (db check, audit verify); only its owner writes

_HASH_OF = Prepared(AuditEntry, lambda p: AuditEntry.select(AuditEntry.hash).where(AuditEntry.id == p(AuditEntry.id)))
_database_ids: dict[str, str | None] = {}
_syslog_open = False


def database_path(db: peewee.Database) -> str:
    database = getattr(db, "obj", None) or db  # the models' proxy, or the database itself
    return str(Path(database.database).expanduser().resolve())


def head() -> tuple[int, str]:
    """The number of entries (ids run 1..n) and the hash of the last one."""
    last = AuditEntry.select(AuditEntry.id, AuditEntry.hash).order_by(AuditEntry.id.desc()).first()
    return (last.id, last.hash) if last else (0, GENESIS)


def anchor_line(db: peewee.Database, count: int, head_hash: str, at: datetime) -> str:
    path = database_path(db)
    if path not in _database_ids or _database_ids[path] is None:
        _database_ids[path] = settings.database_id(getattr(db, "obj", None) or db)
    return format_anchor(at=at.isoformat(timespec="seconds"), database_id=_database_ids[path], path=path,
                         count=count, head=head_hash)


def send_to_syslog(line: str) -> None:
    """One line to the system log (authpriv): any user may add lines there, none may edit them.
    Silently nothing where there is no system log (the C library drops it)."""
    global _syslog_open
    try:
        import syslog
    except ImportError:  # pragma: no cover - not on POSIX
        return
    if not _syslog_open:
        syslog.openlog(SYSLOG_IDENT, syslog.LOG_PID, syslog.LOG_AUTHPRIV)
        _syslog_open = True
    syslog.syslog(syslog.LOG_NOTICE, line)


def log_head(ctx: Context, entry_id: int, entry_hash: str) -> None:
    """After a committed write: the chain's new head to the system log (a few microseconds)."""
    try:
        send_to_syslog(anchor_line(ctx.db, entry_id, entry_hash, ctx.clock.now()))
    except Exception:  # noqa: BLE001 - the clerk's action is done; a log failure must not undo it
        pass


class AnchorFileError(DomainError):
    """The anchor file cannot be trusted or written."""


def _untrusted(path: Path, st: os.stat_result, *, directory: bool = False) -> str | None:
    """Why a clerk could rewrite this file (or replace it in this directory), or None."""
    what = "フォルダ" if directory else "ファイル"
    if st.st_uid not in (0, os.geteuid()):
        return f"照合点の{what} {path} の所有者が root ではありません（uid {st.st_uid}）。"
    writable = st.st_mode & (stat.S_IWGRP | stat.S_IWOTH)
    if writable and not (directory and st.st_mode & stat.S_ISVTX):
        return f"照合点の{what} {path} はグループや他のユーザーも書き込めます（権限 {stat.S_IMODE(st.st_mode):o}）。"
    return None


def read_anchors(files: Sequence[Path]) -> tuple[list[Anchor], list[str], list[str]]:
    """Every anchor in the files, the problems (an untrusted file, a damaged line) and notes
    (a file that does not exist yet)."""
    anchors: list[Anchor] = []
    problems: list[str] = []
    notes: list[str] = []
    for path in files:
        try:
            with path.open("r", encoding="utf-8", errors="replace") as fh:
                st = os.fstat(fh.fileno())
                why = _untrusted(path, st) or _untrusted(path.parent, path.parent.stat(), directory=True)
                found, bad = parse_anchors(fh, str(path))
        except FileNotFoundError:
            notes.append(f"照合点のファイル {path} はありません（削除・書き換えの一部は検出できません）。")
            continue
        except OSError as exc:
            problems.append(f"照合点のファイル {path} を読めません: {exc.strerror}")
            continue
        if why:
            problems.append(why + "照合には使えません。")
            continue
        anchors += found
        problems += [f"{place}: 照合点の行が壊れています。" for place in bad]
    return anchors, problems, notes


def _compare(anchors: list[Anchor], db: peewee.Database, count: int) -> tuple[int, int | None, list[str]]:
    """Each anchor of this database (same id, or same path) against the chain as it is now:
    entry #count must still exist with the anchored hash."""
    this_path = database_path(db)
    this_id = settings.database_id(getattr(db, "obj", None) or db)
    problems: list[str] = []
    compared = 0
    newest = None
    for a in anchors:
        same_id = a.database_id is not None and a.database_id == this_id
        if not same_id and a.path != this_path:
            continue  # another database's anchor
        where = f"{a.source}（{a.at} の照合点）"
        if not same_id:
            problems.append(f"{where}: このパスのデータベースの識別子は {a.database_id or 'なし'} でしたが、"
                            f"いまは {this_id or 'なし'} です（差し替えまたは識別子の書き換え）。")
            continue
        compared += 1
        newest = a.count if newest is None else max(newest, a.count)
        if a.count > count:
            lost = f"{a.count} 番" if a.count == count + 1 else f"{count + 1}〜{a.count} 番"
            problems.append(f"{where}: 監査ログは {a.count} 件あったはずですが、いまは {count} 件です"
                            f"（{lost}が削除されています）。")
        elif (_HASH_OF.scalar(a.count) if a.count else GENESIS) != a.head:
            problems.append(f"{where}: 監査ログ 1〜{a.count} 番が書き換えられています"
                            f"（{a.count} 番のハッシュが照合点と一致しません）。")
    return compared, (None if newest is None else count - newest), problems


def anchor(db: peewee.Database, anchor_file: Path, at: datetime) -> tuple[VerifyResult, str | None]:
    """`clerk-tui audit anchor`: verify the chain against the earlier anchors and, when it is
    intact, append its head to the anchor file and the system log. A broken chain is not
    anchored (that would bless it): an alert goes to the system log instead."""
    anchor_file = Path(anchor_file).expanduser()
    result = verify([anchor_file], db=db)
    if not result.ok:
        send_to_syslog(f"{ALERT_MARKER} " + json.dumps({"path": database_path(db), "problems": list(result.problems)},
                                                      ensure_ascii=True))
        return result, None
    if settings.database_id() is None:  # a database from before ids: given one now
        with db.atomic("IMMEDIATE"):
            settings.ensure_database_id()
    _database_ids.pop(database_path(db), None)
    count, head_hash = head()
    line = anchor_line(db, count, head_hash, at)
    _append(anchor_file, line)
    send_to_syslog(line)
    return result, line


def _append(path: Path, line: str) -> None:
    if not path.parent.exists():
        path.parent.mkdir(parents=True)
        os.chmod(path.parent, 0o755)  # made under umask 007: clerks must still reach the file
    why = _untrusted(path.parent, path.parent.stat(), directory=True)
    if why:
        raise AnchorFileError(why + "書き込みません。")
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), _ANCHOR_FILE_MODE)
    try:
        st = os.fstat(fd)
        why = _untrusted(path, st)
        if why:
            raise AnchorFileError(why + "書き込みません。")
        if stat.S_IMODE(st.st_mode) != _ANCHOR_FILE_MODE and st.st_size == 0:
            os.fchmod(fd, _ANCHOR_FILE_MODE)  # created under umask 007: clerks must still read it
        os.write(fd, (line + "\n").encode("ascii"))
        os.fsync(fd)
    finally:
        os.close(fd)


def entries(*, clerk: str | None = None, member_id: int | None = None, limit: int = 200) -> list[AuditEntryRow]:
    """The newest entries, for one clerk and/or one member (the audit views of the app)."""
    q = AuditEntry.select()
    if clerk:
        q = q.where(AuditEntry.clerk == clerk)
    if member_id is not None:
        q = q.where(AuditEntry.member_id == member_id)
    return [to_row(AuditEntryRow, e) for e in q.order_by(AuditEntry.id.desc()).limit(limit)]


def member_codes(member_ids: Iterable[int | None]) -> dict[int, str]:
    """記号-番号-枝番 of the members the entries are about: what a clerk reads and quotes, where
    the entries hold the database's internal ids."""
    ids = {i for i in member_ids if i is not None}
    if not ids:
        return {}
    rows = Member.select(Member.id, Member.symbol, Member.number, Member.branch).where(Member.id.in_(ids))
    return {m.id: m.member_code for m in rows}
