"""Plant known one-line bugs, one at a time, and show which test catches each.

Run ``.venv/bin/python -m tests.planted_bugs`` from the project folder. Each bug is written
into the source, the fast behaviour tests run against it (the stored regression baseline is
not among them), and the source is restored whatever happens. Prints one line a bug:
``CAUGHT`` with the first failing test, or ``SURVIVED``; exits 1 if any survived.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

BUGS: dict[str, tuple[str, tuple[tuple[str, str], ...]]] = {
    "social-protection take-up ignored in the welfare update": (
        "model/inclusion_model.py",
        (
            ('np.maximum(pars["p_takeup_online"], lv.takeup_online)', 'pars["p_takeup_online"]'),
            (
                'np.maximum(pars["p_takeup_offline"], lv.takeup_offline)',
                'pars["p_takeup_offline"]',
            ),
        ),
    ),
    "skills-training eligibility ignored": (
        "model/policies/skills_training.py",
        (
            (
                "np.flatnonzero(self.eligible(pop) & p.is_working_age",
                "np.flatnonzero(p.is_working_age",
            ),
        ),
    ),
    "skills-training intensity ignored": (
        "model/policies/skills_training.py",
        (("take(c.intensity * c.places_per_quarter", "take(c.places_per_quarter"),),
    ),
    "rehiring condition off by one (formal job losers never rehired)": (
        "model/kernels.py",
        (("elif had_job and rehire and lost[i]", "elif job[i] > 1 and rehire and lost[i]"),),
    ),
    "skill gain proportional to skill, not to the distance from full skill": (
        "model/kernels.py",
        (("use_weight[level] * (np.float32(1.0) - s)", "use_weight[level] * s"),),
    ),
}
"""Each bug: the file and the replacements that plant it."""

TESTS = (
    "tests/test_policy_effects.py",
    "tests/test_kernels.py",
    "tests/test_policies.py",
    "tests/test_rules.py",
)


def plant(name: str) -> str:
    """Plant one bug, run :data:`TESTS`, restore the file; the verdict line."""
    path, replacements = BUGS[name]
    source = ROOT / path
    original = source.read_text()
    planted = original
    for old, new in replacements:
        if old not in planted:
            return f"{name}: NOT PLANTED (the line '{old}' is no longer in {path})"
        planted = planted.replace(old, new)
    source.write_text(planted)
    try:
        cmd = [sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", *TESTS]
        done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    finally:
        source.write_text(original)
    failed = [line for line in done.stdout.splitlines() if line.startswith("FAILED")]
    if done.returncode == 0:
        return f"{name}: SURVIVED"
    return f"{name}: CAUGHT by {failed[0].split()[1] if failed else 'an error'}"


def main() -> None:
    """Plant every bug in turn and print the verdicts."""
    verdicts = [plant(name) for name in BUGS]
    print("\n".join(verdicts))
    sys.exit(1 if any("CAUGHT" not in v for v in verdicts) else 0)


if __name__ == "__main__":
    main()
