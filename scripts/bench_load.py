"""Time and peak memory of a synthetic scenario written in parts (`clerk-tui fixtures generate
--out`) and loaded into a new database (`clerk-tui fixtures load`), for 100,000 members and for
1,000,000, each step in its own process. The anchor, in the same run, is a bare INSERT … SELECT
of the same rows (employers, members, documents) from the loaded database into a new one, with
the search index built once at the end as the loader does: the work any load must do. Prints
the ratio load / anchor; exits 1 when the memory target at 100,000 is missed or a step fails.
Peak RSS is each child's own ru_maxrss (os.wait4 returns the getrusage of that one child, where
RUSAGE_CHILDREN would give the largest of all children so far)."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

MILLION = 1_000_000
# The streaming issue's target: peak RSS of generation and of load, each, at 100,000 members.
RSS_TARGET_MIB = {100_000: 300}
TABLES = ("employer", "member", "document")


def anchor(source: Path, dest: Path) -> None:
    """The anchor's own process: the same rows into a new database, bare."""
    from clerk_tui.db import search
    from clerk_tui.db.database import open_database
    from clerk_tui.db.schema import init_schema

    db = open_database(dest)
    init_schema(db)
    db.execute_sql("ATTACH DATABASE ? AS src", (str(source),))
    with db.atomic("IMMEDIATE"):
        search.suspend_index(db)
        for table in TABLES:
            db.execute_sql(f"INSERT INTO main.{table} SELECT * FROM src.{table}")
        search.rebuild_index(db)
    db.execute_sql("DETACH DATABASE src")
    db.close()


def measured(argv: list[str]) -> tuple[float, float, str]:
    """Seconds, peak RSS (MiB) and output of one child process; raises when it fails."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    start = time.perf_counter()
    child = subprocess.Popen([sys.executable, *argv], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                             env=env, text=True)
    output = child.stdout.read()
    _pid, status, usage = os.wait4(child.pid, 0)
    elapsed = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} failed ({child.returncode}):\n{output}")
    return elapsed, usage.ru_maxrss / 1024, output  # ru_maxrss is in KiB on Linux


def counts(path: Path) -> dict[str, int]:
    import sqlite3

    with sqlite3.connect(path) as con:
        return {t: con.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in TABLES}


def run_size(work: Path, n: int, seed: int, part_members: int, keep: Path | None) -> bool:
    """Generate, load and anchor `n` members in `work`; prints the rows; True when on target."""
    gen_dir, db_dir = work / f"scenario_{n}", work / f"db_{n}"
    gen_dir.mkdir(mode=0o700)
    db_dir.mkdir(mode=0o700)
    main = gen_dir / "synthetic.toml"
    loaded = keep or db_dir / "loaded.db"
    cli = ["-m", "clerk_tui"]
    gen_code = (f"from clerk_tui.scenarios.generator import generate_file; "
                f"generate_file({str(main)!r}, members={n}, seed={seed}, part_members={part_members})")
    g_time, g_rss, _ = measured(["-c", gen_code])
    parts = len(list(gen_dir.glob("*.parts/*.toml")))
    size = sum(p.stat().st_size for p in gen_dir.rglob("*.toml"))
    l_time, l_rss, _ = measured([*cli, "fixtures", "load", str(main), "--db", str(loaded)])
    rows = counts(loaded)
    a_time, a_rss, _ = measured([__file__, "--anchor", str(loaded), str(db_dir / "anchor.db")])
    if counts(db_dir / "anchor.db") != rows:
        raise RuntimeError("the anchor copied other rows than the load wrote")
    target = RSS_TARGET_MIB.get(n)
    verdict = "" if target is None else (
        f"  target < {target} MiB: {'OK' if max(g_rss, l_rss) < target else 'MISSED'}")
    print(f"{n:>9,} members ({rows['employer']:,} employers, {rows['document']:,} documents; "
          f"{1 + parts} files, {size / 2**20:,.0f} MiB of TOML){verdict}")
    print(f"           generate  {g_time:7.1f} s  peak RSS {g_rss:6.0f} MiB")
    print(f"           load      {l_time:7.1f} s  peak RSS {l_rss:6.0f} MiB")
    print(f"           anchor    {a_time:7.1f} s  peak RSS {a_rss:6.0f} MiB  (bare INSERT … SELECT + index build)")
    print(f"           ratio load/anchor: time {l_time / a_time:4.1f}×, peak RSS {l_rss / a_rss:4.1f}×", flush=True)
    for p in (db_dir / "anchor.db", *db_dir.glob("anchor.db-*")):
        p.unlink(missing_ok=True)
    return target is None or max(g_rss, l_rss) < target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--members", type=int, default=100_000, help="size of the first run (default 100,000)")
    parser.add_argument("--skip-million", action="store_true", help="do not run the 1,000,000-member run")
    parser.add_argument("--part-members", type=int, default=None, help="members per part file (default: the generator's)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--work", type=Path, help="folder for the files (default: a temporary folder)")
    parser.add_argument("--keep", type=Path, metavar="PATH",
                        help="keep the loaded database of the largest run at PATH (e.g. for search benchmarks)")
    parser.add_argument("--anchor", nargs=2, type=Path, metavar=("SOURCE", "DEST"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.anchor:
        anchor(*args.anchor)
        return 0
    if args.members < 1:
        parser.error("--members must be at least 1")
    if args.keep is not None and args.keep.exists():
        parser.error(f"{args.keep} exists; give a new path")
    from clerk_tui.scenarios.generator import PART_MEMBERS

    part_members = args.part_members or PART_MEMBERS
    sizes = [args.members] + ([MILLION] if not args.skip_million and args.members != MILLION else [])
    print(f"scenario generate + load, seed {args.seed}, parts of {part_members:,} members, {os.cpu_count()} CPU, "
          f"load average {os.getloadavg()[0]:.1f}")
    ok = True
    os.umask(0o077)
    with tempfile.TemporaryDirectory(prefix="bench_load_", dir=args.work) as tmp:
        for n in sizes:
            keep = args.keep if n == max(sizes) else None
            ok &= run_size(Path(tmp), n, args.seed, part_members, keep)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
