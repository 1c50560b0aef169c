"""Speed and memory of whole runs, and the speed-up over one Mesa agent per person.

Run ``python -m benchmarks.simulation [--households N] [--scenario FILE]``. Each measurement
runs in a fresh child process, so its peak resident memory is its own:

1. the scenario (default: LAC with every lever) at ``--households`` (default 1,000,000, about
   3.6 million persons) for all its quarters: build seconds, run seconds, person-steps and
   household-steps a second, peak memory;
2. a plain Mesa model with one ``mesa.Agent`` per person running the same person rule as
   the engine's (:func:`model.kernels.use_and_skills`: use from the latent propensity, the
   home connection and skills gained; a smartphone when needed; meaningful use; skills grow
   with use and fade without), at 100,000 persons: agent-steps a second.

The speed ratio is (1) over (2) per agent-step. The whole model does far more per person
than the adoption rule, so the ratio understates the engine's advantage; the command also
prints the rule alone (one pass of ``use_and_learn`` over the same 1,000,000 households)
against Mesa, like for like.
Targets on this project's 2-core machine: 10 million person-steps a second, peak under
1.5 GB, ratio at least 30.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time

from benchmarks.population import peak_rss_mb

DEFAULT_SCENARIO = "scenarios/lac/four_is.yaml"
WARM_UP_HOUSEHOLDS = 1_000
"""A small run first loads (or, the first time, compiles) the compiled rules."""
MESA_PERSONS = 100_000
MESA_STEPS = 10
TARGET_PERSON_STEPS = 10e6
TARGET_PEAK_MB = 1536.0
TARGET_RATIO = 30.0
DEFAULT_HOUSEHOLDS = 1_000_000
LARGE_PEAK_MB = 16 * 1024.0
"""A run of more than a million households must fit in 16 GB."""


def model_child(scenario: str, households: int, seed: int) -> dict[str, float]:
    """Build and run one scenario in this process; return its measurements."""
    from model.inclusion_model import InclusionModel
    from model.loader import load_scenario

    loaded = load_scenario(scenario)
    start = time.perf_counter()
    InclusionModel(loaded, seed, WARM_UP_HOUSEHOLDS).run(2)
    warm = time.perf_counter() - start
    start = time.perf_counter()
    model = InclusionModel(loaded, seed, households)
    built = time.perf_counter()
    model.run()
    done = time.perf_counter()
    quarters = model.steps
    run_s = done - built
    rule_s = _rule_seconds(model)
    return {
        "households": model.h.n,
        "persons": model.p.n,
        "warm_up_s": warm,
        "build_s": built - start,
        "run_s": run_s,
        "quarters": quarters,
        "person_steps_per_s": model.p.n * quarters / run_s,
        "household_steps_per_s": model.h.n * quarters / run_s,
        "rule_person_steps_per_s": model.p.n / rule_s,
        "peak_rss_mb": peak_rss_mb(),
    }


RULE_REPEATS = 5


def _rule_seconds(model) -> float:
    """Seconds of one pass of the person rule alone (``use_and_learn``), best of a few."""
    best = float("inf")
    for _ in range(RULE_REPEATS):
        start = time.perf_counter()
        model.use_and_learn()
        best = min(best, time.perf_counter() - start)
    return best


def mesa_child(persons: int, steps: int, seed: int) -> dict[str, float]:
    """Run the person rule with one ``mesa.Agent`` per person; return agent-steps a second.

    The same rule as :func:`model.kernels.use_and_skills`, written the way a Mesa model
    would be: each person reads its household's connection and computer and the model's
    parameters, decides on use, buys a smartphone if needed, and updates its skill.
    """
    import mesa
    import numpy as np

    from model.params import defaults
    from model.rules.connectivity import HOME_USE_SHIFT
    from model.rules.skills import USE_BY_CONNECTION

    shift = [float(x) for x in HOME_USE_SHIFT]
    use_weight = [float(x) for x in USE_BY_CONNECTION]

    class Household:
        def __init__(self, connection: int, computer: bool) -> None:
            self.connection = self.connection_2019 = connection
            self.computer = computer
            self.coverage_ramp = 1.0

    class Person(mesa.Agent):
        def __init__(self, model: mesa.Model, household: Household, latent: float) -> None:
            super().__init__(model)
            self.household = household
            self.latent = latent
            self.age = int(model.rng.integers(0, 90))
            self.female = bool(model.rng.random() < 0.5)
            self.disability = bool(model.rng.random() < 0.1)
            self.skill = self.skill_2019 = float(model.rng.random())
            self.online = self.smartphone = self.assistive = False

        def step(self) -> None:
            m, home = self.model, self.household
            pull = m.beta_skill * (m.rel_female if self.female else 1.0)
            gain = pull * (self.skill - self.skill_2019)
            level = shift[home.connection]
            if self.female:
                before = shift[home.connection_2019]
                level = before + m.women_access * (level - before)
            if self.disability and not self.assistive:
                level -= m.disability_barrier
            covered = home.coverage_ramp >= 1.0 or m.random.random() < home.coverage_ramp
            online = self.age >= 5 and covered and self.latent + level + gain > 0
            computer = home.computer and home.connection > 0
            if online and not self.online and self.age >= 13 and not computer:
                self.smartphone = True
            self.online = online
            device = self.smartphone or home.computer or self.age < 13
            level = int(online) + int(online and home.connection == 2 and device)
            s = self.skill
            s += m.rate_use * use_weight[level] * (1 - s) - (m.rate_fade * s if level == 0 else 0)
            self.skill = min(max(s, 0.0), 1.0)

    class Adoption(mesa.Model):
        def __init__(self, n: int) -> None:
            super().__init__(rng=seed)
            pars = defaults()
            self.beta_skill = pars["beta_skill"]
            self.rel_female = pars["rel_barrier_female"]
            self.disability_barrier = pars["disability_use_barrier"]
            self.women_access = 1.0
            self.rate_use = pars["rate_skill_use"]
            self.rate_fade = pars["rate_skill_fade"]
            rng = np.random.default_rng(seed)
            homes = [Household(int(c), bool(rng.random() < 0.3)) for c in rng.integers(0, 3, n)]
            for k, latent in enumerate(rng.logistic(size=n)):
                Person(self, homes[k // 3], float(latent))

        def step(self) -> None:
            self.agents.do("step")

    model = Adoption(persons)
    start = time.perf_counter()
    for _ in range(steps):
        model.step()
    elapsed = time.perf_counter() - start
    return {"agent_steps_per_s": persons * steps / elapsed, "peak_rss_mb": peak_rss_mb()}


def _in_child(*args: str) -> dict[str, float]:
    cmd = [sys.executable, "-m", "benchmarks.simulation", *args]
    done = subprocess.run(cmd, capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


def _verdict(ok: bool) -> str:
    return "meets target" if ok else "MISSES target"


def main() -> None:
    """Measure the model and the Mesa agent version in child processes; print the figures."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--households", type=int, default=DEFAULT_HOUSEHOLDS)
    p.add_argument("--scenario", default=DEFAULT_SCENARIO)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--child", choices=("model", "mesa"), help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.child == "model":
        print(json.dumps(model_child(args.scenario, args.households, args.seed)))
        return
    if args.child == "mesa":
        print(json.dumps(mesa_child(MESA_PERSONS, MESA_STEPS, args.seed)))
        return
    run = _in_child(
        "--child", "model", "--households", str(args.households), "--scenario", args.scenario
    )
    agents = _in_child("--child", "mesa")
    ratio = run["person_steps_per_s"] / agents["agent_steps_per_s"]
    rule_ratio = run["rule_person_steps_per_s"] / agents["agent_steps_per_s"]
    print(
        f"{args.scenario}: {run['households']:,} households, {run['persons']:,} persons, "
        f"{run['quarters']} quarters"
    )
    print(f"warm-up (compiled rules) {run['warm_up_s']:8.2f} s   (1,000 households, 2 quarters)")
    print(f"build                    {run['build_s']:8.2f} s")
    print(f"run                      {run['run_s']:8.2f} s")
    print(
        f"person-steps a second    {run['person_steps_per_s'] / 1e6:8.2f} million   "
        f"({_verdict(run['person_steps_per_s'] >= TARGET_PERSON_STEPS)}: 10 million)"
    )
    print(f"household-steps a second {run['household_steps_per_s'] / 1e6:8.2f} million")
    limit, words = (
        (TARGET_PEAK_MB, "under 1,536 MB")
        if args.households <= DEFAULT_HOUSEHOLDS
        else (LARGE_PEAK_MB, "under 16 GB")
    )
    print(
        f"peak memory              {run['peak_rss_mb']:8.0f} MB        "
        f"({_verdict(run['peak_rss_mb'] < limit)}: {words})"
    )
    print(
        f"Mesa, one Agent a person {agents['agent_steps_per_s'] / 1e6:8.3f} million agent-steps "
        f"a second ({MESA_PERSONS:,} persons, adoption rule only)"
    )
    print(
        f"speed ratio per agent-step {ratio:6.0f}x          "
        f"({_verdict(ratio >= TARGET_RATIO)}: 30x)"
    )
    print(
        f"the same rule alone      {run['rule_person_steps_per_s'] / 1e6:8.1f} million "
        f"person-steps a second, {rule_ratio:.0f}x Mesa "
        "(like for like; the target above is for the whole model)"
    )


if __name__ == "__main__":
    main()
