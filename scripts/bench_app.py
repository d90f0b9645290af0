"""App start-up and memory with a big database: time from a new process to a focused search
screen (target ≤ 1 s warm), and the resident memory of the running app after a few searches
(target ≤ 150 MB with 1,000,000 members).

    .venv/bin/python scripts/bench_app.py [--db PATH] [--runs 5]

Without --db it uses the 1,000,000-member database cached by scripts/bench_search.py (and
builds it the same way when missing)."""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# Run in a fresh interpreter, so that imports are measured as a clerk's start-up pays them.
CHILD = r"""
import time, json, sys
t0 = time.perf_counter()
import asyncio
from pathlib import Path
from datetime import date
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
        ready = time.perf_counter() - t0
        for text in ("たかはし", "佐藤", "林", "1000-1", "S55.4.2"):
            app.focused.value = text
            await pilot.pause(0.5)
        print(json.dumps({"ready": ready, "rss": rss_mb()}))

asyncio.run(main())
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    db = args.db
    if db is None:
        sys.path.insert(0, str(ROOT / "scripts"))
        import bench_search

        db = bench_search.database_path(1_000_000, 1)
        if not db.exists():
            bench_search.build(db, 1_000_000, 1)
    results = []
    for _ in range(args.runs + 1):  # the first run warms the OS file cache
        out = subprocess.run([sys.executable, "-c", CHILD, str(db)], capture_output=True, text=True, cwd=ROOT)
        if out.returncode != 0:
            print(out.stderr, file=sys.stderr)
            return 1
        results.append(json.loads(out.stdout.strip().splitlines()[-1]))
    warm = results[1:]
    ready = statistics.median(r["ready"] for r in warm)
    rss = max(r["rss"] for r in warm)
    size = db.stat().st_size / 1e6
    print(f"database: {db} ({size:,.0f} MB)")
    runs = ", ".join(f"{r['ready']:.2f}" for r in warm)
    print(f"start to usable search screen, warm: median {ready:.2f} s (runs: {runs}) — target <= 1 s")
    print(f"resident memory after five searches: max {rss:.0f} MB — target <= 150 MB")
    return 0 if ready <= 1.0 and rss <= 150 else 1


if __name__ == "__main__":
    raise SystemExit(main())
