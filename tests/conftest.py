"""Shared fixtures: a real SQLite file per test (never an in-memory stand-in for the product's
database), a fixed clock, and a service context.

Every test also runs with its own HOME and XDG directories: nothing the product writes by default
(the clerk's data folder, the output folder of printed forms, a demo database) reaches the real
home directory, and tests running at the same time in parallel workers (pytest-xdist, see
scripts/test) never share such a folder."""

from __future__ import annotations

import asyncio
from datetime import date
from time import monotonic, process_time

import pytest
import textual._wait
import textual.app
from textual.screen import Screen

from clerk_tui.clock import Clock
from clerk_tui.config import Config
from clerk_tui.db.database import open_database
from clerk_tui.db.schema import init_schema
from clerk_tui.services.context import Context

TODAY = date(2025, 11, 20)

# Textual's Pilot, after every key it presses, twice waits until the app looks idle: it sleeps in
# slices of 1/50 s until one slice passes with the process using under 5 % of its CPU
# (textual._wait.wait_for_idle). Most of a typing test's time went into those slices, and on a
# busy machine (parallel workers) a slice in which the process merely waited for a core looks
# idle too. After a key the tests instead wait for what idle means: no key held or in hand in the
# app's type-ahead, every message pump (the app, screens, widgets) waiting on its empty queue
# with no call_next callback left, and no refresh due on the current screen (one due is done at
# once, as Pilot.pause() does, instead of waiting for the screen's timer), over several turns of
# the event loop (the key reaches the app's queue a turn or two after the Pilot sends it). While
# a worker runs (a thread, a debounce) its result comes from outside the pumps: then the wait
# goes on with Textual's CPU check, in slices of 1/100 s. Either way it ends after at most the
# second Textual allows. Only key presses (App._press_keys, the one caller of the name in
# textual.app) change; Pilot.pause() and the app's start-up keep Textual's own wait. It reads
# private attributes of Textual 8 (message queues, screen refresh flags): an upgrade that renames
# them fails loudly (AttributeError), and so does one that moves wait_for_idle.
_KEY_IDLE_SLICE = 1 / 100
_QUIET_TURNS = 5


def _pump_busy(pump) -> bool:
    if pump._closed:
        return False
    queue = pump._message_queue
    if pump._task is None or pump._task.done():
        return bool(queue.values)
    # An idle pump waits in its queue's get(), on the queue's event.
    return bool(queue.values or pump._next_callbacks) or not queue.ready_event._waiters


def _refresh_due(screen: Screen) -> bool:
    """Callbacks waiting for the screen's next refresh, or a refresh due (layout, repaint)."""
    return bool(screen._callbacks or screen._layout_required or screen._scroll_required
                or screen._repaint_required or screen._recompose_required or screen._dirty_widgets)


def _pumps_busy(app: textual.app.App) -> bool:
    if getattr(app, "_held", None) or getattr(app, "_key_in_hand", None) is not None:
        return True  # clerk_tui.ui.typeahead: a key still being handled, or held behind it
    return any(_pump_busy(pump) for pump in (app, *app._registry))


async def _idle_after_key(min_sleep: float = 0, max_sleep: float = 1) -> None:
    start = monotonic()
    app = textual.app.active_app.get()
    quiet = turns = 0
    while quiet < _QUIET_TURNS:
        turns += 1
        if _pumps_busy(app):
            quiet = 0
        elif _refresh_due(screen := app.screen):
            quiet = 0
            screen._on_timer_update()  # what Pilot.pause() does, instead of waiting for the timer
        else:
            quiet += 1
        # A handler may wait on a thread: after a while, no busy spinning.
        await asyncio.sleep(0 if turns < 100 else 0.001)
        if monotonic() - start >= max_sleep:
            return
    if not any(worker.is_running for worker in app.workers):
        return
    while True:
        cpu = process_time()
        await asyncio.sleep(_KEY_IDLE_SLICE)
        elapsed = monotonic() - start
        if elapsed >= max_sleep or (elapsed > min_sleep and process_time() - cpu < _KEY_IDLE_SLICE / 20):
            return


assert textual.app.wait_for_idle is textual._wait.wait_for_idle
textual.app.wait_for_idle = _idle_after_key


@pytest.fixture(autouse=True)
def _own_home(tmp_path_factory, monkeypatch):
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    for name, sub in (("XDG_DATA_HOME", ".local/share"), ("XDG_CONFIG_HOME", ".config"),
                      ("XDG_STATE_HOME", ".local/state"), ("XDG_CACHE_HOME", ".cache")):
        monkeypatch.setenv(name, str(home / sub))
    monkeypatch.delenv("CLERK_TUI_DB", raising=False)


@pytest.fixture
def db_path(tmp_path):
    return tmp_path / "clerk.db"


@pytest.fixture
def db(db_path):
    database = open_database(db_path)
    init_schema(database)
    yield database
    database.close()


@pytest.fixture
def facility_key(tmp_path):
    """The insurer's facility-code key file that production needs (never kept in the database)."""
    path = tmp_path / "facility.key"
    path.write_text("test-facility-key-" + "0123456789abcdef" * 2)
    path.chmod(0o600)
    return path


@pytest.fixture
def ctx(db, facility_key):
    return Context(db=db, clock=Clock(TODAY), clerk="tester", origin=None,
                   config=Config(facility_secret_file=facility_key))


def pytest_collection_modifyitems(items):
    """The long multi-process tests first: started last, one of them would keep its worker busy
    after the others have finished (the order of the rest is kept)."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)
