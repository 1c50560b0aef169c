"""Speed-up, overhead and memory of the experiment runner.

Run ``python -m benchmarks.sweep``. Three measurements, each sized by flags:

1. a sweep of ``--runs`` runs of ``--households`` households with 1 and 2 workers (the
   speed-up; target >= 1.8 on two free cores);
2. the share of time the parent spends scheduling and storing, against time simulating
   (target < 5%), and the share of worker time lost to anything but simulating;
3. a sweep of ``--tiny-runs`` tiny runs while a thread samples the parent's resident memory:
   it must stay flat however many runs complete.

Each run is a different scenario (the affordability intensity varies run by run), so every
run validates its own scenario as a real sweep does. ``--tiny-model synthetic`` replaces
the model in step 3 by a stand-in of the same output shape, to measure the machinery alone at
full scale in seconds.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
import pandas as pd

from experiments.batch.executors import open_pool
from experiments.batch.runner import Report, Task, replication_seed, run_tasks, simulate_task
from experiments.batch.store import Store
from model.yamlio import read_yaml

BASE = "scenarios/lac/four_is.yaml"


def rss_mb() -> float:
    """Resident memory of this process now, MB."""
    with open("/proc/self/statm") as f:
        pages = int(f.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 1e6


def synthetic_run(task: Task) -> pd.DataFrame:
    """A stand-in with the model's output shape (45 quarters x 180 indicators), no simulation."""
    rng = np.random.default_rng(task.seed)
    quarters = [f"{2019 + (q + 3) // 4}Q{(q + 3) % 4 + 1}" for q in range(task.quarters or 45)]
    columns = [f"indicator_{k}" for k in range(180)]
    return pd.DataFrame(rng.random((len(quarters), len(columns))), index=quarters, columns=columns)


def burn(n: int) -> float:
    """Seconds to spin ``n`` iterations of pure-Python arithmetic (no memory traffic)."""
    start = time.perf_counter()
    x = 0
    for i in range(n):
        x += i * i
    return time.perf_counter() - start


def machine_ceiling(workers: int, n: int = 20_000_000) -> float:
    """Speed-up the machine itself gives ``workers`` independent CPU-bound processes.

    On shared or hyper-threaded virtual CPUs this is well below ``workers``; a sweep cannot
    beat it.
    """
    import multiprocessing as mp

    with mp.get_context("spawn").Pool(workers) as pool:
        pool.map(burn, [n // 10] * workers)  # start-up
        one = pool.apply(burn, (n,))
        start = time.perf_counter()
        pool.map(burn, [n] * workers)
        parallel = time.perf_counter() - start
    return workers * one / parallel


def tasks(n: int, households: int, quarters: int | None, seed: int = 0):
    """``n`` runs of the base scenario, each with its own affordability intensity and seed."""
    base, _ = read_yaml(BASE)
    for r in range(n):
        scenario = json.loads(json.dumps(base))
        for p in scenario["policies"]:
            if p["type"] == "affordability":
                p["intensity"] = round((r % 101) / 100, 2)
        yield Task(r, replication_seed(seed, r), r, scenario, households, quarters)


def sweep(
    folder: Path,
    n: int,
    households: int,
    quarters: int | None,
    workers: int,
    run_fn=simulate_task,
    sample_every: float | None = None,
) -> tuple[Report, list]:
    """Run ``n`` tasks into a fresh store; return the report and (time, done, RSS) samples."""
    store = Store(folder)
    store.open("sweep", folder.name, {}, folder.name, pd.DataFrame({"run_id": range(n)}), 0)
    samples: list[tuple[float, int, float]] = []
    stop = threading.Event()

    def sample() -> None:
        t0 = time.perf_counter()
        while not stop.wait(sample_every):
            samples.append((time.perf_counter() - t0, len(os.listdir(store.parts)), rss_mb()))

    sampler = threading.Thread(target=sample, daemon=True)
    start = time.perf_counter()
    with open_pool(workers) as pool:
        if sample_every:
            sampler.start()
        report = run_tasks(tasks(n, households, quarters), n, store, pool, run_fn, progress=False)
    stop.set()
    if sample_every:
        sampler.join()
        samples.append((samples[-1][0] if samples else 0.0, len(os.listdir(store.parts)), rss_mb()))
    report.wall_seconds = time.perf_counter() - start  # pool start-up and shut-down included
    errors: dict[str, int] = {}
    for f in store.failures():
        first = str(f["error"]).splitlines()[0]
        errors[first] = errors.get(first, 0) + 1
    for error, count in errors.items():
        print(f"  {count} runs failed with: {error}")
    return report, samples


def describe(label: str, r: Report, workers: int) -> None:
    """Print one sweep's timings."""
    busy = r.run_seconds / (r.wall_seconds * workers)
    rate = r.done / r.wall_seconds
    print(
        f"{label}: {r.done} runs in {r.wall_seconds:.1f} s ({rate:.2f} runs/s, worker start "
        f"{r.startup_seconds:.1f} s); simulating {r.run_seconds:.1f} s, encoding "
        f"{r.encode_seconds:.2f} s in workers; "
        f"parent scheduling+storing {r.parent_seconds:.2f} s "
        f"= {100 * r.parent_seconds / r.run_seconds:.2f}% of simulation time; "
        f"workers busy simulating {100 * busy:.1f}% of wall x workers"
    )


def main() -> None:
    """Run the measurements chosen by the flags and print the figures."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--runs", type=int, default=200, help="runs of the speed-up sweep")
    p.add_argument("--households", type=int, default=10_000)
    p.add_argument("--quarters", type=int, default=None, help="default: to 2030Q4")
    p.add_argument("--workers", default="1,2", help="worker counts to compare")
    p.add_argument("--tiny-runs", type=int, default=10_000, help="runs of the memory sweep")
    p.add_argument("--tiny-households", type=int, default=2_000)
    p.add_argument("--tiny-quarters", type=int, default=1)
    p.add_argument("--tiny-workers", type=int, default=2)
    p.add_argument("--tiny-model", choices=("real", "synthetic"), default="real")
    p.add_argument("--skip-speedup", action="store_true")
    p.add_argument("--skip-memory", action="store_true")
    args = p.parse_args()
    print(f"cores: {os.cpu_count()}, load average at start: {os.getloadavg()[0]:.2f}")
    with tempfile.TemporaryDirectory(prefix="inclusim-bench-") as tmp:
        if not args.skip_speedup:
            walls = {}
            for w in (int(x) for x in args.workers.split(",")):
                report, _ = sweep(
                    Path(tmp) / f"speed{w}", args.runs, args.households, args.quarters, w
                )
                walls[w] = report.wall_seconds
                describe(
                    f"{args.runs} runs x {args.households:,} households, {w} worker(s)", report, w
                )
            ws = sorted(walls)
            if len(ws) > 1:
                ceiling = machine_ceiling(ws[-1])
                print(
                    f"speed-up {ws[-1]} vs {ws[0]} workers: {walls[ws[0]] / walls[ws[-1]]:.2f} "
                    f"(this machine gives {ceiling:.2f} to {ws[-1]} pure CPU-bound processes, "
                    "measured just after)"
                )
        if not args.skip_memory:
            fn = simulate_task if args.tiny_model == "real" else synthetic_run
            report, samples = sweep(
                Path(tmp) / "tiny",
                args.tiny_runs,
                args.tiny_households,
                args.tiny_quarters,
                args.tiny_workers,
                fn,
                sample_every=0.5,
            )
            describe(
                f"{args.tiny_runs} tiny runs ({args.tiny_model}, {args.tiny_households:,} "
                f"households x {args.tiny_quarters} quarters)",
                report,
                args.tiny_workers,
            )
            print("parent RSS while runs complete (seconds, runs done, MB):")
            step = max(len(samples) // 10, 1)
            for t, done, mb in samples[::step] + samples[-1:]:
                print(f"  {t:8.1f} s  {done:6d} runs  {mb:7.1f} MB")
            if len(samples) > 4:
                later = [mb for _, done, mb in samples if done >= args.tiny_runs // 10]
                first = later[0] if later else samples[0][2]
                top = max(mb for *_, mb in samples)
                print(
                    f"RSS from 10% of runs done to the end: {first:.1f} -> "
                    f"{samples[-1][2]:.1f} MB (max {top:.1f} MB)"
                )


if __name__ == "__main__":
    main()
