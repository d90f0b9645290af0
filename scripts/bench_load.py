"""Times `generate_into` (synthetic data generated and loaded into a fresh database) for 100,000
members and for 1,000,000; exits 1 when a target is missed."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from clerk_tui.db.database import open_database, sqlite_version_tuple  # noqa: E402
from clerk_tui.db.schema import init_schema  # noqa: E402
from clerk_tui.scenarios.generator import generate_into  # noqa: E402

MILLION = 1_000_000
# The foundation issue's targets on the 2-core server (seconds, generation and load together).
TARGETS = {100_000: 20.0, MILLION: 180.0}


def _size(path: Path) -> int:
    return sum(p.stat().st_size for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm")) if p.exists())


def run_one(path: Path, members: int, seed: int) -> tuple[float, dict[str, int], int, str]:
    """Seconds for `generate_into` on a fresh database at `path`, row counts, bytes, SQLite version."""
    db = open_database(path)
    try:
        init_schema(db)
        start = time.perf_counter()
        generate_into(db, members=members, seed=seed)
        elapsed = time.perf_counter() - start
        counts = {table: db.execute_sql(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
                  for table in ("employer", "member", "document")}
        version = ".".join(map(str, sqlite_version_tuple(db)))
    finally:
        db.close()
    return elapsed, counts, _size(path), version


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--members", type=int, default=100_000, help="size of the first run (default 100,000)")
    parser.add_argument("--skip-million", action="store_true", help="do not run the 1,000,000-member load")
    parser.add_argument("--keep", type=Path, metavar="PATH",
                        help="keep the database of the largest run at PATH (e.g. for search benchmarks)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    if args.members < 1:
        parser.error("--members must be at least 1")
    if args.keep is not None and args.keep.exists():
        parser.error(f"{args.keep} exists; give a new path")

    sizes = [args.members]
    if not args.skip_million and args.members != MILLION:
        sizes.append(MILLION)
    largest = max(sizes)
    print(f"generate + load, seed {args.seed}, {os.cpu_count()} CPU")
    missed = False
    with tempfile.TemporaryDirectory(prefix="bench_load_") as tmp:
        for n in sizes:
            keep_here = args.keep is not None and n == largest
            path = args.keep if keep_here else Path(tmp) / f"bench_{n}.db"
            elapsed, counts, size, version = run_one(path, n, args.seed)
            target = TARGETS.get(n)
            verdict = ""
            if target is not None:
                ok = elapsed < target
                missed |= not ok
                verdict = f"  target < {target:.0f} s: {'OK' if ok else 'MISSED'}"
            print(f"{n:>9,} members: {elapsed:6.1f} s  {n / elapsed:>8,.0f} members/s  "
                  f"({counts['employer']:,} employers, {counts['document']:,} documents)  "
                  f"DB {size / 2**20:,.0f} MB  SQLite {version}{verdict}", flush=True)
            if keep_here:
                print(f"kept: {path}")
            elif path.exists():
                for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
                    p.unlink(missing_ok=True)  # free the disk before the next, larger run
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
