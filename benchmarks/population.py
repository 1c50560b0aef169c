"""Time and memory of building a synthetic population, each region in a fresh process.

Run ``python -m benchmarks.population`` (or ``make bench``). For every region the parent starts
two child processes: one times :func:`model.population.synthesise` and reads the child's
peak resident memory (``ru_maxrss``, the whole process: interpreter, imports and build);
the other repeats the build under :mod:`tracemalloc` to report the peak of memory allocated
by the build itself. The target is 1,000,000 households in under 5 s and 500 MB.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
import tracemalloc

TARGET_SECONDS = 5.0
TARGET_MB = 500.0
REGIONS = ("lac", "ldc", "world")
MB = 1024 * 1024


def peak_rss_mb() -> float:
    """Peak resident set size of this process so far, MB (ru_maxrss: KB on Linux, B on macOS)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / MB if sys.platform == "darwin" else peak / 1024


def child(region_name: str, households: int, seed: int, traced: bool) -> dict[str, float]:
    """Build one population in this process and return its measurements."""
    from model.loader import load_region
    from model.population import synthesise

    region = load_region(region_name)
    rss_before = peak_rss_mb()
    if traced:
        tracemalloc.start()
    start = time.perf_counter()
    pop = synthesise(region, households, seed)
    seconds = time.perf_counter() - start
    out = {
        "seconds": seconds,
        "rss_before_mb": rss_before,
        "peak_rss_mb": peak_rss_mb(),
        "households": pop.h.n,
        "persons": pop.p.n,
    }
    if traced:
        out["traced_peak_mb"] = tracemalloc.get_traced_memory()[1] / MB
        tracemalloc.stop()
    return out


def run_child(region: str, households: int, seed: int, traced: bool) -> dict[str, float]:
    """Run :func:`child` in a fresh interpreter and read its JSON answer."""
    cmd = [
        sys.executable,
        "-m",
        "benchmarks.population",
        "--child",
        region,
        "--households",
        str(households),
        "--seed",
        str(seed),
    ]
    if traced:
        cmd.append("--traced")
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"{region}: the child failed:\n{proc.stderr}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    """Benchmark every region; print a table; exit 1 when a build misses the target."""
    p = argparse.ArgumentParser(prog="python -m benchmarks.population", description=__doc__)
    p.add_argument("--households", type=int, default=1_000_000)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--regions", nargs="+", default=list(REGIONS))
    p.add_argument("--child", metavar="REGION", help=argparse.SUPPRESS)
    p.add_argument("--traced", action="store_true", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.child, args.households, args.seed, args.traced)))
        return 0

    print(
        f"synthesise(): {args.households:,} households, seed {args.seed}, "
        f"one fresh process per measurement (Python {sys.version.split()[0]})"
    )
    header = ("region", "build s", "peak RSS MB", "RSS before MB", "traced peak MB", "target")
    rows = []
    missed = False
    for region in args.regions:
        timed = run_child(region, args.households, args.seed, traced=False)
        traced = run_child(region, args.households, args.seed, traced=True)
        ok = timed["seconds"] < TARGET_SECONDS and timed["peak_rss_mb"] < TARGET_MB
        missed |= not ok
        rows.append(
            (
                region,
                f"{timed['seconds']:.2f}",
                f"{timed['peak_rss_mb']:.0f}",
                f"{timed['rss_before_mb']:.0f}",
                f"{traced['traced_peak_mb']:.0f}",
                "ok" if ok else "MISSED",
            )
        )
    widths = [max(len(r[i]) for r in (header, *rows)) for i in range(len(header))]
    for r in (header, tuple("-" * w for w in widths), *rows):
        print(
            "  ".join(
                c.rjust(w) if i else c.ljust(w)
                for i, (c, w) in enumerate(zip(r, widths, strict=True))
            )
        )
    print(
        f"target: under {TARGET_SECONDS:.0f} s and {TARGET_MB:.0f} MB peak RSS per build. "
        "RSS is the whole child process (interpreter and imports included); the traced peak "
        "is what the build itself allocated."
    )
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
