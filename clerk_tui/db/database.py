"""Opening the one shared SQLite file: engine choice, pragmas, file permissions, and the write
transaction every service runs in. Engine-specific connection details live here only."""

from __future__ import annotations

import os
import stat
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import TypeVar

import peewee
from playhouse.cysqlite_ext import CySqliteDatabase

from clerk_tui.db.write_queue import WriteQueue
from clerk_tui.domain.errors import DomainError
from clerk_tui.filecheck import check_database_folder

T = TypeVar("T")

# The models are bound to this proxy; `open_database` points it at a real file.
database_proxy = peewee.DatabaseProxy()

# SQLite before 3.51.3 can corrupt a WAL database when two connections write or checkpoint at the
# same moment (the WAL-reset bug); 3.40's trigram FTS5 also answers 1–2 character LIKE wrongly.
MIN_SQLITE = (3, 51, 3)

BUSY_TIMEOUT_MS = 30_000

PRAGMAS = {
    "journal_mode": "wal",
    "synchronous": "full",  # WAL + NORMAL may lose the last commits on power loss; writes are few
    "foreign_keys": 1,
    "busy_timeout": BUSY_TIMEOUT_MS,  # SQLite's own handler: polls at 1, 2, 5, 10 … 100 ms
    "cache_size": -32_000,
    "temp_store": "memory",
}

# Owner and group read/write, nothing for others: the clerks share one group (see README).
FILE_MODE = 0o660


class ClerkDatabase(CySqliteDatabase):
    """cysqlite (a current SQLite, bundled) waiting for another clerk's write with SQLite's own
    busy_timeout handler. Its first retries come after 1, 2 and 5 ms, which suits write
    transactions of 1–2 ms: under 20 clerks (scripts/stress.py) it gave a write-latency p99 of
    14 ms where cysqlite's set_busy_handler, which sleeps 15–25 ms between tries, gave 46 ms.
    Both release the GIL while they wait, so the screen stays live.

    In front of that handler, writers queue on an OS file lock (`write_queue`): the busy
    handler is the second line, for writers that do not queue there."""

    write_queue: WriteQueue | None = None


class DatabaseAccessError(DomainError):
    """The database file cannot be used safely (permissions, engine version)."""


def sqlite_version_tuple(db: peewee.Database) -> tuple[int, ...]:
    (version,) = db.execute_sql("select sqlite_version()").fetchone()
    return tuple(int(p) for p in version.split("."))


def check_permissions(path: Path) -> None:
    """Refuse a database (or its WAL files) that users outside the clerks' group can read, and
    one whose folder they can write to."""
    if path.parent.is_dir():
        check_database_folder(path.parent)
    for p in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        if not p.exists():
            continue
        mode = stat.S_IMODE(p.stat().st_mode)
        if mode & (stat.S_IROTH | stat.S_IWOTH):
            raise DatabaseAccessError(
                f"データベース {p} は他のユーザーも読める設定です（権限 {mode:o}）。"
                f"個人情報保護のため起動しません。修正: chmod o-rwx {p}"
            )


@contextmanager
def private_umask() -> Iterator[None]:
    """Files created inside (database, WAL, PDFs) get no permissions for others."""
    old = os.umask(0o007)
    try:
        yield
    finally:
        os.umask(old)


_open_databases: dict[Path, ClerkDatabase] = {}


def open_database(path: str | os.PathLike[str], *, check_perms: bool = True) -> ClerkDatabase:
    """Connect to the database file at `path` (created if missing) and bind the models to it.
    A process holds one database object per file: opening the same file again returns it, so
    the models never write through one connection while another holds the write lock."""
    path = Path(path).expanduser().resolve()  # one canonical path for every clerk
    with private_umask():  # a directory made here is not listable by others either
        path.parent.mkdir(parents=True, exist_ok=True)
    if check_perms:
        check_permissions(path)
    db = _open_databases.get(path)
    if db is None or not path.exists():
        db = _open_databases[path] = ClerkDatabase(str(path), pragmas=PRAGMAS, timeout=BUSY_TIMEOUT_MS / 1000)
        db.write_queue = WriteQueue(path)
    with private_umask():
        db.connect(reuse_if_open=True)
        if not path.exists():  # pragma: no cover - connect creates it
            raise DatabaseAccessError(f"データベース {path} を作成できません。")
    if os.stat(path).st_mode & 0o777 != FILE_MODE and os.access(path, os.W_OK):
        try:
            if os.stat(path).st_uid == os.getuid():
                os.chmod(path, FILE_MODE)
        except OSError:
            pass
    version = sqlite_version_tuple(db)
    if version < MIN_SQLITE:
        db.close()
        raise DatabaseAccessError(
            "SQLite {} は複数の職員が同時に書き込むとデータベースを壊す既知の不具合があります。"
            "{} 以上が必要です。".format(
                ".".join(map(str, version)), ".".join(map(str, MIN_SQLITE))
            )
        )
    database_proxy.initialize(db)
    return db


def is_busy(exc: BaseException) -> bool:
    text = str(exc).lower()
    return "locked" in text or "busy" in text


def run_in_write_transaction(
    db: peewee.Database, fn: Callable[[], T], *, attempts: int = 3, on_wait: Callable[[], None] | None = None
) -> T:
    """Run `fn` in one short IMMEDIATE transaction, retrying the whole of it while another clerk
    writes. A DEFERRED transaction that reads then writes can fail at once with BUSY despite the
    busy timeout, hence IMMEDIATE and a whole-transaction retry.

    The outermost write first waits for its turn in the database's write queue (an OS file lock,
    see write_queue.py) and lets go after COMMIT or ROLLBACK, also between retries. A write inside
    an open transaction is part of it (a savepoint) and does not queue again: an outer write holds
    the turn already, and an outer transaction opened without the queue may hold SQLite's write
    lock, which the queue's holder would then wait for while this one waited for the queue."""
    queue = getattr(db, "write_queue", None)
    if db.in_transaction():
        queue = None
    delay = 0.02
    for attempt in range(attempts):
        try:
            with queue.turn() if queue is not None else nullcontext(), private_umask(), db.atomic("IMMEDIATE"):
                return fn()
        except peewee.OperationalError as exc:
            if not is_busy(exc) or attempt == attempts - 1:
                raise
            if on_wait is not None:
                on_wait()
            time.sleep(delay)
            delay = min(delay * 2, 1.0)
    raise AssertionError("unreachable")  # pragma: no cover
