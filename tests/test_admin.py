"""What an administrator can destroy by accident on the command line, run as a real process on a
real SQLite file: backups onto the live database, --out onto other files or into missing
folders, interrupted backups and first builds, resumed batches, files others can change, corrupt
or foreign database files, and the first contact with no database at all."""

from __future__ import annotations

import io
import os
import signal
import sqlite3
import stat
import subprocess
import sys
from dataclasses import replace
from datetime import date
from pathlib import Path

import pypdf
import pytest

from clerk_tui.clock import Clock
from clerk_tui.config import Config
from clerk_tui.scenarios import load_files

ROOT = Path(__file__).resolve().parents[1]
BASE = ROOT / "fixtures" / "training" / "00_base.toml"
MEMBER = "4001-7-00"


def _env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CLERK_TUI", "XDG_"))}
    env["HOME"] = str(tmp_path / "home")  # no clerk's own configuration or data directory
    env["PYTHONPATH"] = str(ROOT)
    return env


def run(tmp_path: Path, *args: str, code: str | None = None) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-c", code] if code else [sys.executable, "-m", "clerk_tui"]
    done = subprocess.run([*cmd, *map(str, args)], cwd=ROOT, env=_env(tmp_path), capture_output=True,
                          text=True, timeout=120)
    assert "Traceback" not in done.stderr, done.stderr
    return done


def state(db_path: Path) -> tuple:
    """What must survive a refused command: integrity and every table's rows."""
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        integrity = conn.execute("pragma integrity_check").fetchone()[0]
        counts = tuple(conn.execute(f"select count(*) from {t}").fetchone()[0]
                       for t in ("member", "employer", "document", "audit_entry"))
    finally:
        conn.close()
    return integrity, counts


@pytest.fixture
def live(ctx, db_path, tmp_path):
    """The live database (base scenario + one member who needs a 資格確認書) and an output
    folder apart from it."""
    from clerk_tui.db.models import Employer
    from tests.factories import make_member

    load_files(ctx.db, [BASE])
    make_member(ctx, Employer.get(Employer.code == "E001"), symbol="4001", number="7")
    (tmp_path / "pdf").mkdir()
    before = state(db_path)
    assert before[0] == "ok" and before[1][0] > 0
    return db_path


def _config(tmp_path: Path, text: str, name: str = "c.toml") -> Path:
    path = tmp_path / name
    path.write_text(f'output_dir = "{tmp_path / "out"}"\n' + text, encoding="utf-8")
    path.chmod(0o600)
    return path


# ---------------------------------------------------------------------------------------------
# db backup


def test_backup_onto_the_live_database_or_its_wal_is_refused(live, tmp_path):
    before = state(live)
    for dest in (live, live.with_name(live.name + "-wal"), live.with_name(live.name + ".write-lock"),
                 tmp_path / "." / live.name):
        done = run(tmp_path, "db", "backup", dest, "--db", live, "--allow-db-folder")
        assert done.returncode == 2 and "稼働中のデータベース" in done.stderr, done.stderr
    assert state(live) == before


def test_backup_never_overwrites_and_keeps_out_of_the_database_folder(live, tmp_path):
    before = state(live)
    other = tmp_path / "pdf" / "notes.txt"
    other.write_text("大事なメモ", encoding="utf-8")
    done = run(tmp_path, "db", "backup", other, "--db", live)
    assert done.returncode == 2 and "上書きしません" in done.stderr
    assert other.read_text(encoding="utf-8") == "大事なメモ"

    beside = tmp_path / "copy.db"
    done = run(tmp_path, "db", "backup", beside, "--db", live)
    assert done.returncode == 2 and "データベースと同じフォルダ" in done.stderr and "--allow-db-folder" in done.stderr
    assert not beside.exists()
    done = run(tmp_path, "db", "backup", beside, "--db", live, "--allow-db-folder")
    assert done.returncode == 0, done.stderr
    assert state(beside) == before and state(live) == before


def test_backup_killed_midway_leaves_no_copy_and_the_next_run_cleans_up(live, tmp_path):
    """kill -9 right after SQLite wrote the copy, before the rename: no file under the final name;
    the hidden leftover is removed by the next backup, which completes."""
    dest = tmp_path / "backup" / "clerk.db"
    killer = (
        "import os, signal, sys\n"
        "from clerk_tui.db import database\n"
        "original = database.ClerkDatabase.backup_to_file\n"
        "def killed(self, *a, **k):\n"
        "    original(self, *a, **k)\n"
        "    os.kill(os.getpid(), signal.SIGKILL)\n"
        "database.ClerkDatabase.backup_to_file = killed\n"
        "from clerk_tui.cli import main\n"
        "sys.exit(main(sys.argv[1:]))\n"
    )
    done = run(tmp_path, "db", "backup", dest, "--db", live, code=killer)
    assert done.returncode == -signal.SIGKILL
    assert not dest.exists()
    leftovers = list(dest.parent.glob(".clerk.db.*.tmp*"))
    assert leftovers  # the partial copy is hidden, never under the final name
    done = run(tmp_path, "db", "backup", dest, "--db", live)
    assert done.returncode == 0, done.stderr
    assert not any(p.exists() for p in leftovers)
    assert sorted(p.name for p in dest.parent.iterdir()) == ["clerk.db"]
    assert state(dest) == state(live)
    assert stat.S_IMODE(dest.stat().st_mode) & 0o007 == 0


# ---------------------------------------------------------------------------------------------
# print --out


def _documents(db_path: Path) -> int:
    return state(db_path)[1][2]


def test_print_out_onto_the_database_or_a_non_pdf_is_refused_before_issuing(live, tmp_path):
    before = state(live)
    for target in (live, live.with_name(live.name + "-wal")):
        done = run(tmp_path, "print", "certificate", "--member", MEMBER, "--out", target, "--db", live,
                   "--allow-db-folder")
        assert done.returncode == 2 and "稼働中のデータベース" in done.stderr, done.stderr
    text = tmp_path / "pdf" / "letter.txt"
    text.write_text("別の書類", encoding="utf-8")
    done = run(tmp_path, "print", "certificate", "--member", MEMBER, "--out", text, "--db", live)
    assert done.returncode == 2 and "PDFではない既存のファイル" in done.stderr and "上書きしません" in done.stderr
    assert text.read_text(encoding="utf-8") == "別の書類"
    done = run(tmp_path, "print", "certificate", "--member", MEMBER, "--out", tmp_path / "cert.pdf", "--db", live)
    assert done.returncode == 2 and "データベースと同じフォルダ" in done.stderr
    assert not (tmp_path / "cert.pdf").exists()
    assert state(live) == before  # nothing issued, nothing audited

    # A PDF made earlier may be replaced by the new one.
    old = tmp_path / "pdf" / "cert.pdf"
    old.write_bytes(b"%PDF-1.4 old")
    done = run(tmp_path, "print", "certificate", "--member", MEMBER, "--out", old, "--db", live)
    assert done.returncode == 0, done.stderr
    assert MEMBER.split("-")[0] in "".join(p.extract_text() for p in pypdf.PdfReader(old).pages)
    assert _documents(live) == before[1][2] + 1


def test_print_out_into_a_missing_folder_issues_nothing(live, tmp_path):
    before = state(live)
    done = run(tmp_path, "print", "certificate", "--member", MEMBER, "--out", tmp_path / "nowhere" / "c.pdf",
               "--db", live)
    assert done.returncode == 2
    assert "出力先フォルダ" in done.stderr and "ありません" in done.stderr and "nowhere" in done.stderr
    assert state(live) == before and not (tmp_path / "nowhere").exists()
    done = run(tmp_path, "reprint", "C2025-0000001", "--out", tmp_path / "nowhere" / "c.pdf", "--db", live)
    assert done.returncode == 2 and not (tmp_path / "nowhere").exists()


def test_print_fails_and_says_so_when_the_print_command_is_missing(live, tmp_path):
    before = state(live)
    cfg = _config(tmp_path, 'print_command = "no-such-printer-cmd -d TEKIYO {file}"\n')
    done = run(tmp_path, "print", "certificate", "--member", MEMBER, "--db", live, "--config", cfg)
    assert done.returncode != 0
    assert "印刷コマンド no-such-printer-cmd が見つかりません" in done.stderr
    assert state(live) == before and not (tmp_path / "out").exists()

    # A print command that runs but fails: the document is issued, the exit code says it failed.
    cfg = _config(tmp_path, 'print_command = ["false"]\n', "fails.toml")
    done = run(tmp_path, "print", "certificate", "--member", MEMBER, "--db", live, "--config", cfg)
    assert done.returncode == 1
    assert "印刷コマンドが失敗しました" in done.stderr and "reprint" in done.stderr
    assert _documents(live) == before[1][2] + 1


def test_print_command_never_runs_the_file_name(live, tmp_path):
    log = tmp_path / "printed.txt"
    cfg = _config(tmp_path, f'print_command = ["sh", "-c", "printf %s \\"$1\\" > {log}", "sh", "{{file}}"]\n')
    crafted = tmp_path / "pdf" / "$(touch PWNED);`touch PWNED2`.pdf"
    done = run(tmp_path, "print", "certificate", "--member", MEMBER, "--out", crafted, "--db", live,
               "--config", cfg)
    assert done.returncode == 0, done.stderr
    assert "印刷を依頼しました" in done.stdout
    assert log.read_text(encoding="utf-8") == str(crafted)
    assert not list(ROOT.glob("PWNED*")) and not list(tmp_path.rglob("PWNED*"))

    # {file} inside a shell script would let a file name run: such a setting is refused at once.
    before = state(live)
    cfg = _config(tmp_path, f"print_command = \"sh -c 'lp {{file}}'\"\n", "embedded.toml")
    done = run(tmp_path, "print", "certificate", "--member", MEMBER, "--db", live, "--config", cfg)
    assert done.returncode == 2 and "単独の引数" in done.stderr
    assert state(live) == before


# ---------------------------------------------------------------------------------------------
# Batches resumed on a later day


def test_a_batch_resumed_on_a_later_day_prints_the_part_issued_before(live, ctx, tmp_path, monkeypatch):
    from clerk_tui.db.models import Employer
    from clerk_tui.domain.codes import CardStatus
    from clerk_tui.services import batch
    from clerk_tui.services.batch import batch_certificates
    from tests.factories import make_member

    monkeypatch.setattr(batch, "GROUP_SIZE", 2)  # committed two by two: the third is interrupted
    monkeypatch.setattr(batch, "GROUP_SECONDS", 3600.0)  # groups cut by count only, not by a slow machine

    employer = Employer.get(Employer.code == "E001")
    members = [make_member(ctx, employer, symbol="3001", number=str(100 + i), card_status=CardStatus.NO_CARD)
               for i in range(4)]
    day1 = replace(ctx, clock=Clock(date(2025, 12, 10)), config=Config(db=live, output_dir=tmp_path / "out"))

    def interrupt(done, total, employer):
        if done == 3:
            raise KeyboardInterrupt  # Ctrl+C (or a power cut) on day 1, before the file was made

    with pytest.raises(KeyboardInterrupt):
        batch_certificates(day1, employer_code="E001", progress=interrupt)
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").glob("*.pdf"))

    cfg = _config(tmp_path, "")
    done = run(tmp_path, "batch", "certificates", "--employer", "E001", "--today", "2025-12-15", "--db", live,
               "--config", cfg)
    assert done.returncode == 0, done.stderr
    assert "交付 3 件（前回の中断分 2 件を含むファイル 1 件）" in done.stdout
    (pdf,) = (tmp_path / "out").glob("*.pdf")
    text = "".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf.read_bytes())).pages)
    assert all(m.member_code in text for m in members) and MEMBER in text
    assert "計 5件" in text

    # Printed now: the next day's run has nothing left over from that batch.
    done = run(tmp_path, "batch", "certificates", "--employer", "E001", "--today", "2025-12-16", "--db", live,
               "--config", cfg)
    assert done.returncode == 0, done.stderr
    assert "交付 0 件（前回の中断分 0 件を含むファイル 0 件）" in done.stdout
    assert list((tmp_path / "out").glob("*.pdf")) == [pdf]


# ---------------------------------------------------------------------------------------------
# Permissions


def test_a_database_folder_others_can_write_to_is_refused(live, tmp_path):
    before = state(live)
    live.parent.chmod(0o777)
    try:
        done = run(tmp_path, "db", "check", "--db", live)
    finally:
        live.parent.chmod(0o700)
    assert done.returncode == 2
    assert "他のユーザーも書き込める" in done.stderr and f"chmod o-w {live.parent}" in done.stderr
    assert state(live) == before


def test_config_files_others_can_change_are_refused(live, tmp_path):
    cfg = _config(tmp_path, "")
    cfg.chmod(0o666)
    done = run(tmp_path, "db", "check", "--db", live, "--config", cfg)
    assert done.returncode == 2 and "設定ファイル" in done.stderr and "chmod o-w" in done.stderr
    cfg.chmod(0o644)  # readable is fine
    assert run(tmp_path, "db", "check", "--db", live, "--config", cfg).returncode == 0
    done = run(tmp_path, "db", "check", "--db", live, "--config", tmp_path / "missing.toml")
    assert done.returncode == 2 and "設定ファイル" in done.stderr and "missing.toml がありません" in done.stderr


def test_a_config_file_with_a_syntax_error_is_explained_in_japanese(live, tmp_path):
    cfg = _config(tmp_path, 'output_dir = "/srv/out\nprint_command = [\n', "broken.toml")
    done = run(tmp_path, "db", "check", "--db", live, "--config", cfg)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "設定ファイル" in done.stderr and "broken.toml" in done.stderr
    assert "行目" in done.stderr and "TOML の書き方に誤りがあります" in done.stderr


@pytest.mark.skipif(os.geteuid() != 0, reason="giving a file to another user needs root")
def test_config_and_key_files_owned_by_someone_else_are_refused(live, tmp_path):
    cfg = _config(tmp_path, "")
    os.chown(cfg, 4242, -1)
    done = run(tmp_path, "db", "check", "--db", live, "--config", cfg)
    assert done.returncode == 2 and "所有者" in done.stderr and "root" in done.stderr
    key = tmp_path / "facility.key"
    key.write_bytes(os.urandom(32).hex().encode())
    key.chmod(0o600)
    os.chown(key, 4242, -1)
    cfg = _config(tmp_path, f'facility_secret_file = "{key}"\n', "k.toml")
    done = run(tmp_path, "print", "notice", "--member", MEMBER, "--db", live, "--config", cfg)
    assert done.returncode == 2 and "所有者" in done.stderr


def test_key_files_others_can_read_or_write_or_too_short_are_refused(live, tmp_path):
    before = state(live)
    key = tmp_path / "facility.key"
    cfg = _config(tmp_path, f'facility_secret_file = "{key}"\n')
    cases = [(os.urandom(32).hex().encode(), 0o604, "他のユーザーも読める"),
             (os.urandom(32).hex().encode(), 0o602, "他のユーザーも書き換えられる"),
             (b"0123456789abcdef0123456789abcde\n", 0o600, "短すぎます（31バイト")]
    for content, mode, message in cases:
        key.write_bytes(content)
        key.chmod(mode)
        done = run(tmp_path, "print", "notice", "--member", MEMBER, "--db", live, "--config", cfg)
        assert done.returncode == 2 and message in done.stderr, (mode, done.stderr)
        assert state(live) == before
    key.write_bytes(b"0123456789abcdef0123456789abcdef\n")  # 32 bytes, owner only
    done = run(tmp_path, "print", "notice", "--member", MEMBER, "--db", live, "--config", cfg)
    assert done.returncode == 0, done.stderr


def test_generated_scenario_files_are_group_only_and_never_replace_the_database(live, tmp_path):
    before = state(live)
    out = tmp_path / "pdf" / "synthetic.toml"
    done = run(tmp_path, "fixtures", "generate", "--members", "20", "--out", out, "--db", live)
    assert done.returncode == 0, done.stderr
    assert stat.S_IMODE(out.stat().st_mode) & 0o037 == 0  # owner writes, group reads, others nothing
    done = run(tmp_path, "fixtures", "generate", "--members", "20", "--out", live, "--db", live,
               "--allow-db-folder")
    assert done.returncode == 2 and "稼働中のデータベース" in done.stderr
    copy = tmp_path / "pdf" / "other.db"
    sqlite3.connect(copy).execute("create table t(x)").connection.close()
    profile = tmp_path / "pdf" / "profile.toml"
    profile.write_text('print_command = ["lp"]\n', encoding="utf-8")
    for other in (copy, profile):
        content = other.read_bytes()
        done = run(tmp_path, "fixtures", "generate", "--members", "20", "--out", other, "--db", live)
        assert done.returncode == 2 and "合成データのシナリオファイルではない既存のファイル" in done.stderr
        assert other.read_bytes() == content
    # A scenario file generated earlier may be generated again.
    done = run(tmp_path, "fixtures", "generate", "--members", "30", "--out", out, "--db", live)
    assert done.returncode == 0 and "30 人分" in done.stdout
    assert state(live) == before


# ---------------------------------------------------------------------------------------------
# Corrupt and foreign files


def test_check_and_verify_explain_a_file_that_is_not_a_database(tmp_path):
    path = tmp_path / "notes.db"
    path.write_text("これはデータベースではありません\n", encoding="utf-8")
    path.chmod(0o600)
    content = path.read_bytes()
    for command in (("db", "check"), ("audit", "verify")):
        done = run(tmp_path, *command, "--db", path)
        assert done.returncode == 2 and "SQLite のデータベースではありません" in done.stderr, done.stderr
    assert path.read_bytes() == content


def test_check_and_verify_explain_a_corrupt_database(live, ctx, tmp_path):
    corrupt = tmp_path / "pdf" / "corrupt.db"
    ctx.db.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")  # every row in the main file
    data = bytearray(live.read_bytes())
    for offset in range(4096, len(data), 4096):  # scribble over every page but the first
        data[offset:offset + 600] = os.urandom(600)
    corrupt.write_bytes(bytes(data))
    corrupt.chmod(0o600)
    content = corrupt.read_bytes()
    for command in (("db", "check"), ("audit", "verify")):
        done = run(tmp_path, *command, "--db", corrupt)
        assert done.returncode in (1, 2)
        assert ("壊れています" in done.stderr or "異常あり" in done.stdout), (done.stdout, done.stderr)
    assert corrupt.read_bytes() == content


def test_a_deeply_nested_fixture_gets_a_message(tmp_path):
    deep = tmp_path / "deep.toml"
    deep.write_text('[scenario]\nname = "研修: 入れ子"\nx = ' + "[" * 50_000 + "]" * 50_000 + "\n",
                    encoding="utf-8")
    db = tmp_path / "training.db"
    done = run(tmp_path, "fixtures", "load", deep, "--db", db)
    assert done.returncode == 2 and "入れ子が深すぎて" in done.stderr and "deep.toml" in done.stderr
    assert "RecursionError" not in done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["deep.toml"]  # no database left behind


# ---------------------------------------------------------------------------------------------
# First contact: no database yet


def test_bare_clerk_tui_without_a_database_explains_and_creates_nothing(tmp_path):
    done = run(tmp_path)
    assert done.returncode == 2
    default = tmp_path / "home" / ".local" / "share" / "clerk-tui" / "clerk.db"
    assert str(default) in done.stderr
    assert "clerk-tui db init" in done.stderr and "fixtures load" in done.stderr and "demo" in done.stderr
    assert not (tmp_path / "home").exists()
    done = run(tmp_path, "--db", tmp_path / "data" / "clerk.db")
    assert done.returncode == 2 and "何も作成していません" in done.stderr
    done = run(tmp_path, "db", "upgrade", "--db", tmp_path / "data" / "clerk.db")
    assert done.returncode == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_a_failed_first_fixture_load_leaves_no_file(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('[scenario]\nname = "研修: 誤り"\n[[members]]\nsymbol = "1"\n', encoding="utf-8")
    done = run(tmp_path, "fixtures", "load", bad, "--db", tmp_path / "training.db")
    assert done.returncode == 2 and "何も書き込んでいません" in done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.toml"]
    done = run(tmp_path, "fixtures", "load", BASE, "--db", tmp_path / "training.db")
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.toml", "training.db"]
    assert state(tmp_path / "training.db")[1][1] > 0


def test_an_interrupted_first_demo_leaves_no_partial_database(tmp_path, monkeypatch, capsys):
    """kill -9 while the demo database is being filled (as when the first scripts/demo is
    interrupted): nothing under the real name, so the next start builds it whole."""
    import clerk_tui.cli as cli
    from clerk_tui.db.models import Member

    demo = tmp_path / "data" / "demo.db"
    killer = (
        "import os, signal, sys\n"
        "import clerk_tui.scenarios.generator as generator\n"
        "def killed(*a, **k):\n"
        "    os.kill(os.getpid(), signal.SIGKILL)\n"
        "generator.generate_into = killed\n"
        "from clerk_tui.cli import main\n"
        "sys.exit(main(sys.argv[1:]))\n"
    )
    done = run(tmp_path, "demo", "--db", demo, code=killer)
    assert done.returncode == -signal.SIGKILL
    assert not demo.exists() and list(demo.parent.glob(".demo.db.*"))

    monkeypatch.setattr(cli, "_run_app", lambda args, cfg: 0)
    assert cli.main(["demo", "--db", str(demo)]) == 0
    assert "デモ用データベースを作成しました" in capsys.readouterr().out
    assert not list(demo.parent.glob(".*"))  # the leftovers of the killed run are removed
    assert Member.select().count() >= cli.DEMO_SYNTHETIC_MEMBERS
    assert state(demo)[0] == "ok"
