"""The score of the last ``mutmut run`` and its surviving mutants, as ``make mutation`` prints.

Run ``.venv/bin/python -m tests.mutation_report`` from the project folder after ``mutmut run``
(``make mutation`` does both). It reads mutmut's results in ``mutants/`` through mutmut's own
commands (``results --all`` and ``show``), prints the score overall and per file, and each
mutant that no test killed with the line it changed. A mutant whose tests ran out of time
counts as killed (the tests noticed: the mutant made the code loop or crawl), as mutmut's own
score does; one that no fast test reaches counts as surviving.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from collections import Counter, defaultdict
from pathlib import Path

KILLED = ("killed", "timeout", "segfault", "caught by type check")
"""Statuses that mean a test (or the time limit) noticed the mutant."""

MUTMUT = str(Path(sys.executable).parent / "mutmut")
"""mutmut, installed beside this Python by ``pip install -e '.[mutation]'``."""


def statuses() -> dict[str, str]:
    """Every mutant of the last run and its status (``mutmut results --all true``).

    Returns:
        Mutant name (``model.rules.labour.x_rehires__mutmut_3``) -> status (``killed``,
        ``survived``, ``no tests``, ``timeout``...).

    Raises:
        SystemExit: mutmut failed, or no run has left results in ``mutants/``.

    """
    proc = subprocess.run(
        [MUTMUT, "results", "--all", "true"], capture_output=True, text=True, check=False
    )
    if proc.returncode != 0:
        raise SystemExit(f"mutmut results failed:\n{proc.stderr}")
    found = dict(re.findall(r"^\s+(\S+): (.+)$", proc.stdout, flags=re.MULTILINE))
    if not found:
        raise SystemExit("no mutation results in mutants/: run `make mutation` first")
    return found


def module_of(mutant: str) -> str:
    """The module a mutant belongs to (``model.rules.labour``)."""
    head = mutant.split("__mutmut_")[0]
    return head.rsplit(".", 1)[0]


def changed_lines(mutant: str) -> list[str]:
    """The source lines a mutant changes, as ``-old`` / ``+new`` lines of its diff."""
    proc = subprocess.run([MUTMUT, "show", mutant], capture_output=True, text=True, check=False)
    return [
        line.rstrip()
        for line in proc.stdout.splitlines()
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]


def score_lines(found: dict[str, str]) -> list[str]:
    """The score overall and per module, killed / total."""
    per_module: dict[str, Counter[str]] = defaultdict(Counter)
    for name, status in found.items():
        per_module[module_of(name)][status] += 1
    lines = [f"{'module':<36} {'killed':>7} {'total':>6} {'score':>7}  other statuses"]
    for module in sorted(per_module):
        counts = per_module[module]
        killed, total = sum(counts[s] for s in KILLED), sum(counts.values())
        other = ", ".join(f"{n} {s}" for s, n in sorted(counts.items()) if s not in KILLED)
        lines.append(f"{module:<36} {killed:>7} {total:>6} {killed / total:>7.1%}  {other}")
    overall = Counter(found.values())
    killed, total = sum(overall[s] for s in KILLED), len(found)
    lines.append(f"{'all':<36} {killed:>7} {total:>6} {killed / total:>7.1%}")
    lines.append("")
    lines.append(
        f"mutation score: {killed} / {total} killed ({killed / total:.1%}); "
        + ", ".join(f"{n} {s}" for s, n in sorted(overall.items()))
    )
    return lines


def main(argv: list[str] | None = None) -> int:
    """Print the score and the surviving mutants; exit 0 (the score is information, not a gate).

    Args:
        argv: ``--no-diffs`` leaves out the changed lines (faster: one ``mutmut show`` each).

    Returns:
        0.

    """
    parser = argparse.ArgumentParser(prog="python -m tests.mutation_report")
    parser.add_argument("--no-diffs", action="store_true", help="list survivors by name only")
    args = parser.parse_args(argv)
    found = statuses()
    print("\n".join(score_lines(found)))
    survivors = sorted(n for n, s in found.items() if s not in KILLED)
    print(f"\n{len(survivors)} mutants not killed:")
    for name in survivors:
        print(f"  {name} ({found[name]})")
        if not args.no_diffs:
            for line in changed_lines(name):
                print(f"      {line.strip()[:1]} {line[1:].strip()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
