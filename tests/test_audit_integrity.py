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


# --- nothing planted reaches a terminal ---------------------------------------------------------

ESC_RED = "\x1b[31m"
OSC52 = "\x1b]52;c;ZWNobyBwd25lZA==\x07"  # would set the clerk's clipboard
CSI_C1 = "\x9b2J"  # the 8-bit CSI: clear screen
PLANTED = (ESC_RED, OSC52, CSI_C1, "\u202e")


def _raw_controls(text: str) -> list[str]:
    return [ch for ch in text if ch in "\x1b\x9b\x07\u202e"]


@pytest.mark.parametrize("raw, shown", [
    ("山田\x1b[31m太郎", "山田\\x1b[31m太郎"),
    (OSC52, "\\x1b]52;c;ZWNobyBwd25lZA==\\x07"),
    ("a\x9b2Jb\x7f", "a\\x9b2Jb\\x7f"),
    ("abc\u202edef\u2066", "abc\\u202edef\\u2066"),
    ("髙橋\u3000花子 [bold]", "髙橋\u3000花子 [bold]"),
    ("二行\n目", "二行\\x0a目"),
])
def test_terminal_safe_shows_controls_as_visible_escapes(raw, shown):
    from clerk_tui.domain.terminal import terminal_safe

    assert terminal_safe(raw) == shown
    assert terminal_safe("一行目\n二行目\x1b", keep="\n") == "一行目\n二行目\\x1b"


TRAINING_FIXTURE = """
[scenario]
name = "端末テスト"
today = 2025-12-10

[[employers]]
code = "E001"
name = "株式会社テスト"

[[members]]
symbol = "1001"
number = "1"
branch = "00"
employer = "E001"
family_name = "山田"
given_name = "太郎"
family_name_kana = "ヤマダ"
given_name_kana = "タロウ"
birth_date = 1980-04-01
sex = "male"
acquired_on = 2010-04-01
standard_monthly_remuneration = 300000
card_status = "no_card"
"""


def _assert_clean(*outputs: str) -> None:
    for text in outputs:
        assert _raw_controls(text) == [], repr(text)


def test_planted_sequences_never_reach_the_cli_output(tmp_path):
    path = tmp_path / "training.db"
    scenario = tmp_path / "scenario.toml"
    scenario.write_text(TRAINING_FIXTURE, encoding="utf-8")
    loaded = _cli("fixtures", "load", str(scenario), "--db", str(path))
    assert loaded.returncode == 0, loaded.stderr
    # A member name planted with any SQLite tool (every clerk's process can write the file).
    conn = sqlite3.connect(path)
    conn.execute("update member set family_name = ?, given_name = ? where symbol = '1001'",
                 ("山田" + ESC_RED + OSC52, CSI_C1 + "太郎\u202e"))
    conn.commit()
    conn.close()

    from clerk_tui.clock import Clock
    from clerk_tui.config import Config
    from clerk_tui.db.database import open_database
    from clerk_tui.db.models import Member
    from clerk_tui.domain.codes import DocumentKind, IssueReason, Route
    from clerk_tui.services.context import Context
    from clerk_tui.services.issuance import issue_document, plan_issue

    from datetime import date

    db = open_database(path)
    ctx = Context(db=db, clock=Clock(date(2025, 12, 10)), clerk="tester", origin=None, config=Config())
    member = Member.get(Member.symbol == "1001")
    code = issue_document(ctx, plan_issue(ctx, member.id, DocumentKind.ELIGIBILITY_NOTICE, IssueReason.NEW,
                                          Route.VIA_EMPLOYER)).facility_code
    db.close()

    checked = _cli("verify-code", code, "--db", str(path))
    assert checked.returncode == 0, checked.stderr
    _assert_clean(checked.stdout, checked.stderr)
    assert "山田\\x1b[31m\\x1b]52;c;" in checked.stdout  # shown, visibly, not obeyed

    # A fixture value echoed in the loader's error message.
    bad = tmp_path / "bad.toml"
    bad.write_text(TRAINING_FIXTURE.replace('employer = "E001"', 'employer = "E\\u001b]52;c;eA==\\u0007X"')
                   .replace('sex = "male"', 'sex = "\\u001b[31mmale\\u009b2J"'), encoding="utf-8")
    failed = _cli("fixtures", "load", str(bad), "--db", str(path))
    assert failed.returncode == 2
    _assert_clean(failed.stdout, failed.stderr)
    assert "\\x1b" in failed.stderr

    # An argument echoed back (a member code typed or pasted by a clerk).
    typed = _cli("print", "notice", "--member", "1001" + ESC_RED + "-1-00", "--db", str(path))
    assert typed.returncode == 2
    _assert_clean(typed.stdout, typed.stderr)


def test_fixture_error_message_escapes_the_value(tmp_path, db):
    from clerk_tui.fixtures import load_files
    from clerk_tui.fixtures.loader import FixtureLoadError

    bad = tmp_path / "bad.toml"
    bad.write_text(TRAINING_FIXTURE.replace('sex = "male"', 'sex = "\\u001b[31mmale"'), encoding="utf-8")
    with pytest.raises(FixtureLoadError) as err:
        load_files(db, [bad])
    _assert_clean(err.value.message, *(p.message for p in err.value.problems))
    assert "\\x1b[31m" in err.value.message


def test_conflict_message_escapes_the_other_clerks_name(ctx):
    from datetime import date

    from clerk_tui.db.models import Member
    from clerk_tui.services.context import ConflictError, check_version
    from tests.factories import make_employer, make_member

    member = make_member(ctx, make_employer(ctx), birth_date=date(1980, 4, 2))
    ctx.write(lambda: Member.update(version=Member.version + 1, updated_by="x" + OSC52 + CSI_C1)
              .where(Member.id == member.id).execute())
    with pytest.raises(ConflictError) as err:
        check_version(Member.get_by_id(member.id), member.version)
    _assert_clean(err.value.message)
    assert "x\\x1b]52;c;" in err.value.message


async def test_planted_clerk_name_never_reaches_the_issue_screen(tmp_path):
    from clerk_tui.db.models import Member
    from tests.test_ui_issue import (
        CERTIFICATE,
        COUNTER,
        EXPIRY,
        KENICHI,
        SIZE,
        choose,
        make_training_app,
        member,
        open_issue,
        settle,
        shown,
    )

    app = make_training_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_issue(pilot, KENICHI)
        await choose(pilot, CERTIFICATE, EXPIRY, COUNTER)
        # Meanwhile "another clerk" whose recorded name carries escape sequences edits the member.
        target = member(KENICHI).id
        app.ctx.write(lambda: Member.update(version=Member.version + 1, updated_by=ESC_RED + "evil" + OSC52)
                      .where(Member.id == target).execute())
        await pilot.press("ctrl+s")
        await settle(pilot)
        message = shown(screen, "#issue-message")
        assert "さんが" in message
        _assert_clean(message)
        assert "\\x1b[31mevil" in message
