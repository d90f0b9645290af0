"""What the start path imports (not how long it takes): `clerk-tui` up to the first screen loads
no PDF, QR, image or holiday library, none of the form renderers or scenario tools, and neither
the peewee models nor the dated rules (the schema version and the training today are read with
plain SQL; the first search or the warm-up loads the rest); the command
line's own module loads no Textual, Rich or database engine, so `clerk-tui --help` and the admin
commands start quickly. Checked in a fresh interpreter, since this test process imported
everything long ago."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# The real start: `clerk-tui --db X` through cli.main, with App.run replaced by a headless run that
# stops as soon as the search screen has its focus, and reports the modules loaded by then.
FIRST_SCREEN = r"""
import asyncio, json, sys
import textual.app
from textual.widgets import Input

def run(self, *args, **kwargs):
    async def until_first_screen():
        async with self.run_test(size=(80, 24)) as pilot:
            while not isinstance(self.focused, Input):
                await pilot.pause(0.01)
            print(json.dumps(sorted(sys.modules)), file=sys.__stdout__)
            self._warm_up()  # what the app loads in the background once the screen is up
            await self.workers.wait_for_complete()
            print(json.dumps(sorted(sys.modules)), file=sys.__stdout__)
    asyncio.run(until_first_screen())

textual.app.App.run = run
from clerk_tui.cli import main
sys.exit(main(sys.argv[1:]))
"""

CLI_ONLY = "import json, sys; import clerk_tui.cli; print(json.dumps(sorted(sys.modules)))"

PDF_QR_IMAGE = ("fpdf", "segno", "PIL", "fontTools", "pypdf")
# The models and the rules (with the prepared queries and the SQL built from the rules), the
# services beyond the Context, and importlib.resources (the variant-kanji table, read on the
# first name search) wait for the first search or the warm-up after the first screen.
MODELS_AND_RULES = ("clerk_tui.db.models", "clerk_tui.db.prepared", "clerk_tui.db.standing",
                    "clerk_tui.db.search", "clerk_tui.db.triggers", "clerk_tui.domain.rules",
                    "clerk_tui.services.search", "clerk_tui.services.members", "importlib.resources",
                    "playhouse.migrate")
NOT_AT_START = PDF_QR_IMAGE + ("holidays", "dateutil", "clerk_tui.forms", "clerk_tui.scenarios") + MODELS_AND_RULES
NOT_IN_CLI = ("textual", "rich", "peewee", "playhouse", "cysqlite", "sqlite3") + NOT_AT_START


def _modules(code: str, *args: str) -> list[set[str]]:
    """The module sets the code printed, one JSON line each."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, cwd=ROOT,
                          env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    return [set(json.loads(line)) for line in done.stdout.splitlines() if line.startswith("[")]


def _loaded(modules: set[str], names: tuple[str, ...]) -> list[str]:
    return sorted(m for m in modules if any(m == n or m.startswith(n + ".") for n in names))


def test_the_first_screen_loads_no_pdf_qr_image_or_holiday_library(db, db_path):
    first_screen, warmed_up = _modules(FIRST_SCREEN, "--db", str(db_path))
    assert "clerk_tui.ui.screens.search" in first_screen  # the probe did reach the search screen
    assert _loaded(first_screen, NOT_AT_START) == []
    # The background loading after it (outstanding counts, and the warm-up that loads the
    # holiday calendar for the first member detail) loads no PDF, QR or image library either:
    # those wait for the clerk's first document.
    assert "clerk_tui.domain.rules" in warmed_up
    assert "clerk_tui.db.models" in warmed_up
    assert _loaded(warmed_up, PDF_QR_IMAGE) == []


def test_the_command_line_module_loads_no_ui_or_database_engine():
    (modules,) = _modules(CLI_ONLY)
    assert _loaded(modules, NOT_IN_CLI) == []


def test_the_start_path_reads_the_tables_the_models_define():
    """The schema version and the settings are read at start by table name, not through the
    models: the names must stay those of the models."""
    from clerk_tui.db import schema, settings
    from clerk_tui.db.models import SchemaMigration, Setting

    assert schema.VERSION_TABLE == SchemaMigration._meta.table_name
    assert settings.SETTING_TABLE == Setting._meta.table_name
