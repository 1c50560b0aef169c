"""Every behavioural parameter of the model, with its unit, plausible range and source.

This table is the single place where default values live. Scenario files may override any
of them under ``parameters:``; the sensitivity screening varies them within ``[low, high]``;
``docs/ODD.md`` is generated from it. A test checks that every parameter changes at least one
indicator, so no entry here is decorative.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Param:
    """One behavioural parameter.

    Attributes:
        name: key used in code and in scenario files.
        value: default value.
        unit: unit of the value.
        low: lower end of the plausible range (used by sensitivity designs).
        high: upper end of the plausible range.
        submodel: the rule module that reads it.
        description: what it means, in one sentence.
        source: where the value or its form comes from.

    """

    name: str
    value: float
    unit: str
    low: float
    high: float
    submodel: str
    description: str
    source: str


_PARAMS = [
    # --- adoption: connect, upgrade, drop -------------------------------------------------
    Param(
        "rate_adjust",
        0.25,
        "1/quarter",
        0.05,
        0.4,
        "connectivity",
        "Share of the gap between a household's state and its desired state closed each quarter.",
        "Partial-adjustment form of Laciana, Rovere & Podestá (2013); value calibrated to the ITU "
        "world path 2019-2024 (docs/calibration.md).",
    ),
    Param(
        "beta_peer",
        3.0,
        "logit per unit share",
        0.5,
        5.0,
        "connectivity",
        "Pull of the share of a household's social neighbours who are online.",
        "Agarwal & Canfield (share of neighbours online in the theory of planned behaviour); "
        "calibrated to the ITU world path.",
    ),
    Param(
        "beta_afford",
        1.9,
        "logit per unit log cost share",
        0.6,
        3.0,
        "connectivity",
        "Fall in the logit of wanting a plan per unit of log(monthly cost / own income), in "
        "levels and without a floor; it is the price elasticity of adoption where few are "
        "connected (-beta * (1 - share connected) in general).",
        "Galperin & Ruzzier (2011), SSRN 1832737: price elasticity of fixed broadband "
        "penetration about -1.9 in Latin America, where penetration was low; the low end is "
        "Carare et al. (SSRN 2375867): -0.62 among non-adopting households.",
    ),
    Param(
        "nonprice_cost_share",
        0.05,
        "share of income",
        0.01,
        0.1,
        "connectivity",
        "Non-price cost of a plan (time, effort, risks), as a share of income, added to the "
        "price in the cost the adoption choice weighs: it bounds what a free plan is worth.",
        "Calibrated so that about two thirds of the covered households offline in 2019 would "
        "not connect even at zero price (Carare, McGovern, Noriega & Schwarz, SSRN 2375867): "
        "0.34 would in LAC and the world, 0.18 in LDCs, at beta_afford 1.9.",
    ),
    Param(
        "beta_skill",
        1.5,
        "logit per unit skill",
        0.5,
        3.0,
        "connectivity",
        "Pull of skills gained since 2019 on use: a person's own skill on own use, the mean "
        "skill of members 15+ on the household's wanting a connection.",
        "GSMA Mobile Gender/Disability Gap reports: literacy and skills are a top barrier.",
    ),
    Param(
        "trend_per_year",
        0.03,
        "logit per year",
        0.0,
        0.3,
        "connectivity",
        "Residual growth in the usefulness of being online (services, content, digital "
        "government) that no mechanism of the model explains; reported by the decomposition.",
        "Fitted to the ITU world path 2019-2024 with the lockdown needs and beta_peer (grid of "
        "docs/calibration.md, 2026-12-07): small, and `inclusim calibrate --decompose` reports "
        "the share of growth it carries.",
    ),
    Param(
        "pull_school",
        0.72,
        "logit",
        0.0,
        4.0,
        "connectivity",
        "Extra pull to be online of a household with school-age members (5-17) and electricity "
        "at home while schools are closed (remote schooling needs a connection at home and "
        "devices kept charged).",
        "UNICEF/ITU 2020: 49% of LAC children 3-17 had no Internet at home when schools "
        "closed; UNICEF (August 2020, remote learning reachability): most children who could not "
        "be reached lived in poor rural homes without Internet or electricity; value fitted to "
        "the ITU world path with Africa's and the LDCs' (docs/calibration.md, 2026-12-07).",
    ),
    Param(
        "pull_telework",
        0.5,
        "logit",
        0.0,
        4.0,
        "connectivity",
        "Extra pull of a household with a member in a teleworkable job while the lockdown "
        "cuts working hours (work moved home).",
        "ILO 2021: 17.4% of world employment worked from home in 2020Q2; ILO technical note "
        "(Maurizio) 2021: 20-30% of LAC wage earners still working; calibrated to the ITU "
        "world path (docs/calibration.md).",
    ),
    Param(
        "pull_transfer",
        0.5,
        "logit",
        0.0,
        4.0,
        "connectivity",
        "Extra pull of a household receiving a social transfer while the lockdown lasts "
        "(emergency transfers registered and paid through apps and accounts).",
        "World Bank 2021: Brazil's Auxilio Emergencial registered through an app; Colombia's "
        "Ingreso Solidario opened first accounts for a third of recipients; calibrated to "
        "the ITU world path (docs/calibration.md).",
    ),
    Param(
        "pull_persist",
        0.85,
        "share",
        0.0,
        1.0,
        "connectivity",
        "Share of a household's largest lockdown pull that stays once the need has passed "
        "(schooling, work and services that stayed online).",
        "ITU: Internet use grew 11% in 2019-20 against 5-6% in later years (Broadband "
        "Commission Target 3 page); calibrated to the ITU world path (docs/calibration.md).",
    ),
    Param(
        "coverage_ramp_years",
        4.0,
        "years",
        1.0,
        8.0,
        "connectivity",
        "Years over which households under newly built coverage come within its reach (shops, "
        "agents, handsets, word of mouth): the share reached grows linearly to all.",
        "Assumption for the length; its form follows GSMA State of Mobile Internet "
        "Connectivity 2023 (coverage gap about 5% against a usage gap of 38%: coverage alone "
        "is not use).",
    ),
    Param(
        "p_drop_stress",
        0.06,
        "1/quarter",
        0.0,
        0.15,
        "connectivity",
        "Extra quarterly hazard of dropping the connection when its cost exceeds 5% of a "
        "household income that fell below its 2019 level.",
        "5% stress threshold of the design; ECLAC SR No. 7 (connection costs 12-14% of income "
        "in the two poorest quintiles).",
    ),
    Param(
        "rel_barrier_female",
        0.9,
        "multiplier on the pull",
        0.6,
        1.0,
        "connectivity",
        "Share of the pull towards use that reaches a woman (shared devices and norms, once "
        "income, skills and age count).",
        "GSMA Mobile Gender Gap reports 2020-2022 (women 20% less likely to own a smartphone); "
        "ITU FF2024 gender parity score 0.91 -> 0.94 world, 0.74 -> 0.70 LDCs.",
    ),
    Param(
        "disability_use_barrier",
        1.5,
        "logit",
        0.5,
        2.5,
        "connectivity",
        "Barrier to a person's use from inaccessible devices and services for persons with "
        "disabilities, counted once: in the 2019 raking and in use, not in growth; assistive "
        "technology from the affordability lever lifts it.",
        "Eurostat 2024: regular use 78% with a severe disability against 94% without, a logit "
        "gap of 1.5 where affordability barely binds; GSMA Mobile Disability Gap Report 2021 "
        "(gap 11%-85% in seven countries, uncertain) is applied once, as CALIBRATION.md asks.",
    ),
    Param(
        "rate_upgrade",
        0.10,
        "1/quarter",
        0.03,
        0.25,
        "connectivity",
        "Share of the gap to the desired meaningful-connectivity state closed each quarter.",
        "Assumption: the partial-adjustment form of rate_adjust, at a slower rate (no published "
        "path of meaningful connectivity constrains it).",
    ),
    Param(
        "skill_for_meaningful",
        0.45,
        "skill score",
        0.2,
        0.7,
        "connectivity",
        "Skill score at which the pull towards meaningful connectivity is half its full size.",
        "ITU skill levels (standard skills start at 0.45 on our 0-1 score).",
    ),
    # --- coverage and prices ---------------------------------------------------------------
    Param(
        "price_decline_per_year",
        0.05,
        "share per year",
        0.0,
        0.15,
        "connectivity",
        "Market decline of the real price of connectivity baskets (Innovation).",
        "Fitted to the ITU world path 2019-2021 (docs/calibration.md) for the years before 2022 "
        "and, as an assumption, from 2024; 2022-2023 use price_decline_measured (ITU FF2023-"
        "FF2024: -13% a year as a share of GNI p.c. from 2022 to 2024).",
    ),
    Param(
        "price_decline_measured",
        0.13,
        "share per year",
        0.05,
        0.15,
        "connectivity",
        "Market decline of the price of connectivity baskets as a share of income from 2022 to "
        "2024, the two years ITU measured it (price_decline_per_year holds before and after).",
        "ITU FF2023-FF2024: median mobile broadband basket 1.5% (2022) -> 1.3% (2023) -> 1.1% "
        "(2024) of GNI p.c., -13% and -15% a year; the model's incomes do not grow, so the fall "
        "of the cost share is the fall of the price it needs (low end taken).",
    ),
    # --- skills ------------------------------------------------------------------------------
    Param(
        "rate_skill_use",
        0.005,
        "1/quarter",
        0.0,
        0.02,
        "skills",
        "Quarterly gain in skill, as a share of the distance to full skill, from meaningful use "
        "(half of it from basic mobile use).",
        "Calibrated: IDB technical note IDB-TN-2573 (2023, read via summary) finds about 30% of "
        "LAC adults with basic digital skills around 2020-22, the level the 2019 population is "
        "raked to, so use alone raises the share little in 2020-2022 (LAC 2021 within 0.025 of "
        "0.30, scenarios/calibration_targets.yaml); 0.005 is the largest rate that meets it "
        "(ITU FF2021: skills rise with use). At the earlier 0.03, 55% of LAC adults had "
        "basic skills by 2021 and 85% by 2024.",
    ),
    Param(
        "rate_skill_fade",
        0.02,
        "1/quarter",
        0.0,
        0.06,
        "skills",
        "Quarterly loss of skill, as a share of the skill, without use.",
        "Assumption (skills depreciate without practice).",
    ),
    # --- skills training uptake ---------------------------------------------------------------
    Param(
        "p_training_uptake",
        0.6,
        "probability",
        0.3,
        0.9,
        "skills",
        "Chance that a person offered a training place starts the course.",
        "Assumption; ITU Digital Skills Insights (uptake of free public courses is partial).",
    ),
    Param(
        "rel_uptake_barrier",
        0.5,
        "multiplier",
        0.2,
        1.0,
        "skills",
        "Uptake of women, older people and persons with disabilities, relative to others, when "
        "delivery is not accessible and gender-sensitive.",
        "GSMA Mobile Gender Gap and Disability Gap reports (time, care duties, inaccessible "
        "formats); assumption for size.",
    ),
    # --- labour market ------------------------------------------------------------------------
    Param(
        "jobs_per_hour_lost",
        0.55,
        "share",
        0.3,
        0.9,
        "labour",
        "Share of the working-hour loss that takes the form of lost jobs rather than shorter "
        "hours.",
        "ILO Monitor 7th ed.: 8.8% of hours lost in 2020 against about 4.4% of employment "
        "(114 million jobs).",
    ),
    Param(
        "rel_loss_informal",
        1.8,
        "hazard multiplier",
        1.0,
        3.0,
        "labour",
        "Job-loss multiplier for informal jobs.",
        "ILO Monitor 7th ed.; ECLAC SR No. 9 (informal workers hit hardest).",
    ),
    Param(
        "rel_loss_high_impact",
        1.8,
        "hazard multiplier",
        1.0,
        3.0,
        "labour",
        "Job-loss multiplier for jobs in high-impact sectors (retail, hospitality, tourism).",
        "ECLAC SR No. 9 (56.9% of women employed in high-impact sectors).",
    ),
    Param(
        "rel_loss_female",
        1.15,
        "hazard multiplier",
        1.0,
        1.6,
        "labour",
        "Job-loss multiplier for women, beyond their sectors.",
        "ILO Monitor 7th ed.: employment loss women 5.0% vs men 3.9%.",
    ),
    Param(
        "rel_loss_youth",
        2.0,
        "hazard multiplier",
        1.0,
        3.0,
        "labour",
        "Job-loss multiplier for workers aged 15-24.",
        "ILO Monitor 7th ed.: youth 8.7% vs adults 3.7%.",
    ),
    Param(
        "rel_loss_disability",
        1.3,
        "hazard multiplier",
        1.0,
        2.0,
        "labour",
        "Job-loss multiplier for persons with disabilities.",
        "WHO/World Bank 2011 (lower and more precarious employment); assumption for size.",
    ),
    Param(
        "rel_loss_telework",
        0.25,
        "hazard multiplier",
        0.0,
        0.8,
        "labour",
        "Job-loss multiplier for teleworkable jobs held by meaningfully connected, skilled "
        "workers.",
        "ILO 'From potential to practice' 2021: 17.4% worked from home in Q2 2020; Garrote "
        "Sánchez et al. (WB PRWP 9347): telework needs Internet access.",
    ),
    Param(
        "share_telework_basic",
        0.9,
        "share",
        0.0,
        1.0,
        "labour",
        "Share of workers in teleworkable jobs, online and with basic skills, who can work from "
        "home on a basic (mobile) home connection; with a meaningful plan all of them can.",
        "Calibrated to about 23 million people working from home in LAC in 2020Q2 (ILO "
        "technical note, Maurizio 2021); Garrote Sánchez et al. (WB PRWP 9347): telework "
        "needs Internet access.",
    ),
    Param(
        "p_rehire",
        0.10,
        "1/quarter",
        0.03,
        0.25,
        "labour",
        "Quarterly chance that a worker who lost a job finds one again once the shock eases.",
        "Calibrated so LAC employment is back near 2019 by 2023 (ILO Labour Overview 2022).",
    ),
    Param(
        "share_losers_leaving",
        0.81,
        "share",
        0.71,
        0.95,
        "labour",
        "Share of those who lose a job in the shock who leave the labour force rather than "
        "search (the rest are unemployed).",
        "ILO Labour Overview LAC 2020: +5.4 million unemployed against about 23 million who left "
        "the labour force (23 / 28.4 = 0.81); ILO Monitor 7th ed.: 71% worldwide.",
    ),
    Param(
        "p_return_work",
        0.2,
        "1/quarter",
        0.05,
        0.5,
        "labour",
        "Quarterly chance that a person who left the labour force goes back to work as "
        "activities reopen once the shock eases (mostly informal work, without a spell of "
        "search).",
        "Calibrated with p_rehire so LAC employment is back near 2019 by 2023 (ILO Labour "
        "Overview 2022); ECLAC Preliminary Overview 2020: the adjustment went mainly through "
        "informal workers leaving the labour force, and their return drove the recovery.",
    ),
    Param(
        "p_platform",
        0.01,
        "1/quarter",
        0.0,
        0.1,
        "labour",
        "Quarterly chance that a connected, skilled person without a formal job takes up "
        "platform work, at full gig availability.",
        "Assumption; ILO World Employment and Social Outlook 2021 (platform work grew fast).",
    ),
    Param(
        "platform_income_share",
        0.5,
        "share of own base income",
        0.2,
        1.0,
        "labour",
        "Monthly platform earnings as a share of the worker's 2019 income.",
        "ILO WESO 2021: platform workers earn less than comparable offline workers.",
    ),
    Param(
        "rel_hire_disability",
        0.6,
        "hazard multiplier",
        0.3,
        1.0,
        "labour",
        "Re-hiring and platform-hiring multiplier for persons with disabilities "
        "(discrimination and inaccessible hiring).",
        "WHO/World Bank 2011: employment men 53% vs 65%, women 20% vs 30%.",
    ),
    Param(
        "p_platform_exit",
        0.10,
        "1/quarter",
        0.03,
        0.3,
        "labour",
        "Quarterly chance that a platform worker leaves platform work.",
        "Assumption; ILO World Employment and Social Outlook 2021 (high turnover on platforms).",
    ),
    Param(
        "homophily",
        0.8,
        "share",
        0.5,
        0.95,
        "connectivity",
        "Share of a household's social neighbours drawn from its own location and income quintile.",
        "McPherson, Smith-Lovin & Cook (2001), Annu. Rev. Sociol. 27 (homophily by place and "
        "status); value assumed.",
    ),
    # --- income and transfers ----------------------------------------------------------------
    Param(
        "share_income_kept_jobless",
        0.25,
        "share",
        0.2,
        0.8,
        "income",
        "Share of their 2019 earnings a person keeps after losing the job (severance, odd "
        "jobs, help from others).",
        "Calibrated to world extreme poverty rising from 8.4% (2019) to 9.3% (2020) (World Bank, "
        "Poverty and Shared Prosperity 2022; scenarios/calibration_targets.yaml): 0.25 gives "
        "0.092-0.093 in 2020 (0.45, the earlier value, gave 0.091).",
    ),
    Param(
        "transfer_share_of_line",
        0.35,
        "share of poverty line",
        0.0,
        0.8,
        "income",
        "Monthly social transfer to a poor household, as a share of the poverty line.",
        "Assumption in the range of LAC emergency transfers 2020 (ECLAC SR No. 9).",
    ),
    Param(
        "p_takeup_online",
        0.8,
        "probability",
        0.4,
        1.0,
        "income",
        "Share of poor households with a home connection that take the transfer up (digital "
        "registry); each household's take-up draw lasts the whole run.",
        "Chair's summary CSocD59: unified digital registries reach people faster.",
    ),
    Param(
        "p_takeup_offline",
        0.45,
        "probability",
        0.1,
        0.9,
        "income",
        "Share of poor households without a home connection that take the transfer up "
        "(assisted channels only); each household's take-up draw lasts the whole run.",
        "Chair's summary CSocD59: offline households need assisted channels; assumption for size.",
    ),
    # --- schooling ---------------------------------------------------------------------------
    Param(
        "p_learn_basic",
        0.4,
        "probability",
        0.1,
        0.8,
        "schooling",
        "Chance that children in a household with only basic mobile access can follow remote "
        "learning (shared phone, little data).",
        "ECLAC SR No. 7 (46% of children 5-12 live in unconnected households; more lack "
        "adequate access); assumption for size.",
    ),
]

PARAMETERS: dict[str, Param] = {p.name: p for p in _PARAMS}
"""Every behavioural parameter, by name."""


def defaults() -> dict[str, float]:
    """Return the default value of every parameter."""
    return {name: p.value for name, p in PARAMETERS.items()}
