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

from clerk_tui.clock import Clock
from clerk_tui.config import Config
from clerk_tui.db.database import open_database
from clerk_tui.db.schema import init_schema
from clerk_tui.services.context import Context

TODAY = date(2025, 11, 20)

# Textual's Pilot, after every key it presses, twice waits until the app looks idle, checking in
# slices of 1/50 s (textual._wait.wait_for_idle): most of a typing test's time went into those
# slices. After a key the tests wait for the same thing, the process using under 5 % of a slice's
# CPU, checked in slices of 1/100 s. (At 1/200 s the loss-report form's snapshot in
# test_ui_applications.py failed about one run in three under xdist.) Only key presses
# (App._press_keys, the one caller of the name in textual.app) change; Pilot.pause() and the
# app's start-up keep Textual's own wait. If an upgrade of Textual moves the name, this fails
# loudly instead of silently doing nothing.
_KEY_IDLE_SLICE = 1 / 100


async def _idle_after_key(min_sleep: float = 0, max_sleep: float = 1) -> None:
    start = monotonic()
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
