"""Wall time of one optimisation generation, and its speed-up from 1 to 2 workers.

Run ``python -m benchmarks.optimise``. The shipped LAC spec (scenarios/optimise/lac_best_mix.yaml)
is resized by flags (``--households``, ``--population``, ``--seeds``, ``--parameter-sets``) and
searched for two generations with 1 and then 2 local workers, each into a fresh temporary
folder (nothing reused). Generation 1 includes starting the workers; generation 2 runs on a
warm pool and is the one generation the speed-up is measured on. Both searches draw the same
mixes (same spec and seed), so they run the same simulations.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import yaml

from benchmarks.sweep import machine_ceiling
from experiments.batch.experiment import BatchOptions
from experiments.optimise.run import optimise
from experiments.optimise.spec import load_optimise_spec

SPEC = Path("scenarios/optimise/lac_best_mix.yaml")


def small_spec(folder: Path, args: argparse.Namespace) -> Path:
    """The shipped spec at the benchmark's size, written into ``folder``."""
    data = yaml.safe_load(SPEC.read_text(encoding="utf-8"))
    data["scenario"] = str((SPEC.parent / data["scenario"]).resolve())
    data["households"] = args.households
    data["worlds"] = {"seeds": args.seeds, "parameter_sets": args.parameter_sets}
    data["search"] = {"population": args.population, "generations": 2}
    path = folder / "bench.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def timed(spec_path: Path, workers: int, out: Path) -> tuple[list[float], int, float, float]:
    """Generation times, runs done, whole wall time and the share of worker time simulating."""
    spec = load_optimise_spec(spec_path)
    start = time.perf_counter()
    done = optimise(spec, BatchOptions(workers=workers, out=out, quiet=True))
    r = done.report
    busy = r.run_seconds / (r.wall_seconds * workers) if r.wall_seconds else float("nan")
    return done.archive.generation_seconds, r.done, time.perf_counter() - start, busy


def simulations(households: int, runs: int = 4) -> float:
    """Seconds for ``runs`` LAC four-I's simulations, one after the other (in a worker)."""
    from model.loader import load_scenario
    from model.run import simulate

    loaded = load_scenario("scenarios/lac/four_is.yaml")
    simulate(loaded, seed=0, households=households)  # warm-up
    start = time.perf_counter()
    for seed in range(1, runs + 1):
        simulate(loaded, seed=seed, households=households)
    return time.perf_counter() - start


def simulation_ceiling(households: int) -> float:
    """Speed-up this machine gives two simulations at once (the most a pool of 2 can reach)."""
    import multiprocessing as mp

    with mp.get_context("spawn").Pool(2) as pool:
        pool.map(simulations, [households, households])
        one = pool.apply(simulations, (households,))
        start = time.perf_counter()
        pool.map(simulations, [households, households])
        both = time.perf_counter() - start
    return 2 * one / both


def main() -> None:
    """Print the time of one generation with 1 and 2 workers and the speed-up."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--households", type=int, default=1000)
    p.add_argument("--population", type=int, default=8)
    p.add_argument("--seeds", type=int, default=2)
    p.add_argument("--parameter-sets", type=int, default=1)
    args = p.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        spec = small_spec(folder, args)
        worlds = args.seeds * max(args.parameter_sets, 1)
        print(
            f"optimise benchmark: population {args.population} x {worlds} worlds of "
            f"{args.households:,} households (LAC spec), 2 generations"
        )
        results = {}
        for workers in (1, 2):
            gens, runs, wall, busy = timed(spec, workers, folder / f"w{workers}")
            results[workers] = gens
            print(
                f"  {workers} worker{'s' if workers > 1 else ' '}: generation 1 (with worker "
                f"start) {gens[0]:6.1f} s, generation 2 {gens[1]:6.1f} s; {runs} runs, "
                f"{wall:.1f} s in all; workers simulating {busy:.0%} of the time"
            )
        speed = results[1][1] / results[2][1]
        total = sum(results[1]) / sum(results[2])
        print(
            f"  one generation (2, warm pool): {results[2][1]:.1f} s with 2 workers; speed-up "
            f"from 1 to 2 workers {speed:.2f} (both generations: {total:.2f})"
        )
        print(
            f"  this machine gives, just now, {machine_ceiling(2):.2f} to 2 pure CPU-bound "
            f"processes and {simulation_ceiling(args.households):.2f} to 2 simulations of "
            f"{args.households:,} households at once (the ceiling of any pool)"
        )


if __name__ == "__main__":
    main()
