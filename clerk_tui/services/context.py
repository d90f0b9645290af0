"""What every service call needs: the database, the clock and the clerk who acts."""

from __future__ import annotations

import functools
import ipaddress
import os
import pwd
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, TypeVar

import peewee

from clerk_tui.clock import Clock
from clerk_tui.config import Config
from clerk_tui.db.database import run_in_write_transaction
from clerk_tui.domain.codes import DocumentKind, DocumentStatus
from clerk_tui.domain.errors import DomainError
from clerk_tui.domain.terminal import terminal_safe

if TYPE_CHECKING:
    # The models (and the rules the documents in force are built from) are imported where a
    # service first uses them: the app's start path builds a Context before its first screen.
    from clerk_tui.db.models import Document, Member
    from clerk_tui.db.prepared import Prepared

T = TypeVar("T")

# The audit entry the current thread's write transaction added last: (entry id, hash). Sent to
# the system log once the outermost transaction has committed (see Context.write).
_audit_head = threading.local()


def note_audit_head(entry_id: int, entry_hash: str) -> None:
    _audit_head.value = (entry_id, entry_hash)


def os_user() -> str:
    """Who acts: the login name of the process's real uid, from the operating system's account
    database. Never LOGNAME/USER (getpass.getuser() reads those first): anyone can set them."""
    uid = os.getuid()
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:  # no passwd entry (containers): the uid itself
        return f"uid{uid}"


def ssh_origin() -> str | None:
    """The clerk's client address when over SSH (SSH_CONNECTION = 'client port server port').
    Detail only, taken from the environment: kept only when it is an IP address."""
    conn = os.environ.get("SSH_CONNECTION", "").split()
    if not conn:
        return None
    try:  # an IPv6 zone (fe80::1%eth0) is free text: dropped
        return str(ipaddress.ip_address(conn[0].split("%", 1)[0]))
    except ValueError:
        return None


@dataclass
class Context:
    db: peewee.Database
    clock: Clock = field(default_factory=Clock)
    clerk: str = field(default_factory=os_user)
    origin: str | None = field(default_factory=ssh_origin)
    on_wait: Callable[[], None] | None = None  # told when a write waits for another clerk
    config: Config = field(default_factory=Config)

    def write(self, fn: Callable[[], T]) -> T:
        """Run `fn` as one short IMMEDIATE transaction (retried whole while another clerk writes).
        When it added audit entries, the chain's new head is then anchored in the system log."""
        if self.db.in_transaction():  # part of an enclosing write: that one anchors
            return run_in_write_transaction(self.db, fn, on_wait=self.on_wait)

        def attempt() -> T:
            _audit_head.value = None  # a retried attempt starts again
            return fn()

        try:
            result = run_in_write_transaction(self.db, attempt, on_wait=self.on_wait)
            head = getattr(_audit_head, "value", None)
        finally:
            _audit_head.value = None
        if head is not None and self.config.audit_syslog:
            from clerk_tui.services import audit

            audit.log_head(self, *head)
        return result


class ConflictError(DomainError):
    """The record changed since the clerk loaded it: nothing was written."""


def check_version(record, expected_version: int | None) -> None:
    """Refuse an edit made on a stale copy, naming who changed the record and when."""
    if expected_version is None or record.version == expected_version:
        return
    when = record.updated_at.strftime("%Y-%m-%d %H:%M") if record.updated_at else "不明な時刻"
    who = terminal_safe(record.updated_by) if record.updated_by else "別の職員"  # stored text: no raw ESC
    raise ConflictError(
        f"この記録は {who} さんが {when} に変更しました。"
        "最新の内容を読み込み直してから操作してください。"
    )


def touch(record, ctx: Context) -> None:
    """Mark a record changed by this clerk now; raises its version."""
    record.version = (record.version or 0) + 1
    record.updated_at = ctx.clock.now()
    record.updated_by = ctx.clerk


def fetch_for_edit(model: type[T], record_id: int, expected_version: int | None, not_found: str) -> T:
    """The record a clerk acts on, inside the write: the clerk-facing error when it is gone, a
    ConflictError when it changed since the clerk's copy."""
    record = model.fetch(record_id)  # type: ignore[attr-defined]
    if record is None:
        raise DomainError(not_found)
    check_version(record, expected_version)
    return record


def mark_returned(ctx: Context, doc: Document, on: date) -> None:
    """A document came back on `on` (R9): 返却済, saved."""
    doc.status = DocumentStatus.RETURNED
    doc.returned_on = on
    doc.status_changed_on = on
    touch(doc, ctx)
    doc.save()


def member_not_found(member_id: int) -> DomainError:
    return DomainError(f"加入員が見つかりません（ID {member_id}）。", field="member")


def get_member(member_id: int) -> Member:
    """The member every clerk action starts from, or the clerk-facing error."""
    from clerk_tui.db.models import Member

    member = Member.fetch(member_id)
    if member is None:
        raise member_not_found(member_id)
    return member


def insured_of(member: Member) -> Member:
    """The insured person of a dependent (the member itself when insured), read once per member
    instance with the prepared query: peewee's own lazy load compiles its SQL anew each time
    (≈1 ms for the member table, for every dependent of a batch)."""
    if member.is_insured:
        return member
    insured = member.__rel__.get("insured")  # loaded already (a join, or an earlier call)
    if insured is None:
        insured = get_member(member.insured_id)
        member.__rel__["insured"] = insured  # peewee's relation cache: not a change to save
    return insured


@functools.cache
def _document_queries() -> tuple[Prepared[Document], Prepared[Document]]:
    """The member's valid document of a kind, and the one in force on a day (built on first use)."""
    from clerk_tui.db.models import Document
    from clerk_tui.db.prepared import Prepared
    from clerk_tui.db.standing import in_force

    current = Prepared(Document, lambda p: (
        Document.select()
        .where(Document.member == p(Document.member), Document.kind == p(Document.kind),
               Document.status == DocumentStatus.VALID)
        .order_by(Document.issued_on.desc(), Document.id.desc()).limit(1)))
    in_force_on = Prepared(Document, lambda p: (
        Document.select()
        .where(Document.member == p(Document.member), Document.kind == p(Document.kind),
               in_force(p(Document.valid_until)))
        .order_by(Document.issued_on.desc(), Document.id.desc()).limit(1)))
    return current, in_force_on


def current_document(member_id: int, kind: DocumentKind, *, on: date | None = None) -> Document | None:
    """The member's document of this kind recorded as valid (not returned, lost or replaced), the
    newest if several: the one a 滅失届 reports lost. With `on`, only one still in force that day
    (R18: not expired, not void): the one a new issue replaces."""
    current, in_force_on = _document_queries()
    if on is not None:
        return in_force_on.first(member_id, kind, on)
    return current.first(member_id, kind)
