"""Benchmark the batch issue per employer (`batch_certificates`): N members who need a 資格確認書,
issued, drawn and written in parts; wall time, ms per document, peak memory of the batch process
and of its drawing workers; the anchor is plain fpdf2 drawing the same number of text pages with
the same font (IPAexGothic) in files of the same size, in one process, in the same run.

    .venv/bin/python scripts/bench_batch.py [--documents 10000] [--workers 2] [--dir ~/bench]

Targets from the issue: memory under 150 MiB at any size; 100,000 certificates in under 5 minutes.
The database (synthetic members, `fixtures generate`) is made once per size in --dir and copied
for each run; every figure comes from a fresh process."""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TODAY = date(2026, 10, 1)  # the synthetic data's reference day
TARGET_S_100K = 300.0
TARGET_MIB = 150.0


def _peak_mib(who: int) -> float:
    return resource.getrusage(who).ru_maxrss / 1024  # KiB on Linux


def setup(path: Path, documents: int) -> None:
    """A database in which exactly `documents` members need a 資格確認書 on TODAY."""
    from clerk_tui.db.database import open_database
    from clerk_tui.db.schema import init_schema
    from clerk_tui.scenarios import load_files
    from clerk_tui.scenarios.generator import generate_into

    db = open_database(path)
    init_schema(db)
    load_files(db, [ROOT / "fixtures" / "training" / "00_base.toml"])
    # About a third of the synthetic members hold a valid 資格確認書 or have lost qualification.
    generate_into(db, members=int(documents * 1.6) + 500, seed=7)
    day = TODAY.isoformat()
    with db.atomic():
        db.execute_sql("UPDATE member SET card_status = 'usable'")
        db.execute_sql(
            "UPDATE member SET card_status = 'no_card' WHERE id IN (SELECT id FROM member m WHERE "
            "acquired_on <= ? AND (lost_on IS NULL OR lost_on > ?) AND NOT EXISTS (SELECT 1 FROM document d "
            "WHERE d.member_id = m.id AND d.kind = 'eligibility_certificate' AND d.status = 'valid' "
            "AND (d.valid_until IS NULL OR d.valid_until >= ?)) ORDER BY id LIMIT ?)",
            (day, day, day, documents))
    db.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()


def _cpu(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def run_batch(path: Path, out: Path, workers: int) -> dict:
    from clerk_tui.clock import Clock
    from clerk_tui.config import Config
    from clerk_tui.db.database import open_database
    from clerk_tui.services.batch import batch_certificates
    from clerk_tui.services.context import Context

    db = open_database(path)
    ctx = Context(db=db, clock=Clock(TODAY), config=Config(db=path, output_dir=out))
    start, cpu_self, cpu_children = time.perf_counter(), _cpu(resource.RUSAGE_SELF), _cpu(resource.RUSAGE_CHILDREN)
    report = batch_certificates(ctx, workers=workers)
    wall = time.perf_counter() - start
    cpu_self, cpu_children = _cpu(resource.RUSAGE_SELF) - cpu_self, _cpu(resource.RUSAGE_CHILDREN) - cpu_children
    size = sum(p.stat().st_size for p in report.files)
    return {"wall": wall, "issued": report.issued, "files": len(report.files), "employers": report.employers,
            "bytes": size, "cpu_self": cpu_self, "cpu_children": cpu_children, "self_mib": _peak_mib(resource.RUSAGE_SELF),
            "children_mib": _peak_mib(resource.RUSAGE_CHILDREN)}


def run_anchor(documents: int, part_size: int, out: Path) -> dict:
    """Plain fpdf2: the same number of A4 pages of Japanese text with the same font, written in
    files of `part_size` pages, one process."""
    from fpdf import FPDF

    from clerk_tui.forms.fonts import PRIMARY_FILE

    start = time.perf_counter()
    size = 0
    for first in range(0, documents, part_size):
        pdf = FPDF(unit="mm", format="A4")
        pdf.add_font("ipaexg", "", str(PRIMARY_FILE))
        pdf.set_font("ipaexg", size=10)
        for i in range(first, min(first + part_size, documents)):
            pdf.add_page()
            pdf.cell(0, 10, f"資格確認書　交付番号 C2026-{i:07d}", new_x="LMARGIN", new_y="NEXT")
            for line in range(24):
                pdf.cell(0, 7, f"記号 1234　番号 {i}　枝番 00　氏名 山田　太郎　生年月日 昭和45年1月2日 {line}",
                         new_x="LMARGIN", new_y="NEXT")
        data = bytes(pdf.output())
        (out / f"anchor_{first:07d}.pdf").write_bytes(data)
        size += len(data)
    wall = time.perf_counter() - start
    return {"wall": wall, "bytes": size, "self_mib": _peak_mib(resource.RUSAGE_SELF)}


def _child(args: list[str]) -> dict:
    done = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True, cwd=ROOT)
    if done.returncode != 0:
        raise SystemExit(done.stderr)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--dir", type=Path, default=Path.home() / "clerk-bench",
                        help="databases and output (made group-only; reused between runs)")
    parser.add_argument("--child", choices=("setup", "batch", "anchor"), help=argparse.SUPPRESS)
    parser.add_argument("--path", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    from clerk_tui.services.batch import PART_SIZE

    if args.child == "setup":
        setup(args.path, args.documents)
        print("{}")
        return 0
    if args.child == "batch":
        print(json.dumps(run_batch(args.path, args.path.parent / "out", args.workers)))
        return 0
    if args.child == "anchor":
        print(json.dumps(run_anchor(args.documents, PART_SIZE, args.path)))
        return 0

    os.umask(0o007)
    args.dir.mkdir(mode=0o770, parents=True, exist_ok=True)
    template = args.dir / f"batch-{args.documents}.db"
    if not template.exists():
        print(f"setting up {template} ...", flush=True)
        _child(["--child", "setup", "--documents", str(args.documents), "--path", str(template)])
    work = args.dir / "run"
    shutil.rmtree(work, ignore_errors=True)
    (work / "out").mkdir(parents=True)
    shutil.copyfile(template, work / "batch.db")
    batch = _child(["--child", "batch", "--workers", str(args.workers), "--path", str(work / "batch.db")])
    anchor_dir = work / "anchor"
    anchor_dir.mkdir()
    anchor = _child(["--child", "anchor", "--documents", str(batch["issued"]), "--path", str(anchor_dir)])
    shutil.rmtree(work, ignore_errors=True)

    n = batch["issued"]
    per_doc = batch["wall"] / n * 1000
    anchor_doc = anchor["wall"] / n * 1000
    print(f"batch_certificates: {n:,} 資格確認書, {batch['employers']} employers, {batch['files']} files, "
          f"{args.workers} worker(s), parts of {PART_SIZE}")
    print(f"  wall {batch['wall']:.1f} s, {per_doc:.2f} ms per document, {batch['bytes'] / n / 1024:.1f} KiB per "
          "document")
    print(f"  CPU per document: batch process {batch['cpu_self'] / n * 1000:.2f} ms (issuing, form data, writing), "
          f"drawing processes {batch['cpu_children'] / n * 1000:.2f} ms; the 2 cores give 2 × wall = "
          f"{2 * per_doc:.2f} ms")
    print(f"  peak RSS: batch process {batch['self_mib']:.0f} MiB, largest worker {batch['children_mib']:.0f} MiB "
          f"(target < {TARGET_MIB:.0f} MiB)")
    print(f"anchor (plain fpdf2, same font, same pages, one process): {anchor['wall']:.1f} s, "
          f"{anchor_doc:.2f} ms per page, peak {anchor['self_mib']:.0f} MiB")
    print(f"ratio batch / anchor: {batch['wall'] / anchor['wall']:.2f}")
    print(f"100,000 at this rate: {per_doc * 100:.0f} s (target < {TARGET_S_100K:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
