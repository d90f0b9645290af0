"""Nobody can fake who did what: the clerk's name comes from the operating system, nothing a
clerk planted reaches another clerk's terminal raw, the audit chain is anchored outside the
database, and a production database does not sign with a secret kept inside itself."""

from __future__ import annotations

import os
import pwd
import sqlite3
import stat
import subprocess
import sys
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from clerk_tui.cli import main
from clerk_tui.clock import Clock
from clerk_tui.config import Config
from clerk_tui.db.database import open_database
from clerk_tui.db.models import AuditEntry, Document, Member, Setting
from clerk_tui.db.settings import PURPOSE_KEY, TRAINING
from clerk_tui.db.triggers import AUDIT_APPEND_ONLY
from clerk_tui.domain.codes import AuditKind, DocumentKind, IssueReason, Route
from clerk_tui.domain.errors import DomainError
from clerk_tui.domain.terminal import terminal_safe
from clerk_tui.scenarios import load_files
from clerk_tui.scenarios.loader import FixtureLoadError
from clerk_tui.services import audit
from clerk_tui.services.context import ConflictError, Context, check_version
from clerk_tui.services.issuance import issue_document, plan_issue, verify_facility_code
from clerk_tui.ui.app import ClerkApp
from clerk_tui.ui.screens.audit import AuditScreen
from tests.factories import make_employer, make_member
from tests.test_ui_issue import (
    CERTIFICATE,
    COUNTER,
    EXPIRY,
    KENICHI,
    SIZE,
    choose,
    make_training_app,
    open_issue,
    settle,
    shown,
)
from tests.test_ui_issue import member as training_member

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
    return make_member(ctx, make_employer(ctx), birth_date=date(1980, 4, 2))


def test_production_refuses_to_issue_a_notice_without_the_key_file(ctx, db_path, capsys):
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


def _raw_controls(text: str) -> list[str]:
    return [ch for ch in text if ch in "\x1b\x9b\x07\u202e"]


@pytest.mark.parametrize("raw, visible", [
    ("山田\x1b[31m太郎", "山田\\x1b[31m太郎"),
    (OSC52, "\\x1b]52;c;ZWNobyBwd25lZA==\\x07"),
    ("a\x9b2Jb\x7f", "a\\x9b2Jb\\x7f"),
    ("abc\u202edef\u2066", "abc\\u202edef\\u2066"),
    ("髙橋\u3000花子 [bold]", "髙橋\u3000花子 [bold]"),
    ("二行\n目", "二行\\x0a目"),
])
def test_terminal_safe_shows_controls_as_visible_escapes(raw, visible):
    assert terminal_safe(raw) == visible
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
    bad = tmp_path / "bad.toml"
    bad.write_text(TRAINING_FIXTURE.replace('sex = "male"', 'sex = "\\u001b[31mmale"'), encoding="utf-8")
    with pytest.raises(FixtureLoadError) as err:
        load_files(db, [bad])
    _assert_clean(err.value.message, *(p.message for p in err.value.problems))
    assert "\\x1b[31m" in err.value.message


def test_conflict_message_escapes_the_other_clerks_name(ctx):
    member = make_member(ctx, make_employer(ctx), birth_date=date(1980, 4, 2))
    ctx.write(lambda: Member.update(version=Member.version + 1, updated_by="x" + OSC52 + CSI_C1)
              .where(Member.id == member.id).execute())
    with pytest.raises(ConflictError) as err:
        check_version(Member.get_by_id(member.id), member.version)
    _assert_clean(err.value.message)
    assert "x\\x1b]52;c;" in err.value.message


async def test_planted_clerk_name_never_reaches_the_issue_screen(tmp_path):
    app = make_training_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_issue(pilot, KENICHI)
        await choose(pilot, CERTIFICATE, EXPIRY, COUNTER)
        # Meanwhile "another clerk" whose recorded name carries escape sequences edits the member.
        target = training_member(KENICHI).id
        app.ctx.write(lambda: Member.update(version=Member.version + 1, updated_by=ESC_RED + "evil" + OSC52)
                      .where(Member.id == target).execute())
        await pilot.press("ctrl+s")
        await settle(pilot)
        message = shown(screen, "#form-message")
        assert "さんが" in message
        _assert_clean(message)
        assert "\\x1b[31mevil" in message


# --- the audit chain anchored outside the database ----------------------------------------------



def _entries(ctx, n: int) -> None:
    for i in range(n):
        ctx.write(lambda i=i: audit.record(ctx, AuditKind.WRITE, "test.action", table="member",
                                           record_id=i + 1, summary={"i": i}))


_SQLITE_TOOL = """
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1])
try:
    for sql in sys.argv[2:]:
        conn.execute(sql)
    conn.commit()
except sqlite3.DatabaseError as exc:
    sys.exit(f"sqlite3 error: {exc}")
"""


def _raw(db_path, *statements: str) -> None:
    """What any clerk can do to the file with an SQLite tool, from another process (two SQLite
    libraries in one process would break each other's POSIX locks)."""
    done = subprocess.run([sys.executable, "-c", _SQLITE_TOOL, str(db_path), *statements],
                          capture_output=True, text=True, timeout=60)
    if done.returncode:
        raise sqlite3.IntegrityError(done.stderr)


DROP_TRIGGERS = ("drop trigger audit_entry_no_update", "drop trigger audit_entry_no_delete")

_RECOMPUTE = """
import sqlite3, sys
from clerk_tui.services.audit import GENESIS, _digest
conn = sqlite3.connect(sys.argv[1])
prev = GENESIS
rows = conn.execute("select id, at, clerk, origin, kind, action, table_name, record_id, member_id, summary "
                    "from audit_entry order by id").fetchall()
for row in rows:
    digest = _digest(prev, *row[1:])
    conn.execute("update audit_entry set prev_hash = ?, hash = ? where id = ?", (prev, digest, row[0]))
    prev = digest
conn.commit()
"""


def _recompute_chain(db_path) -> None:
    """An attacker who knows the (public) hash recipe rewrites every hash after an edit."""
    done = subprocess.run([sys.executable, "-c", _RECOMPUTE, str(db_path)], capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=60)
    assert done.returncode == 0, done.stderr


@pytest.fixture
def anchors(tmp_path):
    return tmp_path / "anchor-dir" / "audit-anchors"


def _anchor(db_path, anchors) -> int:
    return main(["audit", "anchor", "--db", str(db_path), "--anchor-file", str(anchors)])


def _verify(db_path, anchors) -> int:
    return main(["audit", "verify", "--db", str(db_path), "--anchor-file", str(anchors)])


def _check(db_path, anchors, tmp_path) -> int:
    conf = tmp_path / "anchors.toml"
    conf.write_text(f'audit_anchor_file = "{anchors}"\n')
    return main(["db", "check", "--db", str(db_path), "--config", str(conf)])


def test_anchor_is_appended_and_matches(ctx, db_path, anchors, tmp_path, capsys):
    _entries(ctx, 3)
    assert _anchor(db_path, anchors) == 0
    _entries(ctx, 2)
    assert _anchor(db_path, anchors) == 0
    lines = anchors.read_text().splitlines()
    assert len(lines) == 2 and '"count":3' in lines[0] and '"count":5' in lines[1]
    assert stat_mode(anchors) == 0o644 and stat_mode(anchors.parent) == 0o755  # clerks read; only root writes
    assert all(word not in lines[0] for word in ("tester", "member", "test.action"))  # counts and hashes only
    _entries(ctx, 1)
    capsys.readouterr()
    assert _verify(db_path, anchors) == 0
    assert "照合点 2 件と一致、最新の照合点以後 1 件" in capsys.readouterr().out
    assert _check(db_path, anchors, tmp_path) == 0
    assert "照合点: 2 件を照合" in capsys.readouterr().out


def stat_mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_recomputed_chain_after_an_edit_is_detected(ctx, db_path, anchors, tmp_path, capsys):
    _entries(ctx, 5)
    assert _anchor(db_path, anchors) == 0
    _raw(db_path, *DROP_TRIGGERS, "update audit_entry set clerk = 'someone' where id = 2")
    _recompute_chain(db_path)
    assert audit.verify().ok  # the chain alone cannot tell
    capsys.readouterr()
    assert _verify(db_path, anchors) == 1
    assert "1〜5 番が書き換えられています" in capsys.readouterr().err
    assert _check(db_path, anchors, tmp_path) == 1
    out = capsys.readouterr().out
    assert "NG  監査ログ" in out and "書き換えられています" in out
    assert _anchor(db_path, anchors) == 1  # a rewritten chain is never anchored
    assert len(anchors.read_text().splitlines()) == 1


def test_deleted_tail_is_detected(ctx, db_path, anchors, tmp_path, capsys):
    _entries(ctx, 5)
    assert _anchor(db_path, anchors) == 0
    _raw(db_path, *DROP_TRIGGERS, "delete from audit_entry where id > 3")
    assert audit.verify().ok
    capsys.readouterr()
    assert _verify(db_path, anchors) == 1
    assert "5 件あったはずですが、いまは 3 件です（4〜5 番が削除されています）" in capsys.readouterr().err
    assert _check(db_path, anchors, tmp_path) == 1


def test_deleting_every_entry_is_detected(ctx, db_path, anchors, tmp_path, capsys):
    _entries(ctx, 3)
    assert _anchor(db_path, anchors) == 0
    _raw(db_path, *DROP_TRIGGERS, "delete from audit_entry")
    assert audit.verify().ok
    capsys.readouterr()
    assert _verify(db_path, anchors) == 1
    assert "いまは 0 件です" in capsys.readouterr().err
    assert _check(db_path, anchors, tmp_path) == 1


def test_tail_deleted_then_new_entries_written_is_detected(ctx, db_path, anchors, capsys):
    _entries(ctx, 4)
    assert _anchor(db_path, anchors) == 0
    _raw(db_path, *DROP_TRIGGERS, "delete from audit_entry where id > 2")
    _raw(db_path, *(sql.replace("IF NOT EXISTS ", "") for sql in AUDIT_APPEND_ONLY))
    _entries(ctx, 3)  # back to 5 entries, a different 3rd and 4th
    capsys.readouterr()
    assert _verify(db_path, anchors) == 1
    assert "4 番のハッシュが照合点と一致しません" in capsys.readouterr().err


def test_a_database_swapped_in_under_the_same_path_is_detected(ctx, db, db_path, anchors, capsys):
    _entries(ctx, 2)
    assert _anchor(db_path, anchors) == 0
    _raw(db_path, "update setting set value = 'forged' where key = 'database_id'")
    capsys.readouterr()
    assert _verify(db_path, anchors) == 1
    assert "差し替え" in capsys.readouterr().err


def test_an_anchor_file_clerks_can_write_is_not_trusted(ctx, db_path, anchors, tmp_path, capsys):
    _entries(ctx, 2)
    assert _anchor(db_path, anchors) == 0
    anchors.chmod(0o666)
    capsys.readouterr()
    assert _verify(db_path, anchors) == 1
    assert "書き込めます" in capsys.readouterr().err
    assert _anchor(db_path, anchors) == 1  # refused: nothing is appended to it
    assert len(anchors.read_text().splitlines()) == 1


def test_a_damaged_anchor_line_is_reported(ctx, db_path, anchors, capsys):
    _entries(ctx, 2)
    assert _anchor(db_path, anchors) == 0
    with anchors.open("a") as fh:
        fh.write('CLERK-TUI-AUDIT-ANCHOR {"count": "x"}\n')
    capsys.readouterr()
    assert _verify(db_path, anchors) == 1
    assert ":2: 照合点の行が壊れています" in capsys.readouterr().err


def test_missing_triggers_are_reported_and_restored_by_upgrade(ctx, db_path, anchors, tmp_path, capsys):
    _entries(ctx, 2)
    _raw(db_path, *DROP_TRIGGERS)
    capsys.readouterr()
    assert _check(db_path, anchors, tmp_path) == 1
    out = capsys.readouterr().out
    assert "NG  監査ログの保護トリガー: audit_entry_no_update がありません" in out
    assert main(["db", "upgrade", "--db", str(db_path)]) == 0
    assert _check(db_path, anchors, tmp_path) == 0
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        _raw(db_path, "delete from audit_entry where id = 1")


def test_a_disarmed_trigger_is_reported_and_restored_by_init(ctx, db_path, anchors, tmp_path, capsys):
    _entries(ctx, 2)
    _raw(db_path, "drop trigger audit_entry_no_delete",
         "create trigger audit_entry_no_delete before delete on audit_entry begin select 1; end")
    capsys.readouterr()
    assert _check(db_path, anchors, tmp_path) == 1
    assert "audit_entry_no_delete が書き換えられています" in capsys.readouterr().out
    assert main(["db", "init", "--db", str(db_path)]) == 0
    assert _check(db_path, anchors, tmp_path) == 0
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        _raw(db_path, "delete from audit_entry where id = 1")


def test_every_write_sends_the_new_head_to_the_system_log(ctx, db_path, tmp_path, monkeypatch, capsys):
    sent: list[str] = []
    monkeypatch.setattr(audit, "send_to_syslog", sent.append)
    _entries(ctx, 3)

    def fails():
        audit.record(ctx, AuditKind.WRITE, "test.rolled_back")
        raise RuntimeError("the action failed after its audit entry")

    with pytest.raises(RuntimeError):
        ctx.write(fails)  # rolled back: its head never reaches the log
    ctx.write(lambda: ctx.write(lambda: audit.record(ctx, AuditKind.WRITE, "test.nested")))
    assert len(sent) == 4 and all(line.startswith("CLERK-TUI-AUDIT-ANCHOR ") for line in sent)
    assert '"count":4' in sent[-1] and AuditEntry.select().count() == 4
    # The system log, exported by the administrator (journalctl -t clerk-tui), works as anchors.
    journal = tmp_path / "journal.txt"
    journal.write_text("".join(f"Dec 04 16:00:0{i} host clerk-tui[123]: {line}\n" for i, line in enumerate(sent)))
    assert _verify(db_path, journal) == 0
    _raw(db_path, *DROP_TRIGGERS, "delete from audit_entry where id = 4")
    capsys.readouterr()
    assert _verify(db_path, journal) == 1
    assert "4 番が削除されています" in capsys.readouterr().err


async def test_the_audit_screen_checks_against_the_anchors(ctx, db_path, anchors):
    _entries(ctx, 3)
    assert _anchor(db_path, anchors) == 0
    _raw(db_path, *DROP_TRIGGERS, "delete from audit_entry where id = 3")
    ctx = replace(ctx, config=Config(audit_anchor_file=anchors, audit_syslog=False))
    app = ClerkApp(ctx, config=ctx.config)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f10")
        await pilot.pause(0.3)
        assert isinstance(app.screen, AuditScreen)
        await app.workers.wait_for_complete()  # the entries are listed first
        app.screen.query_one("#audit-table").focus()
        await pilot.press("v")
        await app.workers.wait_for_complete()
        await pilot.pause()
        message = str(app.screen.query_one("#audit-message").render())
        assert "異常" in message and "3 番が削除されています" in message


def test_anchor_sends_its_line_or_an_alert_to_the_system_log(ctx, db_path, anchors, monkeypatch):
    sent: list[str] = []
    monkeypatch.setattr(audit, "send_to_syslog", sent.append)
    _entries(ctx, 2)
    sent.clear()
    assert _anchor(db_path, anchors) == 0
    assert sent == anchors.read_text().splitlines()  # the same line in both places
    _raw(db_path, *DROP_TRIGGERS, "delete from audit_entry where id = 2")
    assert _anchor(db_path, anchors) == 1
    assert sent[-1].startswith("CLERK-TUI-AUDIT-ALERT ") and "tester" not in sent[-1]
    assert len(anchors.read_text().splitlines()) == 1
