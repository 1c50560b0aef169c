"""``InclusionModel``: the Mesa model that owns the households and persons and runs the quarters."""

from __future__ import annotations

import os

import mesa
import numpy as np
import pandas as pd

from model import kernels, kernels_indicators, kernels_peers, ledger
from model.calendar import Quarter
from model.households import WORKING_AGE, Households, People, Population
from model.indicators import (
    N_STATES,
    Cells,
    IncomeOrder,
    cell_table,
    indicators,
    labour_indicators,
    meaningful_use,
)
from model.loader import LoadedScenario, load_scenario, revalidated
from model.params import defaults
from model.persons import PersonsCollector, persons_frame
from model.policies.base import Context, Levers, Policy
from model.policies.registry import build_policy
from model.population import OWN_DEVICE_AGE, synthesise_checked
from model.result import RunResult
from model.rules import connectivity as conn
from model.rules import income as inc
from model.rules import labour, schooling, skills
from model.rules.network import build_peers
from model.streams import SeedLike, Streams, resolve_run_seed

LABOUR_STREAMS = (
    "labour.loss",
    "labour.telework",
    "labour.platform",
    "labour.gigs",
    "labour.exit",
)
"""Named streams of the labour decisions, in the order the labour pass takes them."""

LOCKDOWN_FROM = schooling.SCHOOLS_CLOSED[0]
"""First quarter of the lockdowns' pull on households with a need to be online."""
SCHOOL_AGES = (5, 17)
"""Ages of the members who need a connection for remote schooling while schools are closed."""


class InclusionModel(mesa.Model):
    """Households and their members in one region under one policy scenario, quarter by quarter.

    Every stochastic decision draws from its own named stream of one integer run seed
    (:mod:`model.streams`), recorded as ``self.seed``. ``seed`` and Mesa's ``rng`` both give
    it, by the rule of :func:`model.streams.run_seed`: an integer is the run seed itself;
    ``None`` (both ``None``: what ``mesa.batch_run`` passes for each iteration) draws a fresh
    one; a numpy ``SeedSequence`` or ``Generator`` gives one deterministically.

    Args:
        loaded: validated scenario with its region and policies, or the path of a scenario
            file (loaded and validated here; handy as a ``mesa.batch_run`` parameter).
        seed: run seed, or anything Mesa's ``rng`` accepts.
        households: simulated households (default: the scenario's ``households``).
        rng: Mesa's name for ``seed``; give one or both (then they must agree).
        collect_persons: record the persons table (:meth:`persons_frame`) as Mesa agent data
            every this many quarters (0: never, the default; see
            :class:`model.persons.PersonsCollector`).

    Raises:
        ValueError: ``seed`` and ``rng`` give different run seeds, or a negative seed.

    """

    def __init__(
        self,
        loaded: LoadedScenario | str | os.PathLike[str],
        seed: SeedLike | None = None,
        households: int | None = None,
        *,
        rng: SeedLike | None = None,
        collect_persons: int = 0,
    ) -> None:
        seed = resolve_run_seed(seed, rng)
        if not isinstance(loaded, LoadedScenario):
            loaded = load_scenario(loaded)
        super().__init__(rng=seed)
        loaded = revalidated(loaded)  # a copy changed in code meets the YAML's checks too
        sc = loaded.scenario
        self.loaded = loaded
        self.seed = seed
        self.pars = defaults() | sc.parameters
        self.streams = Streams(seed)
        n = households or sc.households
        self.pop: Population = synthesise_checked(
            loaded.region, n, seed, f"region '{loaded.region.name}'", self.pars
        )
        self.h: Households = self.pop.h
        self.p: People = self.pop.p
        self.start = sc.start
        self.end = sc.end
        self.quarter = sc.start
        self.base_prices = conn.Prices(
            loaded.region.prices.basic_monthly.value,
            loaded.region.prices.meaningful_monthly.value,
            loaded.region.prices.device.value,
        )
        self.schools_window = schooling.closure(int(loaded.region.schooling.quarters_closed.value))
        self.shock = {
            Quarter.parse(str(q)): v for q, v in loaded.region.labour_shock.hours_lost.items()
        }
        self.ramp_keys = (
            self.streams.lasting_key("coverage.ramp.household"),
            self.streams.lasting_key("coverage.ramp.person"),
        )
        self.takeup_key = self.streams.lasting_key("welfare.takeup")
        self.policies = [build_policy(c, self.pars, self.pop) for c in loaded.policies]
        _unique_names(self.policies)
        self.spend = {p.name: 0.0 for p in self.policies}
        """US$ each policy has spent so far (all items; the items are in its ``account``)."""
        self.discount_rate = sc.discount_rate
        self.levers = Levers(self.h.n, self.p.n)
        h = self.h
        group = h.is_rural.astype(np.int32) * 5 + h.quintile
        self.peers = build_peers(group, self.streams("network"), homophily=self.pars["homophily"])
        self._peers_seen: np.ndarray | None = None
        self.poverty_line = 0.0
        self._set_2019_references()
        self.meaningful = meaningful_use(self.pop)
        self.cells = Cells(self.pop)
        self._state_counts = np.zeros(self.cells.n_cells * N_STATES, dtype=np.int64)
        self._last_states = np.zeros(self.p.n, dtype=np.uint8)
        self._states_fresh = True
        self._states_counted = False
        self._poverty_changed = np.empty(self.h.n, dtype=np.int64)
        self._members = _members(self.p.household, self.h.n)
        self.income_order = IncomeOrder(h.income / h.size)
        self.child_quarters_lost = 0.0
        self.scheduled_loss = 0.0
        self.indicators: dict[str, float] = {}
        self.worst_label = ""
        self._measure()
        self.datacollector = PersonsCollector(
            {name: _reporter(name) for name in self.indicators}, collect_persons
        )
        self.running = True

    # --- schedule ---------------------------------------------------------------------

    def step(self) -> None:
        """Advance one quarter.

        The order is part of the model:

        1. policies act (coverage, prices and subsidies, training places, regulation);
        2. the economy moves: the COVID-19 shock and recovery, platform work, earnings;
        3. households decide on the home connection (connect, upgrade, drop); then each
           person uses the Internet or not, and skills grow with use and training and fade
           without;
        4. transfers and poverty update; children's remote learning is recorded;
        5. indicators are collected.

        The use pass (3) also counts persons per cell and state for the indicators, with
        poverty as it stood; welfare (4) then moves the members of households whose
        poverty changed (:func:`model.kernels.move_poor_states`).
        """
        self.quarter = self.start + (self.steps - 1)
        self.act_policies()
        self.move_economy()
        self.decide_connection()
        self.use_and_learn(count_states=True)
        self.update_welfare()
        self.pay_transfers()
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

    def draws(self, name: str, n: int) -> np.ndarray:
        """Uniform draws this quarter of decision ``name`` (its own stream)."""
        return kernels.uniforms(self.key(name), n)

    def takeup_draws(self) -> np.ndarray:
        """Each household's take-up draw, the same in every quarter of the run.

        Take-up is a trait of the household (it is registered and knows how to claim, or
        not), so a household that receives the transfer keeps receiving it while it is poor and its
        chance holds; a chance raised by policy reaches the households whose draws lie
        between the old chance and the new one.
        """
        return kernels.uniforms(self.takeup_key, self.h.n)

    # --- 1. policies --------------------------------------------------------------------

    def act_policies(self) -> None:
        """Reset the levers, then let every policy in force act on them and the population.

        A policy whose window has ended still pays the upkeep of what it built
        (:meth:`model.policies.base.Policy.upkeep`): coverage stays, and so do its running
        costs.
        """
        self.levers.reset()
        prices = self.prices()
        price_dict = {
            "basic": prices.basic,
            "meaningful": prices.meaningful,
            "device": prices.device,
        }
        for policy in self.policies:
            acts = policy.in_force(self.quarter)
            if not acts and self.quarter <= policy.config.end:
                continue
            rng = self.streams.quarterly(f"policy.{policy.name}", self.steps)
            ctx = Context(
                self.quarter,
                self.steps - 1,
                price_dict,
                rng,
                allowance=ledger.allowance(
                    policy.config.budget_per_year if acts else None,
                    policy.account.by_year.get(self.quarter.year, 0.0),
                    self.quarter.q,
                ),
                transfer_per_person=self.poverty_line * self.pars["transfer_share_of_line"],
                poverty_line=self.poverty_line,
                order_rng=self.streams(f"policy.{policy.name}.order"),
            )
            if acts:
                self.book(policy, policy.act(self.pop, self.levers, ctx))
            else:
                self.book(policy, policy.upkeep(self.pop, ctx))

    def book(self, policy: Policy, spending: ledger.Spending) -> None:
        """Add one quarter's spending of ``policy`` to its account and to :attr:`spend`."""
        discount = ledger.discount_factor(self.discount_rate, self.steps - 1)
        self.spend[policy.name] += policy.account.book(
            spending, year=self.quarter.year, discount=discount
        )

    def prices(self) -> conn.Prices:
        """Market prices this quarter (before the policy price factor and subsidies)."""
        return conn.market_prices(self.base_prices, self.price_index(), 1.0)

    def price_index(self) -> float:
        """Market price this quarter relative to the start (see :func:`conn.price_index`)."""
        return conn.price_index(
            self.start,
            self.quarter,
            self.pars["price_decline_per_year"],
            self.pars["price_decline_measured"],
        )

    # --- 2. economy -------------------------------------------------------------------------

    def move_economy(self) -> None:
        """COVID-19 job losses and rehiring, platform work, and household income.

        Losses are scheduled against the shock path without protection
        (``self.scheduled_loss``), so jobs that telework protection saves stay saved rather
        than being taken from other workers in a later quarter. The rules run as compiled
        passes (:func:`model.kernels.labour_quarter`): the shock's over the persons it can
        change this quarter (:meth:`_shock_rows`; in a lockdown or loss quarter, every person
        15+ in the market's pass), the market's over every person 15+.
        """
        h, p, pars, lv = self.h, self.p, self.pars, self.levers
        hours_lost = self.shock.get(self.quarter, 0.0)
        jobs_target = pars["jobs_per_hour_lost"] * hours_lost
        jobs_2019 = self.workers.size * self.pop.weight
        scale, rehire = 0.0, False
        if jobs_target > self.scheduled_loss:
            at_risk = self.workers[~p.lost_job[self.workers]]
            exposure = float(self.rel_loss[at_risk].sum()) * self.pop.weight
            wanted = (jobs_target - self.scheduled_loss) * jobs_2019
            scale = wanted / exposure if exposure > 0 else 0.0
        else:
            rehire = np.count_nonzero(p.lost_job) * self.pop.weight > jobs_target * jobs_2019
        self.scheduled_loss = jobs_target
        shock_rows = self._shock_rows(scale > 0 or hours_lost > 0, rehire)
        cover = lv.labour_cover if lv.labour_cover is not None else np.zeros(1, dtype=np.uint8)
        table = lv.labour_table()
        paid = np.zeros(len(table))
        kernels.labour_quarter(
            (
                p.household,
                p.age,
                p.job,
                p.earnings_base,
                self.platform_reference,
                self.rel_loss,
                p.is_teleworkable,
                p.has_disability,
            ),
            (
                p.lost_job,
                p.is_platform,
                p.is_employed,
                p.is_online,
                p.skill,
                p.left_labour_force,
                p.works_from_home,
            ),
            h.connection,
            (
                scale,
                pars["rel_loss_telework"],
                rehire,
                pars["p_rehire"],
                (1 - pars["jobs_per_hour_lost"]) * hours_lost,
                pars["share_income_kept_jobless"],
                pars["share_losers_leaving"],
                pars["p_return_work"],
                pars["share_telework_basic"],
            ),
            (
                labour.SKILLED,
                pars["p_platform_exit"],
                pars["p_platform"],
                pars["rel_hire_disability"],
                pars["platform_income_share"],
            ),
            (cover, table, paid),
            tuple(self.key(name) for name in LABOUR_STREAMS),
            self._earnings,
            self.labour_counts,
            shock_rows,
        )
        self.pay_insurance(paid)
        self.insured = self._insured(cover, table) if hours_lost > 0 else None
        kernels.household_income(
            h.nonlabour_base,
            self._earnings,
            h.size,
            h.gets_transfer,
            self.poverty_line * pars["transfer_share_of_line"],
            h.income,
        )

    def _insured(self, cover: np.ndarray, table: np.ndarray) -> np.ndarray | None:
        """Households with a member paid social insurance for a lost job this quarter.

        None when no regulation in force pays insurance. Read only by the lockdown pull, so
        computed only in quarters with hours lost; one compiled pass over the workers
        (:func:`model.kernels.households_insured`).
        """
        if not (table[:, 1] > 0).any():
            return None
        p = self.p
        insured = np.empty(self.h.n, dtype=bool)
        kernels.households_insured(
            self.workers, p.household, p.lost_job, cover, np.ascontiguousarray(table[:, 1]), insured
        )
        return insured

    def _shock_rows(self, shock: bool, rehire: bool) -> np.ndarray | None:
        """The persons whose job the shock's rules can change this quarter.

        Every worker in a quarter of lockdown or losses (None: the labour pass then runs
        the shock's rules over every person 15+ with the market's); those who lost their job
        while rehiring; else none. Once a lockdown is over, nobody works from home.
        """
        p = self.p
        if shock:
            return None
        if self.labour_counts[kernels.LABOUR_COUNTS.index("from_home")] > 0:
            p.works_from_home[:] = False
        if rehire:
            return np.flatnonzero(p.lost_job)
        return np.empty(0, dtype=np.int64)

    def key(self, name: str) -> np.uint64:
        """Key of decision ``name`` in the current quarter, for counter-based draws."""
        return self.streams.key(name, self.steps)

    def pay_insurance(self, paid: np.ndarray) -> None:
        """Book this quarter's social-insurance payments to the regulations that owe them.

        ``paid`` holds US$ a month per simulated person's cover code; a quarter is three
        months of real persons. A person covered by several regulations is paid the most
        generous insurance, and its cost is shared equally among them.
        """
        owners = self.levers.labour_owners
        owed = dict.fromkeys(owners, 0.0)
        for code in np.flatnonzero(paid):
            bits = [j for j in range(len(owners)) if code >> j & 1]
            for j in bits:
                owed[owners[j]] += 3 * self.pop.weight * float(paid[code]) / len(bits)
        for policy in self.policies:
            if owed.get(policy.name):
                self.book(policy, {"insurance": owed[policy.name]})

    def pay_transfers(self) -> None:
        """Book the transfers paid this quarter only because a policy raised take-up.

        Take-up draws are shared by every scenario with the seed (common random numbers), so a
        household receiving the transfer whose draw lies above the take-up chance without
        policy received it because of the policy. Where several social-protection policies
        raise a household's take-up, its extra transfer is shared equally among them.
        """
        payers = [q for q in self.policies if "transfers" in q.items and q.in_force(self.quarter)]
        if not payers:
            return
        h, pars = self.h, self.pars
        base = np.where(h.connection > 0, pars["p_takeup_online"], pars["p_takeup_offline"])
        extra = h.gets_transfer & (self.takeup_draws() >= base)
        per_person = self.poverty_line * pars["transfer_share_of_line"]
        owed = np.where(extra, 3 * self.pop.weight * per_person * h.size, 0.0)
        sharing = np.sum([q.active for q in payers], axis=0)
        owed /= np.maximum(sharing, 1)
        for q in payers:
            self.book(q, {"transfers": float(owed[q.active].sum())})

    # --- 3. households and persons decide ---------------------------------------------------

    def decide_connection(self) -> None:
        """Connect, upgrade to a meaningful plan, downgrade or drop.

        The rules of :mod:`model.rules.connectivity` in one compiled pass over households
        (:func:`model.kernels.connection_quarter`).
        """
        h, pars, lv = self.h, self.pars, self.levers
        self.need = self.lockdown_pull()
        self.advance_coverage_ramp()
        prices = conn.market_prices(self.base_prices, self.price_index(), lv.price_factor)
        kernels.connection_quarter(
            (
                h.propensity,
                h.propensity_meaningful,
                h.coverage_ramp,
                h.has_broadband,
                h.income_base,
                h.peers_online_2019,
                h.skill_2019,
                self.ready_2019,
                h.unafford_2019,
                h.unafford_meaningful_2019,
            ),
            (h.income, self._peer_share(), h.skill_mean, self.need),
            (
                prices.basic,
                prices.meaningful,
                prices.device,
                lv.subsidy_service,
                lv.subsidy_device,
                self.device_months(),
            ),
            (
                self.common_pull(),
                pars["beta_peer"],
                pars["beta_skill"],
                pars["beta_afford"],
                pars["nonprice_cost_share"],
                pars["skill_for_meaningful"],
                pars["rate_adjust"],
                pars["rate_upgrade"],
                pars["p_drop_stress"],
                conn.STRESS_SHARE,
            ),
            (
                self.key("connect.adjust"),
                self.key("connect.upgrade"),
                self.key("connect.stress"),
                self.ramp_keys[0],
            ),
            h.connection,
        )

    def device_months(self) -> np.ndarray:
        """Months over which each household pays a device this quarter.

        Instalments for households with credit or offered instalments by a policy; the
        rest pay up front (:func:`model.rules.connectivity.device_months`).
        """
        if not self.levers.instalments.any():
            return self.months_2019
        return conn.device_months(self.h.has_credit | self.levers.instalments)

    def advance_coverage_ramp(self) -> None:
        """Newly covered households move ``1 / (4 * coverage_ramp_years)`` up their ramp a quarter.

        Coverage a policy builds reaches households and persons over years, not at once
        (:func:`model.rules.connectivity.advance_ramp`); coverage present in 2019 is
        established (ramp 1).
        """
        h = self.h
        ramping = np.flatnonzero(h.has_coverage & (h.coverage_ramp < 1))
        if ramping.size:
            h.coverage_ramp[ramping] = conn.advance_ramp(
                h.coverage_ramp[ramping], self.pars["coverage_ramp_years"]
            )

    def common_pull(self) -> float:
        """Pull towards being online shared by every household and person (logit).

        The residual secular trend per year since the start: what no mechanism explains.
        """
        return self.pars["trend_per_year"] * (self.quarter - self.start) / 4

    def lockdown_pull(self) -> np.ndarray:
        """Each household's pull to be online from the needs the lockdowns created (logit).

        From 2020Q2: ``pull_school`` for a household with members aged 5-17 while schools
        are closed (the region's closure period, ``self.schools_window``); while the lockdown
        cuts working hours, ``pull_telework`` for one with a worker in a teleworkable job and
        ``pull_transfer`` for one receiving public income support paid through apps and
        accounts: a transfer (as of the last welfare update, since households decide on the
        connection before this quarter's transfers) or a labour regulation's insurance for a
        member's lost job (this quarter's), so that insurance which lifts a household above
        the poverty line does not take the pull of the transfer it replaces away. The school
        pull reaches only a household with electricity at home (``self.learns_online``;
        :func:`model.rules.connectivity.electricity_at_home`): lessons online need devices
        kept charged for hours a day, and children in homes without power were reached by
        radio if at all (UNICEF, August 2020). Once a need has passed, ``pull_persist`` of the
        household's largest pull so far stays. Updates ``self.need_peak``.
        """
        h, pars, q = self.h, self.pars, self.quarter
        pull = np.zeros(h.n, dtype=np.float32)
        if q < LOCKDOWN_FROM:
            return pull
        if schooling.schools_closed(q, self.schools_window):
            pull += np.float32(pars["pull_school"]) * self.learns_online
        if self.shock.get(q, 0.0) > 0:
            pull += np.float32(pars["pull_telework"]) * self.has_teleworker
            paid = h.gets_transfer if self.insured is None else h.gets_transfer | self.insured
            pull += np.float32(pars["pull_transfer"]) * paid
        np.maximum(self.need_peak, pull, out=self.need_peak)
        return np.maximum(pull, np.float32(pars["pull_persist"]) * self.need_peak)

    def _peer_share(self) -> np.ndarray:
        """Share of each household's social neighbours with a home connection.

        Counted in full the first time; afterwards only the households that name a
        household whose connection came or went since are updated
        (:func:`model.kernels_peers.update_peer_share`). The array is reused: read it before the
        next call.
        """
        connected = (self.h.connection > 0).view(np.uint8)
        if self._peers_seen is None:
            n = self.h.n
            self._peer_counts = np.empty(n, dtype=np.int64)
            self._peer_out = np.empty(n, dtype=np.float32)
            kernels_peers.peer_counts(self.peers, connected, self._peer_counts, self._peer_out)
            self._peers_seen = connected.copy()
            self._peers_reverse = kernels_peers.reverse_peers(self.peers)
        else:
            kernels_peers.update_peer_share(
                self._peers_reverse,
                self.peers.shape[1],
                connected,
                self._peers_seen,
                self._peer_counts,
                self._peer_out,
            )
        return self._peer_out

    def use_and_learn(self, count_states: bool = False) -> None:
        """Each person uses the Internet or not; skills grow with use and training.

        Use follows :func:`model.rules.connectivity.person_uses` (the raked latent, the shift
        of the home connection, and the residual trend (:meth:`common_pull`), the household's
        lockdown need (:meth:`lockdown_pull`) and the pull of skills gained since 2019, damped
        for women (:func:`model.rules.connectivity.women_new_access`: where the region's
        ``women_device_access`` is below 1, a woman 13+ without a device of her own stays at
        her 2019 access until a rising share gives her one: :meth:`release_women`), less
        the disability barrier of persons without assistive technology); a person 13+ who
        comes online without the household's computer buys a smartphone.
        Skills then grow with use (twice as fast with meaningful use), fade without it, and
        gain what training completed this quarter gives
        (:func:`model.rules.skills.update_skills`). One compiled pass over persons
        (:func:`model.kernels.use_and_skills`); household mean skills of members 15+ follow.

        Args:
            count_states: also count persons per cell and state for this quarter's
                indicators in the same pass (read by :meth:`_measure`).

        """
        h, p, pars = self.h, self.p, self.pars
        self.release_women()
        kernels.use_and_skills(
            p.household,
            h.connection,
            self.connection_2019,
            h.has_computer,
            h.coverage_ramp,
            self.ramp_keys[1],
            p.age,
            p.use_latent,
            self.damp,
            (self.women_held, np.float32(0.0 if self.women_access < 1.0 else 1.0)),
            (p.has_disability, p.has_assistive, np.float32(pars["disability_use_barrier"])),
            self.common_pull(),
            self.need,
            pars["beta_skill"],
            p.skill_2019,
            conn.HOME_USE_SHIFT,
            skills.USE_BY_CONNECTION,
            self.levers.skill_gain,
            pars["rate_skill_use"],
            pars["rate_skill_fade"],
            OWN_DEVICE_AGE,
            WORKING_AGE,
            p.skill,
            p.is_online,
            p.has_smartphone,
            self.meaningful,
            self._adult_skill,
            self._states() if count_states else None,
        )
        self._states_counted = count_states
        self._states_fresh = self._states_fresh and not count_states
        np.divide(self._adult_skill, self._adults_at_least_one, out=h.skill_mean)

    def release_women(self) -> None:
        """Women who gain a device of their own this quarter, as the region's share rises.

        Where ``women_device_access`` is given by year, the share this quarter
        (:meth:`model.schema.YearlyShareFigure.at`) releases the held women whose fixed draw now
        lies below it (:func:`model.rules.connectivity.release_held`): from this quarter each
        takes up new access as a man does, with the pull gathered since 2019.
        """
        if self.device_draw is None:
            return
        access = self.access_figure.at(_mid_quarter(self.quarter))
        if access > self.women_access:
            self.women_access = access
            conn.release_held(self.women_held, self.damp, self.device_draw, access)

    def _states(self) -> tuple:
        """What the use pass needs to count persons per cell and state.

        The counts are kept from quarter to quarter with each person's state as last
        counted; the first counting pass makes them afresh.
        """
        return (
            self.cells.code,
            self.p.is_employed,
            self.h.is_poor,
            self._state_counts,
            self._last_states,
            self._states_fresh,
        )

    # --- 4. welfare ----------------------------------------------------------------------

    def update_welfare(self) -> None:
        """Transfers and their take-up, poverty, and children's remote learning.

        A poor household receives the transfer in a quarter with a probability that is higher
        with a home connection (digital registries) than without (assisted channels only).
        The rules of :mod:`model.rules.income` and :mod:`model.rules.schooling` in one
        compiled pass over households (:func:`model.kernels.welfare_quarter`).
        """
        h, pars, lv = self.h, self.pars, self.levers
        n_changed = kernels.welfare_quarter(
            h.size,
            h.n_children,
            h.connection,
            (
                pars["p_takeup_online"],
                lv.takeup_online,
                pars["p_takeup_offline"],
                lv.takeup_offline,
            ),
            (self.poverty_line, self.poverty_line * pars["transfer_share_of_line"]),
            _as_compared_with_draws(pars["p_learn_basic"]),
            (self.takeup_key, self.key("school.learning")),
            h.income,
            h.gets_transfer,
            h.is_poor,
            h.children_learning,
            self._poverty_changed,
        )
        if self._states_counted:
            kernels.move_poor_states(
                self._poverty_changed[:n_changed],
                self._members,
                self._last_states,
                h.is_poor,
                self.cells.code,
                self._state_counts,
            )

    # --- 2019 references and indicators ------------------------------------------------------

    def _set_2019_references(self) -> None:
        h, p, pars = self.h, self.p, self.pars
        self.n_adults = p.household_sum(p.is_working_age, h.n)
        self._adults_at_least_one = np.maximum(self.n_adults, 1)
        school_age = (p.age >= SCHOOL_AGES[0]) & (p.age <= SCHOOL_AGES[1])
        self.has_school_age = p.household_sum(school_age, h.n) > 0
        self.has_teleworker = p.household_sum(p.is_teleworkable & (p.job > 0), h.n) > 0
        self.need_peak = np.zeros(h.n, dtype=np.float32)
        power = self.loaded.region.electricity
        self.has_electricity = conn.electricity_at_home(
            h.is_rural,
            h.connection > 0,
            (power.urban.value, power.rural.value),
            self.streams("electricity.home").random(h.n),
        )
        self.learns_online = self.has_school_age & self.has_electricity
        self.insured: np.ndarray | None = None
        self.need = np.zeros(h.n, dtype=np.float32)
        self.workers = np.flatnonzero(p.job > 0)
        self.access_figure = self.loaded.region.composition.women_device_access
        self.women_access = self.access_figure.at(_mid_quarter(self.start))
        device_draw = self.streams("women.device_access").random(p.n)
        self.women_held, self.damp = conn.women_new_access(
            p.is_female,
            p.age,
            device_draw,
            self.women_access,
            pars["rel_barrier_female"],
            OWN_DEVICE_AGE,
        )
        rises = self.women_access < 1.0 and len(self.access_figure.by_year) > 1
        self.device_draw = device_draw if rises else None
        self.connection_2019 = h.connection.copy()
        self.rel_loss = labour.relative_loss_risk(
            p.job == 2,
            p.is_high_impact,
            p.is_female,
            (p.age >= 15) & (p.age <= 24),
            p.has_disability,
            pars,
        )
        self.platform_reference = np.where(
            p.earnings_base > 0, p.earnings_base, (h.income_base / h.size)[p.household]
        ).astype(np.float32)
        h.was_online_2019[:] = h.connection > 0
        p.was_online_2019[:] = p.is_online
        p.skill_2019[:] = p.skill
        adult_skill = np.where(p.is_working_age, p.skill, 0.0)
        h.skill_mean[:] = p.household_sum(adult_skill, h.n) / np.maximum(self.n_adults, 1)
        h.skill_2019[:] = h.skill_mean
        self.ready_2019 = conn.skill_pull(h.skill_2019, pars["skill_for_meaningful"])
        self._adult_skill = np.zeros(h.n, dtype=np.float64)
        self._earnings = np.zeros(h.n, dtype=np.float64)
        self.labour_counts = np.zeros(len(kernels.LABOUR_COUNTS), dtype=np.int64)
        self.labour_counts[:2] = np.count_nonzero(p.is_working_age), np.count_nonzero(p.job > 0)
        h.peers_online_2019[:] = self._peer_share()
        everyone = np.ones(h.n, dtype=bool)
        would_take_up = inc.transfer_takeup(
            everyone,
            h.connection > 0,
            pars["p_takeup_online"],
            pars["p_takeup_offline"],
            self.takeup_draws(),
        )
        share = pars["transfer_share_of_line"]
        self.poverty_line = inc.poverty_line_for(
            h.income_base / h.size,
            h.size.astype(float),
            self.loaded.region.income.poverty_rate.value,
            share,
            would_take_up,
        )
        h.gets_transfer[:] = would_take_up & (h.income_base < self.poverty_line * h.size)
        h.income[:] = h.income_base + share * self.poverty_line * h.size * h.gets_transfer
        self.months_2019 = conn.device_months(h.has_credit)
        cost_basic, cost_meaningful = conn.monthly_cost(
            self.base_prices, np.zeros(h.n), np.zeros(h.n), self.months_2019
        )
        nonprice = pars["nonprice_cost_share"]
        h.unafford_2019[:] = conn.log_cost_share(cost_basic, h.income, nonprice)
        h.unafford_meaningful_2019[:] = conn.log_cost_share(cost_meaningful, h.income, nonprice)
        h.is_poor[:] = h.income < self.poverty_line * h.size
        h.children_learning[:] = schooling.can_learn_remotely(
            h.n_children,
            h.connection,
            pars["p_learn_basic"],
            self.streams("school.initial").random(h.n),
        )

    def _measure(self) -> None:
        """Compute this quarter's indicators (read by the DataCollector's reporters)."""
        table = None
        if self._states_counted:
            table = self._state_counts.reshape(self.cells.n_cells, N_STATES)
            self._states_counted = False
        values, worst = indicators(
            self.pop, self.cells, self.poverty_line, self.income_order, self.meaningful, table
        )
        closed = schooling.schools_closed(self.quarter, self.schools_window) and self.steps > 0
        missed = values["n_children_no_remote_learning"] if closed else 0.0
        self.child_quarters_lost += missed
        values["n_children_cut_off_from_school"] = missed
        values["cum_child_quarters_cut_off"] = self.child_quarters_lost
        values.update(labour_indicators(self.labour_counts, self.pop.weight))
        values.update(self._policy_indicators())
        self.indicators = values
        self.worst_label = worst.label

    def _policy_indicators(self) -> dict[str, float]:
        """Spending and what it reached, per policy (cumulative).

        New home connections and new users since 2019 reached by each policy come from one
        compiled pass (:func:`model.kernels_indicators.policy_reach`).
        """
        if not self.policies:
            return {}
        h, p, w = self.h, self.p, self.pop.weight
        by_home = [q for q in self.policies if q.level != "person"]
        by_person = [q for q in self.policies if q.level == "person"]
        homes, people = kernels_indicators.policy_reach(
            p.household,
            p.is_online.view(np.uint8),
            p.was_online_2019.view(np.uint8),
            h.connection,
            h.was_online_2019.view(np.uint8),
            _rows(by_home, h.n),
            _rows(by_person, p.n),
        )
        values = {}
        for k, policy in enumerate(by_home + by_person):
            spent = self.spend[policy.name]
            n_new = int(homes[k]) * w
            values[f"spend:{policy.name}"] = spent
            for item, usd in policy.account.items.items():
                values[f"spend_{item}:{policy.name}"] = usd
            values[f"spend_pv:{policy.name}"] = policy.account.present_value
            values[f"shortfall:{policy.name}"] = policy.shortfall
            if policy.subsidises:
                serving = policy.in_force(self.quarter)
                values[f"n_subsidised:{policy.name}"] = policy.subsidised * w if serving else 0.0
            values[f"n_new_connected:{policy.name}"] = n_new
            values[f"n_new_online:{policy.name}"] = int(people[k]) * w
            values[f"cost_per_new_connected:{policy.name}"] = spent / max(n_new, 1.0)
        return {key: values[key] for key in self._policy_keys()}

    def _policy_keys(self) -> list[str]:
        """The policy indicators' names in policy order (the DataCollector's column order)."""
        keys = []
        for q in self.policies:
            kinds = ["spend", *(f"spend_{item}" for item in q.items), "spend_pv", "shortfall"]
            kinds += ["n_subsidised"] if q.subsidises else []
            kinds += ["n_new_connected", "n_new_online", "cost_per_new_connected"]
            keys += [f"{kind}:{q.name}" for kind in kinds]
        return keys

    def persons_frame(self) -> pd.DataFrame:
        """One row per person in the current quarter (:func:`model.persons.persons_frame`).

        Built on demand from the person and household arrays; group columns are spelled as in
        :mod:`model.groups`. Real people are rows times ``self.pop.weight``.
        """
        return persons_frame(self.pop)

    def cell_table(self) -> pd.DataFrame:
        """Persons and every measure per intersection this quarter, in real people."""
        return cell_table(self.pop, self.cells)

    def result(self) -> RunResult:
        """The collected time series, final labels and final intersections of this run."""
        frame = self.datacollector.get_model_vars_dataframe()
        quarters = [str(self.start + i) for i in range(len(frame))]
        frame.index = pd.Index(quarters, name="quarter")
        return RunResult(
            self.loaded.scenario.name,
            self.seed,
            self.h.n,
            frame.astype(float),
            {"worst_internet_use": self.worst_label},
            self.cell_table(),
        )


def _unique_names(policies: list) -> None:
    """Suffix repeated policy names (``affordability``, ``affordability_2``)."""
    seen: dict[str, int] = {}
    for policy in policies:
        seen[policy.name] = seen.get(policy.name, 0) + 1
        if seen[policy.name] > 1:
            policy.name = f"{policy.name}_{seen[policy.name]}"


def _members(household: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Each household's members: (start in the index, persons in household order)."""
    start = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(household, minlength=n), out=start[1:])
    return start, np.argsort(household, kind="stable").astype(np.int32)


def _mid_quarter(quarter: Quarter) -> float:
    """The middle of ``quarter`` as a year and its fraction (2021Q1 -> 2021.125)."""
    return quarter.year + (quarter.q - 0.5) / 4


def _as_compared_with_draws(p: float) -> float:
    """``p`` in the precision numpy compares it with float32 draws (float32 for a Python float).

    Keeps compiled comparisons with draws exactly as the numpy rules make them
    (:func:`model.rules.schooling.can_learn_remotely`).
    """
    dtype = (np.zeros(1, dtype=np.float32) + p).dtype
    return float(dtype.type(p))


def _rows(policies: list, n: int) -> np.ndarray:
    """The policies' ``reached`` masks as rows of one ``uint8`` array (policies x ``n``)."""
    if not policies:
        return np.zeros((0, n), dtype=np.uint8)
    return np.stack([q.reached for q in policies]).view(np.uint8)


def _reporter(name: str):
    """A DataCollector reporter returning one indicator of the current quarter."""

    def report(model: InclusionModel) -> float:
        return model.indicators[name]

    return report
