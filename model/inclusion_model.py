"""``InclusionModel``: the Mesa model that owns the households and runs the quarters."""

from __future__ import annotations

import mesa
import numpy as np
import pandas as pd

from model.calendar import Quarter
from model.households import Households
from model.indicators import Cells, household_indicators
from model.loader import LoadedScenario
from model.params import defaults
from model.policies.base import Context, Levers
from model.policies.registry import build_policy
from model.population import synthesise_checked
from model.rules import connectivity as conn
from model.rules import income as inc
from model.rules import labour, schooling, skills
from model.rules.network import build_peers, peer_share
from model.run import RunResult
from model.streams import Streams

COVID_PULL_FROM = schooling.SCHOOLS_CLOSED[0]
"""First quarter of the lasting pull of the lockdowns (services moved online and stayed)."""


class InclusionModel(mesa.Model):
    """Households of one region under one policy scenario, quarter by quarter.

    Args:
        loaded: validated scenario with its region and policies.
        seed: run seed; every stochastic decision draws from its own named stream of it.
        households: simulated households (default: the scenario's ``households``).

    """

    def __init__(
        self, loaded: LoadedScenario, seed: int = 0, households: int | None = None
    ) -> None:
        super().__init__(rng=seed)
        sc = loaded.scenario
        self.loaded = loaded
        self.seed = seed
        self.pars = defaults() | sc.parameters
        self.streams = Streams(seed)
        n = households or sc.households
        self.h: Households = synthesise_checked(
            loaded.region, n, seed, f"region '{loaded.region.name}'", self.pars
        )
        self.start = sc.start
        self.end = sc.end
        self.quarter = sc.start
        self.base_prices = conn.Prices(
            loaded.region.prices.basic_monthly.value,
            loaded.region.prices.meaningful_monthly.value,
            loaded.region.prices.device.value,
        )
        self.shock = {
            Quarter.parse(str(q)): v for q, v in loaded.region.labour_shock.hours_lost.items()
        }
        self.policies = [build_policy(c, self.pars, n) for c in loaded.policies]
        _unique_names(self.policies)
        self.spend = {p.name: 0.0 for p in self.policies}
        self.levers = Levers(n)
        h = self.h
        group = h.is_rural.astype(np.int32) * 5 + h.quintile
        self.peers = build_peers(group, self.streams("network"), homophily=self.pars["homophily"])
        self.poverty_line = 0.0
        self._set_2019_references()
        self.employed = h.is_employed.copy()
        self.cells = Cells(h)
        self.child_quarters_lost = 0.0
        self.scheduled_loss = 0.0
        self.indicators: dict[str, float] = {}
        self.worst_label = ""
        self._measure()
        self.datacollector = mesa.DataCollector(
            model_reporters={name: _reporter(name) for name in self.indicators}
        )
        self.running = True

    # --- schedule ---------------------------------------------------------------------

    def step(self) -> None:
        """Advance one quarter.

        The order is part of the model:

        1. policies act (coverage, prices and subsidies, training places, regulation);
        2. the economy moves: the COVID-19 shock and recovery, platform work, labour income;
        3. households decide: connect, upgrade or drop; skills grow with use and training
           and fade without;
        4. transfers and poverty update; children's remote learning is recorded;
        5. indicators are collected.
        """
        self.quarter = self.start + (self.steps - 1)
        self.act_policies()
        self.move_economy()
        self.decide_connection()
        self.update_skills()
        self.update_welfare()
        self._measure()
        self.datacollector.collect(self)
        if self.quarter >= self.end:
            self.running = False

    def run(self, quarters: int | None = None) -> None:
        """Step to the scenario's end, or for ``quarters`` steps."""
        total = (self.end - self.start + 1) if quarters is None else quarters
        for _ in range(total):
            if not self.running:
                break
            self.step()

    # --- 1. policies --------------------------------------------------------------------

    def act_policies(self) -> None:
        """Reset the levers, then let every policy in force act on them and the households."""
        self.levers = Levers(self.h.n)
        prices = self.prices()
        price_dict = {
            "basic": prices.basic,
            "meaningful": prices.meaningful,
            "device": prices.device,
        }
        for policy in self.policies:
            if not policy.in_force(self.quarter):
                continue
            rng = self.streams.quarterly(f"policy.{policy.name}", self.steps)
            ctx = Context(self.quarter, self.steps - 1, price_dict, rng)
            self.spend[policy.name] += policy.act(self.h, self.levers, ctx)

    def prices(self) -> conn.Prices:
        """Market prices this quarter (before the policy price factor and subsidies)."""
        years = (self.quarter - self.start) / 4
        return conn.market_prices(self.base_prices, years, self.pars["price_decline_per_year"], 1.0)

    # --- 2. economy -------------------------------------------------------------------------

    def move_economy(self) -> None:
        """COVID-19 job losses and rehiring, platform work, and labour income.

        Losses are scheduled against the shock path without protection
        (``self.scheduled_loss``), so jobs that telework protection saves stay saved rather
        than being taken from other workers in a later quarter.
        """
        h, p, lv = self.h, self.pars, self.levers
        hours_lost = self.shock.get(self.quarter, 0.0)
        jobs_target = p["jobs_per_hour_lost"] * hours_lost
        had_job = h.job > 0
        jobs_2019 = float(np.sum(h.weight * had_job))
        lost_now = float(np.sum(h.weight * h.lost_job)) / max(jobs_2019, 1e-12)
        u = self.streams.quarterly("labour.loss", self.steps).random(h.n)
        if jobs_target > self.scheduled_loss:
            rel = labour.relative_loss_risk(
                h.job == 2, h.is_high_impact, h.is_female, h.age_group == 0, h.has_disability, p
            )
            protected = labour.telework_protected(
                h.is_teleworkable,
                h.connection,
                h.skill,
                lv.telework_right,
                self.streams.quarterly("labour.telework", self.steps).random(h.n),
            )
            lost = labour.job_losses(
                had_job & ~h.lost_job,
                h.weight,
                rel,
                protected,
                (jobs_target - self.scheduled_loss) * jobs_2019,
                p["rel_loss_telework"],
                u,
            )
            h.lost_job |= lost
            self.scheduled_loss = jobs_target
        else:
            self.scheduled_loss = jobs_target
            if lost_now > jobs_target:
                back = labour.rehires(
                    h.lost_job,
                    h.has_disability,
                    p["p_rehire"],
                    p["rel_hire_disability"],
                    lv.hiring_access,
                    u,
                )
                h.lost_job &= ~back
        self._platform_work()
        hours_cut = (1 - p["jobs_per_hour_lost"]) * hours_lost
        labour_income = inc.labour_income(
            h.income_base, had_job, h.lost_job, hours_cut, p["share_income_kept_jobless"]
        )
        has_gig = self.streams.quarterly("labour.gigs", self.steps).random(h.n) < min(
            lv.gig_availability, 1.0
        )
        gig_pay = labour.platform_income(
            h.income_base,
            has_gig,
            p["platform_income_share"],
            lv.platform_floor,
            lv.social_insurance,
        )
        transfer = self.poverty_line * p["transfer_share_of_line"] * h.gets_transfer
        h.income[:] = labour_income + np.where(h.is_platform, gig_pay, 0.0) + transfer
        h.is_employed[:] = (had_job & ~h.lost_job) | (h.is_platform & has_gig)
        self.employed = h.is_employed

    def _platform_work(self) -> None:
        h, p, lv = self.h, self.pars, self.levers
        able = (h.connection > 0) & (h.skill >= labour.SKILLED)
        leave = self.streams.quarterly("labour.platform_exit", self.steps).random(h.n)
        h.is_platform &= able & (leave >= p["p_platform_exit"])
        no_formal_job = (h.job != 1) | h.lost_job
        u = self.streams.quarterly("labour.platform", self.steps).random(h.n)
        h.is_platform |= labour.platform_entries(
            able & no_formal_job & ~h.is_platform,
            h.has_disability,
            p["p_platform"],
            lv.gig_availability,
            p["rel_hire_disability"],
            lv.hiring_access,
            u,
        )

    # --- 3. households decide -------------------------------------------------------------

    def decide_connection(self) -> None:
        """Connect, upgrade to meaningful use, downgrade or drop (see rules.connectivity)."""
        h, p, lv = self.h, self.pars, self.levers
        prices = conn.market_prices(
            self.base_prices,
            (self.quarter - self.start) / 4,
            p["price_decline_per_year"],
            lv.price_factor,
        )
        cost_basic, cost_meaningful = conn.monthly_cost(
            prices, lv.subsidy_service, lv.subsidy_device
        )
        wants, wants_m = self._desires(cost_basic, cost_meaningful)
        cost_now = np.where(h.connection == 2, cost_meaningful, cost_basic)
        h.connection[:] = self._transitions(wants, wants_m, cost_now / np.maximum(h.income, 1.0))

    def _desires(
        self, cost_basic: np.ndarray, cost_meaningful: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Who wants a connection, and who wants meaningful use, this quarter."""
        h, p = self.h, self.pars
        damp = conn.barrier(
            h.is_female, h.has_disability, p["rel_barrier_female"], p["rel_barrier_disability"]
        )
        years = (self.quarter - self.start) / 4
        lockdown = float(self.quarter >= COVID_PULL_FROM)
        common = p["trend_per_year"] * years + p["covid_pull"] * lockdown
        peers = peer_share(self.peers, h.connection > 0)
        pull = (
            common
            + p["beta_peer"] * (peers - h.peers_online_2019)
            + p["beta_skill"] * (h.skill - h.skill_2019)
        )
        afford = conn.unaffordability(cost_basic, h.income)
        shift = conn.utility_shift(pull, damp, afford, h.unafford_2019, p["beta_afford"])
        wants = h.has_coverage & (h.propensity + shift > 0)
        mid = p["skill_for_meaningful"]
        pull_m = common + p["beta_skill"] * (
            conn.skill_pull(h.skill, mid) - conn.skill_pull(h.skill_2019, mid)
        )
        afford_m = conn.unaffordability(cost_meaningful, h.income)
        shift_m = conn.utility_shift(
            pull_m, damp, afford_m, h.unafford_meaningful_2019, p["beta_afford"]
        )
        wants_m = wants & h.has_broadband & (h.propensity_meaningful + shift_m > 0)
        return wants, wants_m

    def _transitions(
        self, wants: np.ndarray, wants_m: np.ndarray, cost_share: np.ndarray
    ) -> np.ndarray:
        """Next connection level: partial adjustment towards the desires, and stress drops."""
        h, p = self.h, self.pars
        u = self.streams.quarterly("connect.adjust", self.steps).random(h.n)
        u_m = self.streams.quarterly("connect.upgrade", self.steps).random(h.n)
        u_s = self.streams.quarterly("connect.stress", self.steps).random(h.n)
        join, leave = conn.adjust(h.connection > 0, wants, p["rate_adjust"], u)
        up, down = conn.adjust(h.connection == 2, wants_m, p["rate_upgrade"], u_m)
        stressed = conn.stress_drop(
            h.connection, cost_share, h.income, h.income_base, p["p_drop_stress"], u_s
        )
        level = h.connection.copy()
        level[join] = 1
        level[up & (level >= 1)] = 2
        level[down & (level == 2)] = 1
        level[stressed] = np.maximum(level[stressed] - 1, 0)
        level[leave] = 0
        return level

    def update_skills(self) -> None:
        """Skills grow with use and training and fade without use."""
        h, p = self.h, self.pars
        h.skill[:] = skills.update_skills(
            h.skill, h.connection, self.levers.skill_gain, p["rate_skill_use"], p["rate_skill_fade"]
        )

    # --- 4. welfare ----------------------------------------------------------------------

    def update_welfare(self) -> None:
        """Transfers and their take-up, poverty, and children's remote learning.

        A poor household receives the transfer in a quarter with a probability that is higher
        online (digital registries) than offline (assisted channels only).
        """
        h, p = self.h, self.pars
        transfer = self.poverty_line * p["transfer_share_of_line"]
        before = h.income - transfer * h.gets_transfer
        poor_before = before < self.poverty_line
        u = self.streams.quarterly("welfare.takeup", self.steps).random(h.n)
        lv = self.levers
        h.gets_transfer[:] = inc.transfer_takeup(
            poor_before,
            h.connection > 0,
            np.maximum(p["p_takeup_online"], lv.takeup_online),
            np.maximum(p["p_takeup_offline"], lv.takeup_offline),
            u,
        )
        h.income[:] = before + transfer * h.gets_transfer
        h.is_poor[:] = h.income < self.poverty_line
        u_l = self.streams.quarterly("school.learning", self.steps).random(h.n)
        h.children_learning[:] = schooling.can_learn_remotely(
            h.n_children, h.connection, p["p_learn_basic"], u_l
        )

    # --- 5. indicators -----------------------------------------------------------------

    def _set_2019_references(self) -> None:
        h = self.h
        h.was_online_2019[:] = h.connection > 0
        h.skill_2019[:] = h.skill
        h.peers_online_2019[:] = peer_share(self.peers, h.connection > 0)
        u = self.streams("welfare.initial").random(h.n)
        everyone = np.ones(h.n, dtype=bool)
        would_take_up = inc.transfer_takeup(
            everyone,
            h.connection > 0,
            self.pars["p_takeup_online"],
            self.pars["p_takeup_offline"],
            u,
        )
        share = self.pars["transfer_share_of_line"]
        self.poverty_line = inc.poverty_line_for(
            h.income_base,
            h.weight,
            self.loaded.region.income.poverty_rate.value,
            share,
            would_take_up,
        )
        h.gets_transfer[:] = would_take_up & (h.income_base < self.poverty_line)
        h.income[:] = h.income_base + share * self.poverty_line * h.gets_transfer
        cost_basic, cost_meaningful = conn.monthly_cost(
            self.base_prices, np.zeros(h.n), np.zeros(h.n)
        )
        h.unafford_2019[:] = conn.unaffordability(cost_basic, h.income)
        h.unafford_meaningful_2019[:] = conn.unaffordability(cost_meaningful, h.income)
        h.is_poor[:] = h.income < self.poverty_line
        h.children_learning[:] = schooling.can_learn_remotely(
            h.n_children,
            h.connection,
            self.pars["p_learn_basic"],
            self.streams("school.initial").random(h.n),
        )

    def _measure(self) -> None:
        """Compute this quarter's indicators (read by the DataCollector's reporters)."""
        values, worst = household_indicators(self.h, self.cells, self.employed, self.poverty_line)
        closed = schooling.schools_closed(self.quarter) and self.steps > 0
        missed = values["n_children_no_remote_learning"] if closed else 0.0
        self.child_quarters_lost += missed
        values["n_children_cut_off_from_school"] = missed
        values["cum_child_quarters_cut_off"] = self.child_quarters_lost
        for policy in self.policies:
            spent = self.spend[policy.name]
            reached_new = policy.reached & (self.h.connection > 0) & ~self.h.was_online_2019
            n_new = float(np.sum(self.h.weight * reached_new))
            values[f"spend:{policy.name}"] = spent
            values[f"n_new_connected:{policy.name}"] = n_new
            values[f"cost_per_new_connected:{policy.name}"] = spent / max(n_new, 1.0)
        self.indicators = values
        self.worst_label = worst.label

    def result(self) -> RunResult:
        """The collected time series and final labels of this run."""
        frame = self.datacollector.get_model_vars_dataframe()
        quarters = [str(self.start + i) for i in range(len(frame))]
        frame.index = pd.Index(quarters, name="quarter")
        return RunResult(
            self.loaded.scenario.name,
            self.seed,
            self.h.n,
            frame.astype(float),
            {"worst_internet_use": self.worst_label},
        )


def _unique_names(policies: list) -> None:
    """Suffix repeated policy names (``affordability``, ``affordability_2``)."""
    seen: dict[str, int] = {}
    for policy in policies:
        seen[policy.name] = seen.get(policy.name, 0) + 1
        if seen[policy.name] > 1:
            policy.name = f"{policy.name}_{seen[policy.name]}"


def _reporter(name: str):
    """A DataCollector reporter returning one indicator of the current quarter."""

    def report(model: InclusionModel) -> float:
        return model.indicators[name]

    return report
