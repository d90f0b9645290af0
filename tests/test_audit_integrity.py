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
