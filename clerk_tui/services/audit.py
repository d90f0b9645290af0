"""The audit trail: one hash-chained entry per write, print and view, in the same transaction as
the action it records. `verify` walks the chain and names the first broken entry."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from clerk_tui.db.models import AuditEntry, Member
from clerk_tui.db.prepared import Prepared
from clerk_tui.domain.codes import AuditKind
from clerk_tui.services.context import Context

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


def verify() -> VerifyResult:
    """Recompute the chain. A changed entry breaks its own hash; a deleted one breaks the link
    (and leaves a gap in the ids); the first problem found is reported with its entry id."""
    prev_hash = GENESIS
    prev_id = 0
    checked = 0
    for e in AuditEntry.select().order_by(AuditEntry.id).iterator():
        if e.id != prev_id + 1:
            return VerifyResult(False, checked, f"監査ログ {prev_id + 1}〜{e.id - 1} 番が削除されています。", prev_id + 1)
        if e.prev_hash != prev_hash:
            return VerifyResult(False, checked, f"監査ログ {e.id} 番の直前の記録が変更または削除されています。", e.id)
        expected = _digest(e.prev_hash, e.at, e.clerk, e.origin, e.kind.value, e.action,
                           e.table_name, e.record_id, e.member_id, e.summary)
        if e.hash != expected:
            return VerifyResult(False, checked, f"監査ログ {e.id} 番の内容が変更されています。", e.id)
        prev_hash, prev_id = e.hash, e.id
        checked += 1
    return VerifyResult(True, checked)


def entries(*, clerk: str | None = None, member_id: int | None = None, limit: int = 200) -> list[AuditEntry]:
    """The newest entries, for one clerk and/or one member (the audit views of the app)."""
    q = AuditEntry.select()
    if clerk:
        q = q.where(AuditEntry.clerk == clerk)
    if member_id is not None:
        q = q.where(AuditEntry.member_id == member_id)
    return list(q.order_by(AuditEntry.id.desc()).limit(limit))


def member_codes(member_ids: Iterable[int | None]) -> dict[int, str]:
    """記号-番号-枝番 of the members the entries are about: what a clerk reads and quotes, where
    the entries hold the database's internal ids."""
    ids = {i for i in member_ids if i is not None}
    if not ids:
        return {}
    rows = Member.select(Member.id, Member.symbol, Member.number, Member.branch).where(Member.id.in_(ids))
    return {m.id: m.member_code for m in rows}


def clerks() -> list[str]:
    return [e.clerk for e in AuditEntry.select(AuditEntry.clerk).distinct().order_by(AuditEntry.clerk)]
