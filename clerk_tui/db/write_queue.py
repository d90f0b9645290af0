"""The writers' queue: one exclusive OS file lock (flock) on `<database>.write-lock`, taken before
BEGIN IMMEDIATE and released after COMMIT or ROLLBACK. Readers never take it.

SQLite's busy handler keeps no queue: a writer that finds the database locked sleeps 1, 2, 5 …
100 ms and tries again, so under many back-to-back writers one of them can lose every race for
seconds. A process waiting on flock sleeps in the kernel and is woken as soon as the holder lets
go, and the kernel drops the lock of a process that dies. SQLite's busy timeout stays in place
behind it, for writers that do not queue here (an older program, the `sqlite3` shell).

Linux/Unix only (fcntl), like the rest of the program's file handling."""

from __future__ import annotations

import errno
import fcntl
import logging
import os
import threading
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from clerk_tui.filecheck import WRITE_LOCK_SUFFIX

log = logging.getLogger(__name__)

LOCK_MODE = 0o660  # like the database: the clerks' group reads and writes, others nothing

_queues: weakref.WeakSet[WriteQueue] = weakref.WeakSet()


def lock_path(db_path: Path) -> Path:
    """The lock file beside the database: `clerk.db` → `clerk.db.write-lock`."""
    return db_path.with_name(db_path.name + WRITE_LOCK_SUFFIX)


class WriteQueue:
    """The write lock of one database file, for every thread of this process.

    Re-entrant: a write inside a write (nested `Context.write`) holds it already and does not wait
    for itself. Threads of one process queue on a mutex first (only one of them holds the file
    lock at a time). The lock file is opened for each turn and closed after it, so a process
    keeps no descriptor open between writes, however many database files it has used."""

    def __init__(self, db_path: Path) -> None:
        self.path = lock_path(db_path)
        self._mutex = threading.RLock()
        self._depth = 0
        self._fd: int | None = None  # open while this process holds its turn
        self._unavailable = False  # the lock file cannot be opened: SQLite's busy handler only
        _queues.add(self)

    @contextmanager
    def turn(self) -> Iterator[None]:
        """Wait for this process's turn to write, and hold it until the block ends."""
        with self._mutex:
            if self._depth == 0:
                fd = self._open()
                if fd is not None:
                    try:
                        fcntl.flock(fd, fcntl.LOCK_EX)  # releases the GIL while it waits
                    except BaseException:
                        os.close(fd)
                        raise
                    self._fd = fd
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
                if self._depth == 0 and self._fd is not None:
                    fd, self._fd = self._fd, None
                    os.close(fd)  # closing the last descriptor of the file releases the lock

    @property
    def available(self) -> bool:
        """False once the lock file could not be opened (writes then rely on SQLite's busy handler)."""
        return not self._unavailable

    def _open(self) -> int | None:
        if self._unavailable:
            return None
        flags = os.O_NOFOLLOW | os.O_CLOEXEC
        try:
            try:
                return os.open(self.path, os.O_RDWR | flags)
            except FileNotFoundError:
                pass
            try:
                fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_EXCL | flags, LOCK_MODE)
            except FileExistsError:  # another clerk created it a moment ago
                return os.open(self.path, os.O_RDWR | flags)
            try:
                os.fchmod(fd, LOCK_MODE)  # whatever the umask, the whole group may queue
            except OSError:  # pragma: no cover - a file we just created is ours
                pass
            return fd
        except PermissionError:
            try:  # flock needs no write access: a lock file of another clerk's, say
                return os.open(self.path, os.O_RDONLY | flags)
            except OSError as exc:
                return self._give_up(exc)
        except OSError as exc:
            return self._give_up(exc)

    def _give_up(self, exc: OSError) -> None:
        self._unavailable = True
        reason = "a symbolic link" if exc.errno == errno.ELOOP else exc.strerror
        log.warning("write queue off: cannot open %s (%s); writers wait in SQLite's busy handler only",
                    self.path, reason)
        return None

    def _after_fork_in_child(self) -> None:
        # The child must neither share the parent's open lock file (and the lock the parent may
        # hold through it) nor inherit a mutex another thread held at the fork: it starts afresh.
        if self._fd is not None:
            try:
                os.close(self._fd)  # the parent's lock stays: it holds the file open too
            except OSError:  # pragma: no cover
                pass
        self._fd = None
        self._depth = 0
        self._mutex = threading.RLock()


def _reset_after_fork() -> None:
    for queue in list(_queues):
        queue._after_fork_in_child()


os.register_at_fork(after_in_child=_reset_after_fork)
