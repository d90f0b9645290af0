"""App start-up as a clerk sees it, against a bare Textual app: the time from `tmux new-session`
to the first screen drawn in the terminal (the search screen's table header and key line), for
`clerk-tui` and for a bare Textual app with a Header, an Input, a DataTable and a Footer (the
anchor, measured in the same run, alternating with ours). Target: within 1.3x the anchor.

    .venv/bin/python scripts/bench_app.py [--db PATH] [--runs 7]
    .venv/bin/python scripts/bench_app.py --memory [--db PATH]

Without --db it generates a society of 3,000 members in a private temporary folder. The package's
bytecode is compiled first, as `pip install` does (with PYTHONDONTWRITEBYTECODE set, as in some
development shells, every start would otherwise compile clerk_tui from source while Textual's
bytecode comes with its installation). Both apps run
in their own tmux server (a private socket, kept up by an idle session, so that no run pays for
starting the server), 80x24; the screen is read with `tmux capture-pane` every few milliseconds.

--memory measures instead the resident memory of the running app after five searches (target
<= 150 MB with 1,000,000 members; without --db it uses the database cached by
scripts/bench_search.py and builds it when missing)."""

from __future__ import annotations

import argparse
import json
import os
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET_RATIO = 1.3
# What both first screens show once drawn: the table's first column and the Footer's F1 key.
READY_MARKS = ("記号番号", "キー一覧")

BARE_APP = '''
from textual.app import App
from textual.widgets import DataTable, Footer, Header, Input


class Bare(App):
    BINDINGS = [("f1", "noop", "キー一覧")]

    def compose(self):
        yield Header()
        yield Input(placeholder="氏名・カナ・記号番号・生年月日（和暦・西暦）・事業所で検索")
        yield DataTable()
        yield Footer()

    def on_mount(self):
        self.query_one(DataTable).add_columns("記号番号", "氏名", "生年月日", "続柄", "状態")

    def action_noop(self):
        pass


Bare().run()
'''


class Tmux:
    """A private tmux server (its own socket) kept up by one idle session."""

    def __init__(self) -> None:
        self.socket = f"clerk-bench-{os.getpid()}"
        self._cmd("new-session", "-d", "-s", "keeper", "-x", "80", "-y", "24", "sleep 100000")

    def _cmd(self, *args: str) -> str:
        return subprocess.run(["tmux", "-L", self.socket, *args], capture_output=True, text=True,
                              check=False).stdout

    def time_to_screen(self, command: str, name: str, timeout: float = 30.0) -> float:
        """Seconds from `tmux new-session` running `command` to READY_MARKS on its screen."""
        start = time.perf_counter()
        self._cmd("new-session", "-d", "-s", name, "-x", "80", "-y", "24", command)
        try:
            while time.perf_counter() - start < timeout:
                screen = self._cmd("capture-pane", "-p", "-t", name)
                if all(mark in screen for mark in READY_MARKS):
                    return time.perf_counter() - start
                time.sleep(0.003)
            raise RuntimeError(f"{name}: no first screen after {timeout:.0f} s:\n{screen}")
        finally:
            self._cmd("kill-session", "-t", name)

    def close(self) -> None:
        self._cmd("kill-server")


def start_times(db: Path, runs: int, folder: Path) -> tuple[list[float], list[float]]:
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "clerk_tui")], check=True)
    bare = folder / "bare_app.py"
    bare.write_text(BARE_APP, encoding="utf-8")
    python = shlex.quote(sys.executable)
    env = f"cd {shlex.quote(str(ROOT))} && HOME={shlex.quote(str(folder))} PYTHONPATH={shlex.quote(str(ROOT))}"
    ours_cmd = f"{env} exec {python} -m clerk_tui --db {shlex.quote(str(db))}"
    bare_cmd = f"{env} exec {python} {shlex.quote(str(bare))}"
    tmux = Tmux()
    ours, anchor = [], []
    try:
        for i in range(runs + 1):  # the first pair warms the OS file cache
            a = tmux.time_to_screen(bare_cmd, f"bare{i}")
            o = tmux.time_to_screen(ours_cmd, f"ours{i}")
            if i:
                anchor.append(a)
                ours.append(o)
    finally:
        tmux.close()
    return ours, anchor


def generated_database(folder: Path, members: int = 3000) -> Path:
    db = folder / "bench.db"
    subprocess.run([sys.executable, "-m", "clerk_tui", "fixtures", "generate", "--members", str(members),
                    "--db", str(db)], cwd=ROOT, check=True, capture_output=True,
                   env={**os.environ, "PYTHONPATH": str(ROOT), "HOME": str(folder)})
    return db


# --memory: in a fresh interpreter, so that imports are counted as a clerk's start-up pays them.
MEMORY_CHILD = r"""
import asyncio, json, sys
from datetime import date
from pathlib import Path
from clerk_tui.clock import Clock
from clerk_tui.db.database import open_database
from clerk_tui.db.schema import require_current
from clerk_tui.services.context import Context
from clerk_tui.ui.app import ClerkApp
from textual.widgets import Input

def rss_mb():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024

async def main():
    db = open_database(sys.argv[1])
    require_current(db)
    app = ClerkApp(Context(db=db, clock=Clock(date(2026, 10, 1))), db_path=Path(sys.argv[1]))
    async with app.run_test(size=(80, 24)) as pilot:
        while not isinstance(app.focused, Input):
            await pilot.pause(0.005)
        for text in ("たかはし", "佐藤", "林", "1000-1", "S55.4.2"):
            app.focused.value = text
            await pilot.pause(0.5)
        print(json.dumps({"rss": rss_mb()}))

asyncio.run(main())
"""


def memory(db: Path | None) -> int:
    if db is None:
        sys.path.insert(0, str(ROOT / "scripts"))
        import bench_search

        db = bench_search.database_path(1_000_000, 1)
        if not db.exists():
            bench_search.build(db, 1_000_000, 1)
    out = subprocess.run([sys.executable, "-c", MEMORY_CHILD, str(db)], capture_output=True, text=True, cwd=ROOT)
    if out.returncode != 0:
        print(out.stderr, file=sys.stderr)
        return 1
    rss = json.loads(out.stdout.strip().splitlines()[-1])["rss"]
    print(f"database: {db} ({db.stat().st_size / 1e6:,.0f} MB)")
    print(f"resident memory after five searches: {rss:.0f} MB — target <= 150 MB")
    return 0 if rss <= 150 else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--memory", action="store_true", help="resident memory after five searches instead")
    args = parser.parse_args()
    if args.memory:
        return memory(args.db)
    with tempfile.TemporaryDirectory(prefix="clerk-bench-") as tmp:  # mode 700: no one else reads it
        folder = Path(tmp)
        db = args.db.resolve() if args.db else generated_database(folder)
        ours, anchor = start_times(db, args.runs, folder)
    o, a = statistics.median(ours), statistics.median(anchor)
    print(f"database: {db.name if not args.db else db}, {len(ours)} runs each (after one warm-up pair), "
          f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}")
    print(f"  anchor, bare Textual app (Header, Input, DataTable, Footer): median {a:.3f} s "
          f"(runs: {', '.join(f'{t:.2f}' for t in anchor)})")
    print(f"  clerk-tui, tmux new-session to the search screen:          median {o:.3f} s "
          f"(runs: {', '.join(f'{t:.2f}' for t in ours)})")
    print(f"  ratio {o / a:.2f}x the anchor — target <= {TARGET_RATIO}x")
    return 0 if o / a <= TARGET_RATIO else 1


if __name__ == "__main__":
    raise SystemExit(main())
