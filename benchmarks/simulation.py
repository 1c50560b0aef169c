"""Time and memory of whole runs: build the population, then step through every quarter.

Run ``python -m benchmarks.simulation [--households N] [--scenario FILE]``. The run happens in
a fresh child process so its peak resident memory is its own.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time

from benchmarks.population import peak_rss_mb

DEFAULT_SCENARIO = "scenarios/lac/four_is.yaml"


def child(scenario: str, households: int, seed: int) -> dict[str, float]:
    """Build and run one scenario in this process; return its measurements."""
    from model.inclusion_model import InclusionModel
    from model.loader import load_scenario

    loaded = load_scenario(scenario)
    start = time.perf_counter()
    model = InclusionModel(loaded, seed, households)
    built = time.perf_counter()
    model.run()
    done = time.perf_counter()
    quarters = model.steps
    return {
        "build_s": built - start,
        "run_s": done - built,
        "per_quarter_s": (done - built) / max(quarters, 1),
        "quarters": quarters,
        "peak_rss_mb": peak_rss_mb(),
    }


def main() -> None:
    """Measure one run in a child process and print the figures."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--households", type=int, default=1_000_000)
    p.add_argument("--scenario", default=DEFAULT_SCENARIO)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.child:
        print(json.dumps(child(args.scenario, args.households, args.seed)))
        return
    cmd = [
        sys.executable,
        "-m",
        "benchmarks.simulation",
        "--child",
        "--households",
        str(args.households),
        "--scenario",
        args.scenario,
        "--seed",
        str(args.seed),
    ]
    out = json.loads(subprocess.run(cmd, capture_output=True, text=True, check=True).stdout)
    print(f"{args.scenario}: {args.households:,} households, {out['quarters']} quarters")
    print(
        f"build {out['build_s']:.2f} s, run {out['run_s']:.2f} s "
        f"({out['per_quarter_s']:.3f} s a quarter), peak RSS {out['peak_rss_mb']:.0f} MB"
    )


if __name__ == "__main__":
    main()
