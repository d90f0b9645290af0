"""Shared fixtures: a real SQLite file per test (never an in-memory stand-in for the product's
database), a fixed clock, and a service context.

Every test also runs with its own HOME and XDG directories: nothing the product writes by default
(the clerk's data folder, the output folder of printed forms, a demo database) reaches the real
home directory, and tests running at the same time in parallel workers (pytest-xdist, see
scripts/test) never share such a folder."""

from __future__ import annotations

from datetime import date

import pytest

from clerk_tui.clock import Clock
from clerk_tui.config import Config
from clerk_tui.db.database import open_database
from clerk_tui.db.schema import init_schema
from clerk_tui.services.context import Context

TODAY = date(2025, 11, 20)


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
