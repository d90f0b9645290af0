"""Typing to results, as the clerk sees it: in tmux at 80×24, a burst of kana (what an IME commit
sends) is typed into the search screen, and the time is taken until the member's row is on the
screen. The anchor, from the same run and measured the same way: a bare Textual app that echoes
its Input into a Static. Prints p50/p95 of each and the ratio; exits 1 when the p50 ratio is over
the target (1.5×).

    .venv/bin/python scripts/bench_typing.py --db ~/chk/100k.db [--reps 30]

The database must exist (`clerk-tui fixtures generate --members 100000 --db …`); it is only read.
`--app-root` runs the app from another checkout (to measure an earlier version the same way)."""

from __future__ import annotations

import argparse
import os
import shlex
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET_RATIO = 1.5
SIZE = ("80", "24")
POLL_TIMEOUT = 5.0

# The anchor app: an Input whose every change is echoed into a Static, nothing else.
ECHO_APP = r"""
from rich.text import Text
from textual.app import App
from textual.widgets import Input, Static

class Echo(App):
    def compose(self):
        yield Input(id="q")
        yield Static("echo:", id="out")

    def on_input_changed(self, event):
        self.query_one("#out", Static).update(Text("echo:" + event.value))

Echo().run()
"""


def tmux(*args: str) -> str:
    return subprocess.run(["tmux", *args], check=True, capture_output=True, text=True).stdout


def pane(session: str) -> str:
    return tmux("capture-pane", "-p", "-t", session)


def wait_for(session: str, present: str, timeout: float = POLL_TIMEOUT) -> float:
    """Poll the pane until a line holds `present` (a line is `present` exactly when it ends in
    a newline); the seconds it took."""
    start = time.perf_counter()
    while True:
        text = pane(session)
        if present in "\n".join(line.rstrip() for line in text.splitlines()) + "\n":
            return time.perf_counter() - start
        if time.perf_counter() - start > timeout:
            raise TimeoutError(f"{session}: {present!r} not shown within {timeout} s:\n{text}")
        time.sleep(0.001)


def start(session: str, command: str) -> None:
    subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)
    tmux("new-session", "-d", "-s", session, "-x", SIZE[0], "-y", SIZE[1], command)


def to_hiragana(katakana: str) -> str:
    return "".join(chr(ord(ch) - 0x60) if "ァ" <= ch <= "ヶ" else ch for ch in katakana)


def pick_members(db: Path, reps: int) -> list[tuple[str, str]]:
    """(burst, code): members whose whole reading few others share (the row is on the first
    screen), the reading typed in hiragana as an IME commits it."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    rows = conn.execute(
        "SELECT family_name_kana || given_name_kana, symbol || '-' || number || '-' || branch "
        "FROM member m "
        "WHERE lost_on IS NULL AND length(kana_key) BETWEEN 6 AND 9 "
        "AND (SELECT COUNT(*) FROM member o WHERE o.kana_key = m.kana_key) = 1 "
        "ORDER BY id LIMIT ?", (reps * 20,)).fetchall()
    conn.close()
    step = max(len(rows) // reps, 1)
    return [(to_hiragana(key), code) for key, code in rows[::step][:reps]]


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))]


def measure(session: str, cases: list[tuple[str, str]], shown, clear) -> list[float]:
    times = []
    for burst, code in cases:
        clear(burst, code)
        time.sleep(0.2)  # the app is idle again
        started = time.perf_counter()
        tmux("send-keys", "-t", session, "-l", burst)
        wait_for(session, shown(burst, code))
        times.append((time.perf_counter() - started) * 1000)
    return times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--reps", type=int, default=30)
    parser.add_argument("--app-root", type=Path, default=ROOT)
    parser.add_argument("--session", default="bench-typing")
    args = parser.parse_args(argv)
    if not args.db.exists():
        parser.error(f"{args.db} does not exist")
    python = shlex.quote(sys.executable)
    cases = pick_members(args.db, args.reps)
    app_session, echo_session = f"{args.session}-app", f"{args.session}-echo"
    results = {}
    try:
        root = shlex.quote(str(args.app_root.resolve()))
        start(app_session, f"cd {root} && PYTHONPATH={root} {python} -m clerk_tui "
                           f"--db {shlex.quote(str(args.db.resolve()))}")
        wait_for(app_session, "氏名・カナ・記号番号", timeout=60)

        def clear_app(burst: str, code: str) -> None:
            tmux("send-keys", "-t", app_session, "Escape")  # empties the input: the hint is back
            wait_for(app_session, "項目を指定するときは")

        results["app"] = measure(app_session, cases, lambda burst, code: code, clear_app)

        script = Path(os.environ.get("TMPDIR", "/tmp")) / f"echo_app_{os.getpid()}.py"
        script.write_text(ECHO_APP, encoding="utf-8")
        start(echo_session, f"{python} {shlex.quote(str(script))}")
        wait_for(echo_session, "echo:\n", timeout=60)

        def clear_echo(burst: str, code: str) -> None:
            tmux("send-keys", "-t", echo_session, "C-u")  # Textual's Input: delete to the start
            wait_for(echo_session, "echo:\n")

        results["echo"] = measure(echo_session, cases, lambda burst, code: f"echo:{burst}\n",
                                  clear_echo)
        script.unlink(missing_ok=True)
    finally:
        for session in (app_session, echo_session):
            subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)

    app50, echo50 = percentile(results["app"], 50), percentile(results["echo"], 50)
    ratio = app50 / echo50
    print(f"typing to results in tmux at {SIZE[0]}×{SIZE[1]}: {args.db.name}, app from {args.app_root}, "
          f"{len(cases)} bursts of 6–9 kana, e.g. {', '.join(b for b, _ in cases[:3])}")
    print(f"{'':28}{'p50 (ms)':>10}{'p95 (ms)':>10}{'max':>8}")
    for name, label in (("app", "search screen: row shown"), ("echo", "echo app (anchor)")):
        t = results[name]
        print(f"{label:28}{percentile(t, 50):10.1f}{percentile(t, 95):10.1f}{max(t):8.1f}")
    ok = ratio <= TARGET_RATIO
    print(f"ratio p50 {ratio:.2f}×  target ≤ {TARGET_RATIO}×: {'OK' if ok else 'MISSED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
