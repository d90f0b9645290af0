"""The floor that the operating system's scheduler sets under a back-to-back load, with no
database at all: N processes each spin on the CPU for OUTSIDE ms, then take one exclusive file
lock (flock), spin INSIDE ms and release it. It prints the wait for the lock, p50/p99.

    python3 scripts/sched_floor.py [--processes 20] [--outside-ms 5] [--inside-ms 0.3]

On 2 cores, 20 such processes keep 10 runnable per core; a holder preempted inside the lock makes
everyone wait for its next turn on a CPU. Compare with `scripts/stress.py --think-ms 0`.
"""

from __future__ import annotations

import argparse
import fcntl
import multiprocessing as mp
import os
import random
import tempfile
import time


def _spin(ms: float) -> None:
    end = time.perf_counter() + ms / 1000
    while time.perf_counter() < end:
        pass


def _worker(args: tuple) -> list[float]:
    """One process's rounds; an optional fifth and sixth item: a mean pause in ms between rounds
    (uniform 0 to twice it, as scripts/stress.py's clerks) and the seed of those pauses."""
    path, outside, inside, rounds, *pause = args
    think, seed = (pause + [0.0, 0])[:2]
    rng = random.Random(seed)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    waits = []
    for _ in range(rounds):
        if think:
            time.sleep(rng.uniform(0, 2 * think) / 1000)
        _spin(outside)
        start = time.perf_counter()
        fcntl.flock(fd, fcntl.LOCK_EX)
        got = time.perf_counter()
        _spin(inside)
        fcntl.flock(fd, fcntl.LOCK_UN)
        waits.append((got - start, time.perf_counter() - start))  # the wait; the wait and the hold
    return waits


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--processes", type=int, default=20)
    parser.add_argument("--outside-ms", type=float, default=5.0)
    parser.add_argument("--inside-ms", type=float, default=0.3)
    parser.add_argument("--rounds", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        job = (os.path.join(tmp, "lock"), args.outside_ms, args.inside_ms, args.rounds)
        with mp.get_context("spawn").Pool(args.processes) as pool:
            waits = sorted(w for r in pool.map(_worker, [job] * args.processes, chunksize=1) for w, _ in r)
    pick = lambda p: waits[min(len(waits) - 1, round(p / 100 * (len(waits) - 1)))] * 1000  # noqa: E731
    print(f"{args.processes} processes, {args.outside_ms} ms outside and {args.inside_ms} ms inside one lock, "
          f"on {os.cpu_count()} CPUs: lock wait p50 {pick(50):.1f} ms, p99 {pick(99):.1f} ms, max {pick(100):.1f} ms")


if __name__ == "__main__":
    main()
