"""Many clerks on one database file: N processes each perform M mixed clerk actions (search, view,
issue, cancellation, loss report, return, edit) and report what they did; the parent checks that
nothing was lost, duplicated or locked, and prints write latency p50/p99 and throughput.

    .venv/bin/python scripts/stress.py [--processes 20] [--actions 200] [--think-ms 250]

Write latency is what a clerk waits for a write: the write lock, the transaction and its commit
(every view, issue, record and return writes, if only its audit entry). The whole action, with
its reads and preview, is printed beside it.

Each clerk process starts, opens the database and warms up as the app does (members.warm_up)
before any clerk acts: the figures are of clerks at work, not of 20 interpreters starting.

The load: each clerk pauses 0–500 ms (mean 250 ms) between actions, four actions a second per
clerk, 80 a second in all, some 20 times what 20 clerks at a counter do. `--think-ms 0` runs the
processes back to back instead: 20 CPU-bound processes on 2 cores keep 10 runnable per core, and
the operating system's scheduler, not the database, then sets the tail: a process preempted while
it holds the write lock keeps everyone waiting for its next turn on a CPU.

In the same run, two references of the same CPU shape (the clerks' CPU between writes and inside
them, measured in this run) and the same number of writes at the same rate: the anchor, bare SQLite
write transactions (cysqlite, the program's pragmas and busy timeout, no writers' queue), and the
floor, one flock with nothing behind it (scripts/sched_floor.py). It prints the clerks' write p99
as a ratio of each. `--no-queue` runs the clerks without the writers' queue, for comparison.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import random
import statistics
import sys
import tempfile
import time
import traceback
from collections import Counter
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TODAY = date(2026, 10, 1)  # the generator's reference day, so its data is consistent

# What each successful action writes to the audit trail, checked against the trail afterwards.
AUDIT_ACTION = {"view": "member.view", "issue": "document.issue", "cancel": "cancellation.record",
                "loss": "loss_report.record", "return": "collection.return", "edit": "member.change"}
WEIGHTS = {"search": 25, "view": 15, "issue": 20, "cancel": 10, "loss": 10, "return": 10, "edit": 10}


def prepare(db_path: Path, members: int, seed: int = 7) -> None:
    from clerk_tui.clock import Clock
    from clerk_tui.db.database import open_database
    from clerk_tui.db.models import Member
    from clerk_tui.db.schema import init_schema
    from clerk_tui.domain.codes import DocumentKind, IssueReason, Route, WithdrawalReason
    from clerk_tui.scenarios.generator import generate_into
    from clerk_tui.services import issuance
    from clerk_tui.services.context import Context
    from clerk_tui.services.withdrawal import record_withdrawal

    db = open_database(db_path)
    init_schema(db)
    generate_into(db, members=members, seed=seed)
    ctx = Context(db=db, clock=Clock(TODAY), clerk="setup")
    # Withdrawals of members holding a 資格確認書, so that returns have items to work on.
    insured = list(Member.select().where(Member.insured.is_null(), Member.lost_on.is_null())
                   .order_by(Member.id).limit(max(4, members // 5)))
    for m in insured:
        plan = issuance.plan_issue(ctx, m.id, DocumentKind.ELIGIBILITY_CERTIFICATE, IssueReason.DETAILS_CHANGED,
                                   Route.TO_MEMBER)
        issuance.issue_document(ctx, plan, override_reason="負荷試験の準備" if plan.needs_override else None)
        record_withdrawal(ctx, m.id, lost_on=TODAY + timedelta(days=1), reason=WithdrawalReason.RETIREMENT)
    db.close()


_start_line = None  # set in each worker by the pool initializer


def _init_worker(barrier) -> None:
    global _start_line
    _start_line = barrier


def worker(args: tuple) -> dict:
    db_path, index, actions, seed, think, *rest = args
    queued = rest[0] if rest else True
    from clerk_tui.clock import Clock
    from clerk_tui.db.database import open_database
    from clerk_tui.db.models import CollectionItem, Member
    from clerk_tui.domain.codes import (CollectionStatus, DocumentKind, IssueReason, LossCircumstance,
                                        RegisterChange, ReturnVia, Route)
    from clerk_tui.domain.errors import DomainError
    from clerk_tui.services import applications, changes, issuance, members, withdrawal
    from clerk_tui.services.context import Context

    try:
        from clerk_tui.services.search import search_members
    except ImportError:  # pragma: no cover - before the search service existed
        search_members = None

    rng = random.Random(seed * 1000 + index)
    db = open_database(db_path)
    if not queued:  # as before the writers' queue: SQLite's busy handler alone
        db.write_queue = None
    waits = Counter()
    write_times: list[float] = []
    write_cpu = [0.0]

    class TimedContext(Context):
        """Times each write as a clerk waits for it: the write lock, the transaction, the commit;
        and the CPU it uses (for the anchor's shape)."""

        def write(self, fn):
            nested = self.db.in_transaction()
            start, cpu = time.perf_counter(), time.process_time()
            try:
                return super().write(fn)
            finally:
                if not nested:
                    write_times.append(time.perf_counter() - start)
                    write_cpu[0] += time.process_time() - cpu

    ctx = TimedContext(db=db, clock=Clock(TODAY), clerk=f"clerk{index:02d}", origin=None,
                       on_wait=lambda: waits.update(["wait"]))
    active = [m.id for m in Member.select(Member.id).where(Member.lost_on.is_null())]
    names = [m.family_name for m in Member.select(Member.family_name).limit(200)]
    done, refused, errors, latencies = Counter(), Counter(), [], []
    kinds = list(WEIGHTS)
    weights = [WEIGHTS[k] for k in kinds]
    members.warm_up(ctx)  # as the app does once its search screen is up
    if _start_line is not None:
        # Every clerk's interpreter is started and its database open before anyone acts: the
        # figures are of clerks working, not of 20 Python processes importing at once.
        _start_line.wait()
    began, cpu_began = time.perf_counter(), time.process_time()
    for _ in range(actions):
        if think:
            time.sleep(rng.uniform(0, 2 * think))  # a clerk reads the screen between actions
        kind = rng.choices(kinds, weights)[0]
        member_id = rng.choice(active)
        start = time.perf_counter()
        try:
            if kind == "search":
                if search_members is not None:
                    search_members(ctx, rng.choice(names))
                else:
                    list(Member.select().where(Member.family_name == rng.choice(names)).limit(50))
            elif kind == "view":
                members.open_member(ctx, member_id)
            elif kind == "issue":
                doc_kind = rng.choice([DocumentKind.ELIGIBILITY_NOTICE, DocumentKind.ELIGIBILITY_CERTIFICATE])
                plan = issuance.plan_issue(ctx, member_id, doc_kind, IssueReason.DETAILS_CHANGED, Route.TO_MEMBER)
                issuance.issue_document(ctx, plan, override_reason="負荷試験" if plan.needs_override else None)
            elif kind == "cancel":
                m = Member.get_by_id(member_id)
                applications.record_cancellation(ctx, applications.CancellationInput(
                    member_id=member_id, applicant_name=m.family_name + m.given_name,
                    applicant_birth_date=m.birth_date, received_on=TODAY, legacy_card_at_hand=True))
            elif kind == "loss":
                applications.record_loss_report(ctx, applications.LossReportInput(
                    member_id=member_id, document_kind=DocumentKind.ELIGIBILITY_NOTICE,
                    lost_on=TODAY - timedelta(days=rng.randint(1, 300)), received_on=TODAY,
                    circumstance=LossCircumstance.MISLAID))
            elif kind == "return":
                item = (CollectionItem.select().where(CollectionItem.status == CollectionStatus.OUTSTANDING)
                        .order_by(CollectionItem.id).offset(rng.randint(0, 5)).first())
                if item is None:
                    refused["return:none"] += 1
                    continue
                withdrawal.record_return(ctx, item.id, returned_on=TODAY, via=ReturnVia.EMPLOYER,
                                         expected_version=item.version)
            elif kind == "edit":
                m = Member.get_by_id(member_id)
                phone = f"03-{rng.randint(1000, 9999)}-{rng.randint(1000, 9999)}"
                plan = changes.plan_change(ctx, member_id, changes.ChangeInput(
                    member_id, RegisterChange.ADDRESS_CHANGE, TODAY, {"phone": phone}))
                changes.apply_change(ctx, plan, expected_version=m.version)
            done[kind] += 1
            if kind not in ("search",):
                latencies.append((time.perf_counter() - start, kind))
        except DomainError as exc:  # an expected refusal: conflict, duplicate, not eligible …
            refused[f"{kind}:{type(exc).__name__}"] += 1
        except Exception as exc:  # anything else is a failure the clerk would see
            errors.append(f"{kind}: {type(exc).__name__}: {exc}\n{traceback.format_exc(limit=3)}")
    cpu = time.process_time() - cpu_began
    db.close()
    return {"index": index, "done": dict(done), "refused": dict(refused), "errors": errors,
            "latencies": latencies, "write_times": write_times, "waits": waits["wait"],
            "began": began, "ended": time.perf_counter(), "cpu": cpu, "write_cpu": write_cpu[0]}


def run(db_path: Path, processes: int, actions: int, seed: int = 1, think: float = 0.0,
        queued: bool = True) -> dict:
    ctx = mp.get_context("spawn")
    barrier = ctx.Barrier(processes)
    with ctx.Pool(processes, initializer=_init_worker, initargs=(barrier,)) as pool:
        results = pool.map(worker, [(str(db_path), i, actions, seed, think, queued) for i in range(processes)],
                           chunksize=1)
    # perf_counter is CLOCK_MONOTONIC, shared by the processes of one machine.
    elapsed = max(r["ended"] for r in results) - min(r["began"] for r in results)
    done, refused = Counter(), Counter()
    latencies, write_times, errors, waits = [], [], [], 0
    for r in results:
        done.update(r["done"])
        refused.update(r["refused"])
        latencies.extend(r["latencies"])
        write_times.extend(r["write_times"])
        errors.extend(r["errors"])
        waits += r["waits"]
    cpu, write_cpu = sum(r["cpu"] for r in results), sum(r["write_cpu"] for r in results)
    n = max(1, len(write_times))
    # The CPU shape of one clerk's write cycle, for the anchor and the floor: CPU between writes
    # (reads, previews, searches, Python) and CPU inside the write transaction.
    shape = {"outside_ms": (cpu - write_cpu) / n * 1000, "inside_ms": write_cpu / n * 1000,
             "writes": round(len(write_times) / processes)}
    return {"done": done, "refused": refused, "latencies": latencies, "write_times": write_times,
            "errors": errors, "elapsed": elapsed, "waits": waits, "shape": shape}


def _bare_writer(args: tuple) -> tuple[list[float], int]:
    """The anchor: one process of bare SQLite write transactions (cysqlite, the program's pragmas
    and busy timeout, no writers' queue) with a clerk's CPU shape: spin `outside` ms, then BEGIN
    IMMEDIATE, spin `inside` ms, insert a row, COMMIT. Returns the write times and the errors."""
    import cysqlite

    from clerk_tui.db.database import BUSY_TIMEOUT_MS, PRAGMAS

    path, index, outside, inside, rounds, think, seed = args
    sys.path.insert(0, str(ROOT / "scripts"))
    from sched_floor import _spin

    rng = random.Random(seed * 1000 + index)
    conn = cysqlite.connect(path, timeout=BUSY_TIMEOUT_MS / 1000)
    for name, value in PRAGMAS.items():
        conn.execute(f"pragma {name} = {value}")
    times, errors = [], 0
    if _start_line is not None:
        _start_line.wait()
    for _ in range(rounds):
        if think:
            time.sleep(rng.uniform(0, 2 * think))
        _spin(outside)
        start = time.perf_counter()
        try:
            conn.execute("begin immediate")
            _spin(inside)
            conn.execute("insert into bare_write (clerk, at) values (?, ?)", (index, start))
            conn.execute("commit")
        except cysqlite.OperationalError:
            errors += 1
            if conn.in_transaction:
                conn.execute("rollback")
            continue
        times.append(time.perf_counter() - start)
    conn.close()
    return times, errors


def bare_writes(folder: Path, processes: int, shape: dict, think: float, seed: int = 1) -> dict:
    import cysqlite

    path = str(folder / "bare.db")
    conn = cysqlite.connect(path)
    conn.execute("pragma journal_mode = wal")
    conn.execute("create table bare_write (id integer primary key, clerk integer, at real)")
    conn.close()
    ctx = mp.get_context("spawn")
    barrier = ctx.Barrier(processes)
    jobs = [(path, i, shape["outside_ms"], shape["inside_ms"], shape["writes"], think, seed) for i in range(processes)]
    with ctx.Pool(processes, initializer=_init_worker, initargs=(barrier,)) as pool:
        results = pool.map(_bare_writer, jobs, chunksize=1)
    return {"write_times": [t for times, _ in results for t in times], "errors": sum(e for _, e in results)}


def sched_floor(folder: Path, processes: int, shape: dict, think: float, seed: int = 1) -> list[float]:
    """scripts/sched_floor.py with the same shape: the wait for one flock plus its hold."""
    sys.path.insert(0, str(ROOT / "scripts"))
    from sched_floor import _worker

    jobs = [(str(folder / "floor.lock"), shape["outside_ms"], shape["inside_ms"], shape["writes"], think * 1000,
             seed * 1000 + i) for i in range(processes)]
    with mp.get_context("spawn").Pool(processes) as pool:
        return [total for r in pool.map(_worker, jobs, chunksize=1) for _, total in r]


def check(db_path: Path, result: dict) -> list[str]:
    """What must hold after the run; returns the problems found."""
    from clerk_tui.db.database import open_database
    from clerk_tui.db.models import AuditEntry, Document, RegistrationCancellation
    from clerk_tui.domain.codes import DocumentStatus
    from clerk_tui.services.audit import verify

    db = open_database(db_path)
    problems = []
    for kind, action in AUDIT_ACTION.items():
        # "setup" entries come from prepare(); the workers are clerk00…
        n = AuditEntry.select().where(AuditEntry.action == action, AuditEntry.clerk != "setup").count()
        if n != result["done"][kind]:
            problems.append(f"{action}: {n} audit entries for {result['done'][kind]} reported actions")
    prepared = AuditEntry.select().where(AuditEntry.action == "document.issue", AuditEntry.clerk == "setup").count()
    issued = Document.select().where(~Document.serial.startswith("GEN-")).count() - prepared
    if issued != result["done"]["issue"]:
        problems.append(f"documents: {issued} in the database for {result['done']['issue']} reported issues")
    dup = db.execute_sql(
        "select member_id, kind, count(*) from document where status = ? group by member_id, kind having count(*) > 1",
        (DocumentStatus.VALID.value,)).fetchall()
    if dup:
        problems.append(f"{len(dup)} members hold two valid documents of one kind")
    cancels = RegistrationCancellation.select().count()
    if cancels != result["done"]["cancel"]:
        problems.append(f"cancellations: {cancels} for {result['done']['cancel']} reported")
    chain = verify()
    if not chain.ok:
        problems.append(f"audit chain: {chain.problem}")
    db.close()
    return problems + result["errors"]


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def ms(values: list[float], p: float) -> str:
    return f"{percentile(values, p) * 1000:.1f} ms"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--processes", type=int, default=20)
    parser.add_argument("--actions", type=int, default=200)
    parser.add_argument("--members", type=int, default=400)
    parser.add_argument("--db", type=Path)
    parser.add_argument("--think-ms", type=float, default=250.0,
                        help="mean pause between one clerk's actions (default 250; 0: back to back)")
    parser.add_argument("--no-queue", action="store_true",
                        help="the clerks write without the writers' queue (SQLite's busy handler only)")
    parser.add_argument("--no-anchor", action="store_true", help="skip the anchor and the floor")
    args = parser.parse_args()
    think = args.think_ms / 1000
    with tempfile.TemporaryDirectory() as tmp:
        db_path = args.db or Path(tmp) / "stress.db"
        prepare(db_path, args.members)
        result = run(db_path, args.processes, args.actions, think=think, queued=not args.no_queue)
        problems = check(db_path, result)
        shape = result["shape"]
        # The same number of writes at the same rate: the clerks pause before every action, and
        # not every action writes.
        write_think = think * args.actions / max(1, shape["writes"])
        anchor = floor = None
        if not args.no_anchor:
            anchor = bare_writes(Path(tmp), args.processes, shape, write_think)
            floor = sched_floor(Path(tmp), args.processes, shape, write_think)
    lat = [t for t, _ in result["latencies"]]
    writes = result["write_times"]
    total = sum(result["done"].values())
    pause = f", {args.think_ms:.0f} ms mean pause between actions" if args.think_ms else ", back to back"
    print(f"{args.processes} processes x {args.actions} actions on one SQLite file{pause}")
    print(f"  completed: {dict(result['done'])}")
    print(f"  refused (expected domain refusals): {dict(result['refused'])}")
    print(f"  lock errors / other errors: {len(result['errors'])}")
    print(f"  writes waiting for another clerk (retried): {result['waits']}")
    queue = "busy handler only, no writers' queue" if args.no_queue else "writers' queue + busy handler"
    print(f"  write latency (waiting for the write lock + the transaction; {queue}): p50 {ms(writes, 50)}, "
          f"p99 {ms(writes, 99)}, max {ms(writes, 100)}")
    print(f"  whole action incl. reads and preview (view = open the detail): p50 {ms(lat, 50)}, p99 {ms(lat, 99)}")
    by_kind = {k: [t for t, kind in result["latencies"] if kind == k] for k in AUDIT_ACTION}
    print("  whole action p99 by kind:", ", ".join(f"{k} {ms(v, 99)}" for k, v in by_kind.items() if v))
    print(f"  throughput {total / result['elapsed']:.0f} actions/s, {len(writes) / result['elapsed']:.0f} writes/s"
          f" over {result['elapsed']:.1f} s")
    if anchor is not None:
        print(f"  CPU shape of one write cycle: {shape['outside_ms']:.2f} ms between writes, "
              f"{shape['inside_ms']:.2f} ms inside, {shape['writes']} writes per process")
        print(f"  anchor, bare SQLite write transactions of that shape (no queue): p50 {ms(anchor['write_times'], 50)}, "
              f"p99 {ms(anchor['write_times'], 99)}, max {ms(anchor['write_times'], 100)}, "
              f"{anchor['errors']} lock errors")
        print(f"  floor, one flock of that shape (scripts/sched_floor.py, wait + hold): p50 {ms(floor, 50)}, "
              f"p99 {ms(floor, 99)}, max {ms(floor, 100)}")
        ours = percentile(writes, 99)
        print(f"  write p99 ratio: {ours / percentile(anchor['write_times'], 99):.2f}x the anchor, "
              f"{ours / percentile(floor, 99):.2f}x the floor")
    for p in problems:
        print("  PROBLEM:", p.splitlines()[0])
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
