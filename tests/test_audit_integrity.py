"""Nobody can fake who did what: the clerk's name comes from the operating system, nothing a
clerk planted reaches another clerk's terminal raw, the audit chain is anchored outside the
database, and a production database does not sign with a secret kept inside itself."""

from __future__ import annotations

import os
import pwd
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from clerk_tui.db.models import AuditEntry

ROOT = Path(__file__).resolve().parents[1]


def _cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    return subprocess.run([sys.executable, "-m", "clerk_tui", *args], capture_output=True, text=True,
                          env=full_env, timeout=120)


# --- who acts -----------------------------------------------------------------------------------

def test_clerk_name_comes_from_the_os_account_not_the_environment(tmp_path):
    path = tmp_path / "clerk.db"
    assert _cli("db", "init", "--db", str(path)).returncode == 0
    real = pwd.getpwuid(os.getuid()).pw_name
    done = _cli("db", "reindex", "--db", str(path),
                env={"LOGNAME": "someone", "USER": "someone", "LNAME": "someone", "USERNAME": "someone",
                     "SSH_CONNECTION": "\x1b[31m10.0.0.9 5000 10.0.0.1 22"})
    assert done.returncode == 0, done.stderr
    conn = sqlite3.connect(path)
    rows = conn.execute("select clerk, origin from audit_entry where action = 'db.reindex'").fetchall()
    conn.close()
    assert rows == [(real, None)]  # the planted SSH_CONNECTION is not an address: not recorded


def test_ssh_origin_is_recorded_as_an_address(tmp_path):
    path = tmp_path / "clerk.db"
    assert _cli("db", "init", "--db", str(path)).returncode == 0
    done = _cli("db", "reindex", "--db", str(path), env={"SSH_CONNECTION": "192.0.2.7 50022 192.0.2.1 22"})
    assert done.returncode == 0, done.stderr
    conn = sqlite3.connect(path)
    assert conn.execute("select origin from audit_entry").fetchall() == [("192.0.2.7",)]
    conn.close()


# --- the facility-code secret -------------------------------------------------------------------

def _notice_member(ctx):
    from datetime import date

    from tests.factories import make_employer, make_member

    return make_member(ctx, make_employer(ctx), birth_date=date(1980, 4, 2))


def test_production_refuses_to_issue_a_notice_without_the_key_file(ctx, db_path, capsys):
    from dataclasses import replace

    from clerk_tui.cli import main
    from clerk_tui.config import Config
    from clerk_tui.db.models import Document, Setting
    from clerk_tui.domain.codes import DocumentKind, IssueReason, Route
    from clerk_tui.domain.errors import DomainError
    from clerk_tui.services.issuance import issue_document, plan_issue, verify_facility_code

    member = _notice_member(ctx)
    keyless = replace(ctx, config=Config())
    plan = plan_issue(keyless, member.id, DocumentKind.ELIGIBILITY_NOTICE, IssueReason.NEW, Route.VIA_EMPLOYER)
    entries = AuditEntry.select().count()
    with pytest.raises(DomainError, match="facility_secret_file"):
        issue_document(keyless, plan)
    with pytest.raises(DomainError, match="鍵ファイル"):
        verify_facility_code(keyless, "TJKF1-AAAA-BBBB")
    # nothing written: no document, no audit entry, and no secret stored in the database
    assert Document.select().count() == 0 and AuditEntry.select().count() == entries
    assert Setting.get_or_none(Setting.key == "facility_secret") is None
    code = f"{member.symbol}-{member.number}-{member.branch}"
    assert main(["print", "notice", "--member", code, "--db", str(db_path)]) == 2
    assert "鍵ファイル" in capsys.readouterr().err
    assert Document.select().count() == 0
    # with the key file it issues as before
    assert issue_document(ctx, plan).facility_code


def test_training_database_keeps_working_without_a_key_file(ctx):
    from dataclasses import replace

    from clerk_tui.config import Config
    from clerk_tui.db.models import Setting
    from clerk_tui.db.settings import PURPOSE_KEY, TRAINING
    from clerk_tui.domain.codes import DocumentKind, IssueReason, Route
    from clerk_tui.services.issuance import issue_document, plan_issue, verify_facility_code

    member = _notice_member(ctx)
    ctx.write(lambda: Setting.insert(key=PURPOSE_KEY, value=TRAINING).execute())
    keyless = replace(ctx, config=Config())
    plan = plan_issue(keyless, member.id, DocumentKind.ELIGIBILITY_NOTICE, IssueReason.NEW, Route.VIA_EMPLOYER)
    code = issue_document(keyless, plan).facility_code
    assert verify_facility_code(keyless, code).status == "valid"
