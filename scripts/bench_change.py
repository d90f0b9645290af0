"""Times saving a 変更届 (`services.changes.apply_change`) on a generated society: a 住所変更 and a
氏名変更 (with its former name, collection items and queued documents), beside the anchor, a bare
peewee UPDATE of the same member row plus an INSERT of one history row in one transaction, in the
same run on the same file. Prints p50/p95 of each and the ratio; exits 1 when a p95 misses the
target (100 ms).

    python scripts/bench_change.py [--members 1000000] [--samples 200]

The database is generated once (minutes at 1,000,000 members) into --cache-dir and reused; each
run writes its changes into a copy, so the cached file stays as generated."""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import sys
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from clerk_tui.clock import Clock  # noqa: E402
from clerk_tui.config import Config  # noqa: E402
from clerk_tui.db.database import open_database  # noqa: E402
from clerk_tui.db.models import Member, MemberHistory  # noqa: E402
from clerk_tui.db.schema import init_schema  # noqa: E402
from clerk_tui.domain.codes import RegisterChange  # noqa: E402
from clerk_tui.scenarios.generator import REFERENCE_DAY, generate_into  # noqa: E402
from clerk_tui.services.changes import ChangeInput, apply_change, plan_change  # noqa: E402
from clerk_tui.services.context import Context  # noqa: E402

TARGET_P95_MS = 100.0
FAMILY_NAMES = ["佐藤", "鈴木", "高橋", "田中", "伊藤", "渡辺", "山本", "中村", "小林", "加藤"]
FAMILY_KANA = ["サトウ", "スズキ", "タカハシ", "タナカ", "イトウ", "ワタナベ", "ヤマモト", "ナカムラ", "コバヤシ", "カトウ"]


def build(path: Path, members: int, seed: int) -> None:
    """Generate into a temporary name and rename when complete (no half-built cache)."""
    partial = path.with_name(path.name + ".building")
    for p in (partial, Path(f"{partial}-wal"), Path(f"{partial}-shm")):
        p.unlink(missing_ok=True)
    print(f"generating {members:,} members into {path} …", flush=True)
    start = time.perf_counter()
    db = open_database(partial)
    init_schema(db)
    generate_into(db, members=members, seed=seed)
    db.close()
    os.replace(partial, path)
    print(f"generated in {time.perf_counter() - start:.0f} s", flush=True)


def percentiles(times: list[float]) -> tuple[float, float]:
    ms = sorted(t * 1000 for t in times)
    return statistics.median(ms), ms[min(len(ms) - 1, int(len(ms) * 0.95))]


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=1_000_000)
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--cache-dir", type=Path, default=Path.home() / ".cache" / "clerk_change_bench")
    args = parser.parse_args()

    args.cache_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    cached = args.cache_dir / f"members_{args.members}_seed{args.seed}.db"
    if not cached.exists():
        build(cached, args.members, args.seed)
    work = args.cache_dir / "run.db"
    for p in (work, Path(f"{work}-wal"), Path(f"{work}-shm")):
        p.unlink(missing_ok=True)
    shutil.copy(cached, work)

    db = open_database(work)
    today = REFERENCE_DAY
    ctx = Context(db=db, clock=Clock(today), clerk="bench", origin=None, config=Config(audit_syslog=False))
    rng = random.Random(args.seed)
    # Insured people still covered and qualified well before the day (their whole family moves
    # with a name change); drawn from the whole table so pages are not all warm.
    (max_id,) = db.execute_sql("SELECT MAX(id) FROM member").fetchone()
    picked: list[Member] = []
    while len(picked) < args.samples * 3:
        m = Member.fetch(rng.randint(1, max_id))
        if (m is not None and m.is_insured and m.lost_on is None
                and m.acquired_on < today - timedelta(days=30) and m.id not in {p.id for p in picked}):
            picked.append(m)
    address_ids = [m.id for m in picked[: args.samples]]
    name_ids = [m.id for m in picked[args.samples: 2 * args.samples]]
    anchor_ids = [m.id for m in picked[2 * args.samples:]]

    def change(member_id: int, kind: RegisterChange, values: Callable[[Member], dict]) -> Callable[[], object]:
        def run() -> object:
            member = Member.fetch(member_id)
            version = member.version
            plan = plan_change(ctx, member_id, ChangeInput(member_id, kind, today - timedelta(days=1),
                                                           values(member)))
            # What the clerk waits for after Ctrl+S is the save: time it alone.
            return timed(lambda: apply_change(ctx, plan, expected_version=version))
        return run

    def anchor(member_id: int, n: int) -> float:
        def run() -> None:
            with db.atomic("IMMEDIATE"):
                Member.update(address=f"東京都千代田区富士見{n}-1-1", version=Member.version + 1).where(
                    Member.id == member_id).execute()
                MemberHistory.insert(member=member_id, change=RegisterChange.ADDRESS_CHANGE, field="address",
                                     old_value="旧住所", new_value=f"東京都千代田区富士見{n}-1-1",
                                     effective_from=today, recorded_at=ctx.clock.now(), recorded_by="bench").execute()
        return timed(run)

    addr, name, bare = [], [], []
    for n in range(args.samples):  # interleaved, so all three see the same cache and disk
        addr.append(change(address_ids[n], RegisterChange.ADDRESS_CHANGE, lambda m, n=n: {
            "address": f"東京都新宿区西新宿{n}-2-3", "postal_code": "160-0023"})())
        i = rng.randrange(len(FAMILY_NAMES))

        def new_name(m: Member, i: int = i) -> dict:
            if FAMILY_NAMES[i] == m.family_name:  # a change must change something
                i = (i + 1) % len(FAMILY_NAMES)
            return {"family_name": FAMILY_NAMES[i], "family_name_kana": FAMILY_KANA[i]}

        name.append(change(name_ids[n], RegisterChange.NAME_CHANGE, new_name)())
        bare.append(anchor(anchor_ids[n], n))
    (members,) = db.execute_sql("SELECT COUNT(*) FROM member").fetchone()
    db.close()
    for p in (work, Path(f"{work}-wal"), Path(f"{work}-shm")):
        p.unlink(missing_ok=True)

    a50, a95 = percentiles(bare)
    print(f"{members:,} members, {args.samples} saves each (synchronous=FULL, WAL)")
    print(f"anchor  bare peewee UPDATE member + INSERT member_history: p50 {a50:6.2f} ms  p95 {a95:6.2f} ms")
    failed = False
    for label, times in (("住所変更 apply_change", addr), ("氏名変更 apply_change", name)):
        p50, p95 = percentiles(times)
        ok = p95 < TARGET_P95_MS
        failed |= not ok
        print(f"{label}: p50 {p50:6.2f} ms  p95 {p95:6.2f} ms  ratio to anchor p95 {p95 / a95:4.1f}x  "
              f"target p95 < {TARGET_P95_MS:.0f} ms: {'ok' if ok else 'MISSED'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
