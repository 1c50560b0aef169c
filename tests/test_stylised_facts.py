"""Stylised facts the model must show (issue "Scientific credibility").

Each fact is a test on shipped scenarios, averaged over a few seeds at a few thousand
households. A fact that does not hold is marked ``xfail(strict=True)`` with its numbers,
never weakened silently. The same facts, with the numbers seen, are listed in
docs/MODEL_CARD.md.
"""

from __future__ import annotations

import copy
import functools

import numpy as np
import pandas as pd
import pytest

from model.inclusion_model import InclusionModel
from model.loader import ROOT, LoadedScenario, load_scenario, scenario_from_dict
from model.run import simulate
from model.yamlio import read_yaml

pytestmark = [pytest.mark.slow]  # multi-seed runs of whole scenarios, shared by the facts

SCENARIOS = ROOT / "scenarios"
SEEDS = (0, 1, 2, 3)
HOUSEHOLDS = 3_000
END = "2030Q4"


@functools.cache
def _loaded(relpath: str) -> LoadedScenario:
    return load_scenario(SCENARIOS / relpath)


@functools.cache
def _connectivity_and_skills() -> LoadedScenario:
    """lac_connectivity with lac_skills' training programme added on top."""
    conn, _ = read_yaml(SCENARIOS / "lac" / "connectivity.yaml")
    skills, _ = read_yaml(SCENARIOS / "lac" / "skills.yaml")
    data = copy.deepcopy(conn)
    data["name"] = "lac_connectivity_skills"
    data["policies"] = [*conn["policies"], *skills["policies"]]
    return scenario_from_dict(data)


@functools.cache
def _runs(key: str, households: int = HOUSEHOLDS, seeds: int = len(SEEDS)) -> tuple:
    loaded = _connectivity_and_skills() if key == "lac/connectivity+skills" else _loaded(key)
    return tuple(simulate(loaded, seed, households).timeseries for seed in range(seeds))


def mean_path(key: str, indicator: str) -> pd.Series:
    """Mean over seeds of an indicator, by quarter."""
    return pd.concat([ts[indicator] for ts in _runs(key)], axis=1).mean(axis=1)


def mean_at(key: str, indicator: str, quarter: str = END) -> float:
    """Mean over seeds of an indicator in one quarter."""
    return float(np.mean([ts.loc[quarter, indicator] for ts in _runs(key)]))


def paired_difference(key: str, versus: str, indicator: str, quarter: str = END) -> np.ndarray:
    """Per-seed difference of an indicator between two scenarios (common random numbers)."""
    a = np.array([ts.loc[quarter, indicator] for ts in _runs(key)])
    b = np.array([ts.loc[quarter, indicator] for ts in _runs(versus)])
    return a - b


# --- skills by sex and age ------------------------------------------------------------------


@pytest.mark.parametrize("region", ["lac", "ldc", "world"])
def test_skills_differ_by_sex_through_use_and_less_than_by_age(region):
    # ITU FF2021: gaps in basic digital skills by sex are small next to those by age. The model
    # gives no sex a skill of its own: women's skills lag because their use lags (the 2019
    # raking shifts skills by own use; skills grow with use and fade without it).
    key = f"{region}/baseline.yaml"
    women = mean_at(key, "share_basic_skills:sex=female", "2024Q4")
    men = mean_at(key, "share_basic_skills:sex=male", "2024Q4")
    by_age = mean_at(key, "gap_age_basic_skills", "2024Q4")
    assert 0 < men - women < by_age, (
        f"{region} 2024Q4 basic skills: women {women:.3f}, men {men:.3f}; youth - 65+ {by_age:.3f}"
    )


# --- rural stagnation ------------------------------------------------------------------------


def test_rural_stagnation_world_urban_rural_ratio_stays_above_1_5_through_2024():
    # ITU FF2022-FF2024: the urban/rural ratio of Internet use was 2.3 in 2019 and has been
    # "stuck at 1.7" since 2020; infrastructure and demand must not close it quickly.
    ratio = mean_path("world/baseline.yaml", "ratio_urban_rural_internet_use")
    through_2024 = ratio[ratio.index <= "2024Q4"]
    assert len(through_2024) == 21
    low_quarter = through_2024.idxmin()
    assert through_2024.min() >= 1.5, (
        f"urban/rural ratio fell to {through_2024.min():.3f} in {low_quarter}"
    )


# --- persons inside households ----------------------------------------------------------------


def test_women_can_be_offline_in_households_where_a_man_is_online():
    # ITU FF2024: LDC gender parity 0.74 in 2019; GSMA: women 20% less likely to own a
    # smartphone. Use is a person's own: a man online does not put the women of his household
    # online, and in LDCs women are more often the offline member than men.
    model = InclusionModel(_loaded("ldc/baseline.yaml"), seed=0, households=HOUSEHOLDS)
    p, n = model.p, model.h.n
    adult = p.age >= 15
    man_on = p.household_sum(adult & ~p.is_female & p.is_online, n) > 0
    woman_on = p.household_sum(adult & p.is_female & p.is_online, n) > 0
    women_off = adult & p.is_female & ~p.is_online & man_on[p.household]
    men_off = adult & ~p.is_female & ~p.is_online & woman_on[p.household]
    assert women_off.sum() > 0
    assert women_off.sum() > 1.2 * men_off.sum(), (women_off.sum(), men_off.sum())


def test_the_ldc_gender_gap_does_not_close_as_adoption_grows():
    # ITU FF2024: LDC gender parity fell from 0.74 (2019) to 0.70 (2024) while use grew;
    # GSMA 2021: women 36-37% less likely to use mobile Internet in South Asia and Africa.
    start = mean_at("ldc/baseline.yaml", "gps_internet_use", "2019Q4")
    end = mean_at("ldc/baseline.yaml", "gps_internet_use", "2024Q4")
    assert end <= start + 0.005, f"LDC parity {start:.3f} in 2019Q4, {end:.3f} in 2024Q4"


def test_assistive_technology_raises_use_among_persons_with_disabilities_only():
    # GSMA Mobile Disability Gap Report 2020-2021: inaccessible devices and services are a
    # barrier; the lever lifts it for those equipped, and no one else gains from it.
    base = _loaded("lac/baseline.yaml")
    data, _ = read_yaml(SCENARIOS / "lac" / "baseline.yaml")
    data = copy.deepcopy(data)
    data["name"] = "lac_assistive"
    data["policies"] = [
        {
            "type": "affordability",
            "service_subsidy": 0.0,
            "device_subsidy": 0.0,
            "assistive_per_year": 10_000_000,
        }
    ]
    equipped = scenario_from_dict(data)
    gain_with, gain_without = [], []
    for seed in SEEDS[:2]:
        a = simulate(equipped, seed, HOUSEHOLDS).timeseries.loc["2023Q4"]
        b = simulate(base, seed, HOUSEHOLDS).timeseries.loc["2023Q4"]
        gain_with.append(
            a["share_internet_use:disability=with"] - b["share_internet_use:disability=with"]
        )
        gain_without.append(
            a["share_internet_use:disability=without"] - b["share_internet_use:disability=without"]
        )
    assert np.mean(gain_with) > 0.02, gain_with
    assert abs(np.mean(gain_without)) < 0.005, gain_without


# --- COVID-19 job losses -----------------------------------------------------------------


def _employment_loss(group: str) -> float:
    """Relative fall of a group's employment share, 2019Q4 to 2020Q2 (LAC baseline)."""
    after = mean_at("lac/baseline.yaml", f"share_employed:{group}", "2020Q2")
    before = mean_at("lac/baseline.yaml", f"share_employed:{group}", "2019Q4")
    return 1 - after / before


def test_covid_job_losses_fall_more_on_women():
    # ILO Monitor 7th ed.: employment loss in 2020 women 5.0% vs men 3.9%.
    women, men = _employment_loss("sex=female"), _employment_loss("sex=male")
    assert women > men, f"employment loss women {women:.3f}, men {men:.3f}"


def test_covid_job_losses_fall_more_on_youth():
    # ILO Monitor 7th ed.: youth 8.7% vs adults 3.7% (youth 15-24, adults 25+; here 25-64).
    youth, adults = _employment_loss("age=15-24"), _employment_loss("age=25-64")
    assert youth > adults, f"employment loss youth {youth:.3f}, adults {adults:.3f}"


def test_covid_job_losses_split_into_unemployment_and_leaving_the_labour_force():
    # ILO Labour Overview LAC 2020: +5.4 million unemployed, about 23 million left the labour
    # force; ECLAC/ILO 2021: participation fell almost as much as employment in 2020.
    left = mean_at("lac/baseline.yaml", "n_people_left_labour_force", "2020Q2")
    unemployed = mean_at("lac/baseline.yaml", "n_people_unemployed", "2020Q2")
    assert unemployed > 0
    assert 2.5 < left / unemployed < 8, f"left {left:.3g}, unemployed {unemployed:.3g}"
    employment = mean_at("lac/baseline.yaml", "share_employed", "2020Q2")
    participation = mean_at("lac/baseline.yaml", "share_labour_force", "2020Q2")
    before = mean_at("lac/baseline.yaml", "share_labour_force", "2019Q4")
    assert before - participation > 0.6 * (before - employment)


def test_covid_job_losses_fall_more_on_informal_workers():
    # ECLAC SR No. 9; ILO Monitor 7th ed.: informal workers were hit hardest. The indicators do
    # not break employment down by job type, so the test reads the model's persons.
    losses = {1: [], 2: []}
    for seed in SEEDS:
        model = InclusionModel(_loaded("lac/baseline.yaml"), seed=seed, households=HOUSEHOLDS)
        p = model.p
        shares: dict[int, list[float]] = {1: [], 2: []}
        for _ in ("2019Q4", "2020Q1", "2020Q2"):
            model.step()
            for job in shares:
                held = p.job == job
                shares[job].append(float(np.count_nonzero(held & p.is_employed) / held.sum()))
        assert str(model.quarter) == "2020Q2"
        for job, path in shares.items():
            losses[job].append(1 - path[-1] / path[0])
    formal, informal = float(np.mean(losses[1])), float(np.mean(losses[2]))
    assert informal > formal, f"employment loss informal {informal:.3f}, formal {formal:.3f}"


# --- affordability and the disability gap ----------------------------------------------------


def test_affordability_subsidies_alone_leave_most_of_the_disability_gap():
    # GSMA Mobile Disability Gap Report 2020: for persons with disabilities the top barrier is
    # literacy and skills, not affordability; subsidies for the two poorest quintiles alone
    # must not close most of the gap the baseline leaves.
    base = mean_at("lac/baseline.yaml", "gap_disability_internet_use")
    subsidised = mean_at("lac/affordability.yaml", "gap_disability_internet_use")
    assert subsidised > 0.5 * base, (
        f"gap 2030Q4: baseline {base:.3f}, affordability {subsidised:.3f} (closed over half)"
    )


@pytest.mark.xfail(
    strict=True,
    reason=(
        "counted over persons, the LAC baseline itself closes most of the disability gap in "
        "Internet use as use saturates: 0.202 in 2019Q4, 0.093 in 2024Q4, 0.050 in 2030Q4 "
        "(4 seeds, 3,000 households); under affordability 0.040 in 2030Q4, so below half the "
        "2019 gap"
    ),
)
def test_the_disability_gap_under_affordability_stays_above_half_its_2019_size():
    # The same fact against 2019: the gap persists (GSMA 2020; ITU FF2024).
    initial = mean_at("lac/baseline.yaml", "gap_disability_internet_use", "2019Q4")
    subsidised = mean_at("lac/affordability.yaml", "gap_disability_internet_use")
    assert subsidised > 0.5 * initial, (
        f"gap 2019Q4 {initial:.3f}, 2030Q4 under affordability {subsidised:.3f}"
    )


# --- connectivity without skills ---------------------------------------------------------


def test_connectivity_without_skills_leaves_a_meaningful_connectivity_gap():
    # Coverage makes meaningful use possible; skills and income still decide it (ITU FF2021;
    # Whitacre, Strover & Gallardo 2015: most of the rural gap is demand, not availability).
    # Each gap is held against its own 2019 size, as a difference of shares (a ratio of small
    # shares, 0.49 / 0.09 in 2019, exaggerates it): at least 40% of the urban-rural difference
    # (about 0.20 in LAC) and of the richest fifth's lead over the poorest (about 0.40) remains
    # in 2030 under coverage alone.
    def lead(quarter: str = "2030Q4") -> float:
        q5 = mean_at("lac/connectivity.yaml", "share_meaningful:quintile=5", quarter)
        return q5 - mean_at("lac/connectivity.yaml", "share_meaningful:quintile=1", quarter)

    urban_rural = mean_at("lac/connectivity.yaml", "diff_urban_rural_meaningful")
    start = mean_at("lac/connectivity.yaml", "diff_urban_rural_meaningful", "2019Q4")
    assert lead() >= 0.4 * lead("2019Q4"), (
        f"richest minus poorest fifth, meaningful use: {lead('2019Q4'):.3f} in 2019Q4, "
        f"{lead():.3f} in 2030Q4"
    )
    assert urban_rural >= 0.4 * start, (
        f"urban - rural meaningful connectivity: {start:.3f} in 2019Q4, {urban_rural:.3f} in 2030Q4"
    )


LARGE = (10_000, 6)
"""Households and seeds of the runs whose effects are too small to read at the default size."""


def _skills_on_top(indicator: str, size: tuple[int, int] = (HOUSEHOLDS, len(SEEDS))) -> np.ndarray:
    on = _runs("lac/connectivity+skills", *size)
    off = _runs("lac/connectivity.yaml", *size)
    return np.array(
        [a.loc[END, indicator] - b.loc[END, indicator] for a, b in zip(on, off, strict=True)]
    )


def assert_narrows(indicator: str, size: tuple[int, int] = (HOUSEHOLDS, len(SEEDS))) -> None:
    """The paired change is negative by more than twice its standard error over the seeds, so
    a change of sign from seed noise alone neither passes nor fails the fact."""
    diff = _skills_on_top(indicator, size)
    se = diff.std(ddof=1) / np.sqrt(diff.size)
    assert diff.mean() + 2 * se < 0, (
        f"{indicator}: skills on top changes it by {diff.round(4)} "
        f"(mean {diff.mean():.4f}, standard error {se:.4f})"
    )


def test_skills_training_on_top_of_connectivity_narrows_the_income_gap_in_meaningful_use():
    # about -0.0015 of the Q5/Q1 ratio in 2030Q4 (standard error 0.0007): read with 6 seeds x
    # 10,000 households
    assert_narrows("ratio_q5_q1_meaningful", LARGE)


def test_skills_training_on_top_of_connectivity_narrows_the_urban_rural_meaningful_gap():
    # about -0.0010 in 2030Q4 (standard error 0.0005): small, since new coverage reaches people
    # over four years and meaningful use needs a meaningful home plan, which skills move only
    # weakly; read with 6 seeds x 10,000 households
    assert_narrows("diff_urban_rural_meaningful", LARGE)
