"""Shared fixtures: a real SQLite file per test (never an in-memory stand-in for the product's
database), a fixed clock, and a service context."""

from __future__ import annotations

from datetime import date

import pytest

from clerk_tui.clock import Clock
from clerk_tui.db.database import open_database
from clerk_tui.db.schema import init_schema
from clerk_tui.services.context import Context

TODAY = date(2025, 11, 20)


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
def ctx(db):
    return Context(db=db, clock=Clock(TODAY), clerk="tester", origin=None)
