"""The writers' queue (clerk_tui/db/write_queue.py): an OS file lock beside the database taken
before each write transaction. Real processes: a write waits while another clerk's process holds
the lock and then succeeds, a killed holder frees it, readers never queue, nested writes do not
wait for themselves, and a lock file that cannot be opened leaves writes to SQLite's busy handler.

Waiting is observed in /proc/locks (the kernel lists a process blocked on a flock with "->"), not
by timing."""

from __future__ import annotations

import fcntl
import logging
import multiprocessing as mp
import os
import signal
import stat
import time
from pathlib import Path

import pytest

from clerk_tui.db.models import Member
from clerk_tui.db.write_queue import WriteQueue, lock_path
from tests.factories import make_employer, make_member

SPAWN = mp.get_context("spawn")
PATIENCE = 60  # seconds before a test gives up on a process that should have answered


def _hold_turn(db_path: str, held, release) -> None:
    """Another clerk's process in the middle of a write: it holds the queue until told (a pipe,
    not an Event: setting an Event that a killed process waits on never returns)."""
    queue = WriteQueue(Path(db_path))
    with queue.turn():
        held.set()
        release.poll(PATIENCE)


def _change_phone(ctx, member_id: int, phone: str, version: int) -> int:
    """A 住所変更 of the phone through the change service; the member's new version."""
    from clerk_tui.domain.codes import RegisterChange
    from clerk_tui.services.changes import ChangeInput, apply_change, plan_change

    plan = plan_change(ctx, member_id, ChangeInput(member_id, RegisterChange.ADDRESS_CHANGE, ctx.clock.today(),
                                                   {"phone": phone}))
    apply_change(ctx, plan, expected_version=version)
    return Member.get_by_id(member_id).version


def _edit(db_path: str, member_id: int, version: int, out) -> None:
    from clerk_tui.clock import Clock
    from clerk_tui.db.database import open_database
    from clerk_tui.services.context import Context
    from tests.conftest import TODAY

    db = open_database(db_path)
    ctx = Context(db=db, clock=Clock(TODAY), clerk="suzuki", origin=None)
    _change_phone(ctx, member_id, "03-1111-2222", version)
    out.put(Member.get_by_id(member_id).phone)


def _blocked_on(path: Path) -> set[int]:
    """Pids the kernel lists as waiting for a flock on `path`."""
    inode = str(os.stat(path).st_ino)
    pids = set()
    for line in Path("/proc/locks").read_text().splitlines():
        fields = line.split()
        if "->" in fields and "FLOCK" in fields and fields[-3].rsplit(":", 1)[-1] == inode:
            pids.add(int(fields[fields.index("FLOCK") + 3]))
    return pids


def _wait_until(condition, what: str) -> None:
    deadline = time.monotonic() + PATIENCE
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"gave up waiting: {what}")
        time.sleep(0.01)


def _can_lock(path: Path) -> bool:
    """True when nobody holds the write lock (tried without waiting, on a separate open file)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except BlockingIOError:
        return False
    finally:
        os.close(fd)


@pytest.fixture
def member(ctx):
    return make_member(ctx, make_employer(ctx))


@pytest.mark.parametrize("holder_ends", ["commits", "is killed"])
def test_a_write_waits_for_the_holder_then_succeeds(ctx, db_path, member, holder_ends):
    held, out = SPAWN.Event(), SPAWN.Queue()
    release, holder_end = SPAWN.Pipe()
    holder = SPAWN.Process(target=_hold_turn, args=(str(db_path), held, holder_end))
    holder.start()
    try:
        assert held.wait(PATIENCE)
        writer = SPAWN.Process(target=_edit, args=(str(db_path), member.id, member.version, out))
        writer.start()
        # The writer is queued in the kernel behind the holder, not polling SQLite.
        _wait_until(lambda: writer.pid in _blocked_on(lock_path(db_path)), "the writer to queue")
        assert Member.get_by_id(member.id).phone != "03-1111-2222"
        if holder_ends == "commits":
            release.send(True)
        else:  # the kernel drops a dead process's lock
            os.kill(holder.pid, signal.SIGKILL)
        assert out.get(timeout=PATIENCE) == "03-1111-2222"
        writer.join(PATIENCE)
        assert writer.exitcode == 0
    finally:
        release.send(True)
        holder.join(PATIENCE)
    assert Member.get_by_id(member.id).phone == "03-1111-2222"


def test_a_reader_never_waits_for_the_queue(ctx, db_path, member):
    from clerk_tui.services.members import open_member
    from clerk_tui.services.search import search_members

    held = SPAWN.Event()
    release, holder_end = SPAWN.Pipe()
    holder = SPAWN.Process(target=_hold_turn, args=(str(db_path), held, holder_end))
    holder.start()
    try:
        assert held.wait(PATIENCE)
        assert search_members(ctx, "山田").rows  # would hang here if reads queued
        assert Member.select().count() == 1
    finally:
        release.send(True)
        holder.join(PATIENCE)
    assert open_member(ctx, member.id).member.id == member.id  # a view writes its audit entry: now free


def test_nested_writes_hold_one_turn_and_release_it_after_commit(ctx, db_path, member):
    path = lock_path(db_path)
    seen = []

    def inner():
        seen.append(_can_lock(path))
        return Member.get_by_id(member.id).version

    def outer():
        seen.append(_can_lock(path))
        return ctx.write(inner)  # must not wait for its own turn

    assert ctx.write(outer) == member.version
    assert seen == [False, False]  # held during both
    assert _can_lock(path)  # and let go after the commit


def test_the_turn_is_released_when_the_write_fails(ctx, db_path):
    def fails():
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        ctx.write(fails)
    assert _can_lock(lock_path(db_path))


def test_the_lock_file_is_shared_by_the_clerks_group(ctx, db_path, member):
    mode = stat.S_IMODE(lock_path(db_path).stat().st_mode)
    assert mode == 0o660


@pytest.mark.parametrize("obstacle", ["symlink", "directory"])
def test_an_unusable_lock_file_leaves_writes_to_the_busy_handler(ctx, db, db_path, tmp_path, member,
                                                                  obstacle, caplog):
    path = lock_path(db_path)
    path.unlink(missing_ok=True)
    if obstacle == "symlink":  # never follow a link someone put there
        path.symlink_to(tmp_path / "elsewhere")
    else:
        path.mkdir()
    db.write_queue = WriteQueue(db_path)
    with caplog.at_level(logging.WARNING, logger="clerk_tui.db.write_queue"):
        version = _change_phone(ctx, member.id, "03-3333-4444", member.version)
        _change_phone(ctx, member.id, "03-5555-6666", version)
    assert Member.get_by_id(member.id).phone == "03-5555-6666"
    assert not db.write_queue.available
    assert len([r for r in caplog.records if "write queue off" in r.getMessage()]) == 1  # one line, not one per write
    assert not (tmp_path / "elsewhere").exists()


@pytest.mark.skipif(os.geteuid() == 0, reason="root may create files in a read-only folder")
def test_a_read_only_folder_leaves_writes_to_the_busy_handler(ctx, db, db_path, member, caplog):
    lock_path(db_path).unlink(missing_ok=True)
    db.write_queue = WriteQueue(db_path)
    db_path.parent.chmod(0o550)
    try:
        with caplog.at_level(logging.WARNING, logger="clerk_tui.db.write_queue"):
            _change_phone(ctx, member.id, "03-3333-4444", member.version)
    finally:
        db_path.parent.chmod(0o770)
    assert Member.get_by_id(member.id).phone == "03-3333-4444"
    assert "write queue off" in caplog.text


def test_a_forked_child_does_not_inherit_the_parents_turn(ctx, db_path):
    queue = WriteQueue(db_path)
    with queue.turn():
        pid = os.fork()
        if pid == 0:  # the child: its own queue state, and the parent's lock still stands
            ok = queue._fd is None and queue._depth == 0 and not _can_lock(lock_path(db_path))
            os._exit(0 if ok else 1)
        _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert _can_lock(lock_path(db_path))
