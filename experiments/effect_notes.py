"""Why each lever's simulated effect falls where it does beside the literature.

Written after reading docs/effect-sizes.md, keyed by (literature row id, verdict) so that a
result that moves to another verdict after a model change is shown as unexplained rather than
with a stale explanation. Numbers come from the generated table, not from here.
"""

from __future__ import annotations

EXPLANATIONS: dict[tuple[str, str], str] = {
    ("connectivity_adoption_newly_covered", "not comparable"): (
        "Newly covered households catch up with rural households that always had coverage "
        "within about three years. Coverage is drawn independently of income within each "
        "location and quintile, and 2019 propensities are raked per location-quintile cell, so "
        "an uncovered household differs from its covered neighbours only in coverage; once "
        "covered it closes a quarter of the gap between what it has and what it wants every "
        "quarter (`rate_adjust`), with no ramp-up and no extra cost of remoteness (issue 11, "
        "item 5, is not built yet). GSMA's and ITU's figures suggest coverage alone should "
        "close less of the usage gap, and more slowly: this effect is probably too large."
    ),
    ("connectivity_share_of_rural_gap", "above"): (
        "Covering every rural household closes more of the urban/rural gap than availability "
        "explains in the US (Whitacre et al.), for the reason given in the row above: in the "
        "model the newly covered are as willing to connect as the rural households that "
        "always had coverage, so availability carries all of their gap. The comparison is "
        "loose (US metro/non-metro broadband, a cross-sectional decomposition), but the "
        "direction agrees with the GSMA and ITU figures: the model overstates what "
        "infrastructure alone does."
    ),
    ("affordability_lifeline", "below"): (
        "Paying half of the plan and half of the device adds less than Lifeline / Link-Up "
        "did. In the model price acts only through the change since 2019 of log(cost / 2% of "
        "income), floored at the 2% target and weighted by `beta_afford` (0.6 logit): halving "
        "the cost is worth at most 0.6 x log 2 = 0.42 logit, and nothing to a household whose "
        "plan already costs under 2% of its income (about a quarter of quintiles I-II in "
        "2019, more each year as market prices fall). Issue 11 (item 1) replaces this with "
        "choice in levels of log(cost / income) without a floor."
    ),
    ("affordability_new_adopters", "below"): (
        "Far fewer of the subsidised newly connected are new adopters than Internet "
        "Essentials found: in the paired baseline most eligible households connect anyway "
        "between 2021 and 2023, pulled by the residual trend, the lasting lockdown pull "
        "(`pull_persist`) and their neighbours, while the subsidy adds only the small effect "
        "of the row above. A subsidy whose price response is this weak mostly pays households "
        "that would have connected without it. Two things would move this: a stronger, "
        "level-based price response (issue 11, item 1) and a smaller residual trend."
    ),
    ("affordability_employment", "below"): (
        "The subsidy changes employment almost not at all. In the model a home connection "
        "helps a person keep or find work in two ways only: telework protection during the "
        "2020 shock (over before the subsidy starts in 2021) and entry into platform work for "
        "skilled, connected persons. Job search, hiring and formal jobs do not depend on "
        "being online, so Zuo's county-level effect has no channel to appear through; "
        "issue 11, item 4 (labour states by person with search and hiring) would add one."
    ),
    ("affordability_elasticity_country", "above"): (
        "The model's penetration barely responds to a 10% price cut for everyone: far less "
        "elastic than Galperin and Ruzzier's -1.9. Part of the gap is not like for like: "
        "their estimate comes from country-level fixed-broadband penetration when it was "
        "low, so a small change was a large relative change, whereas here about four in five "
        "LAC households already have a home connection (a basic mobile plan counts), and "
        "an elasticity of -1.9 would take a 10% cut from 80% to about 95%. The rest is the "
        "weak price response explained under affordability_lifeline: most households pay "
        "under 2% of income and gain nothing from a cheaper plan."
    ),
    ("affordability_elasticity_nonadopters", "above"): (
        "Among households unconnected when the price falls, the response is closer to "
        "Carare et al.'s -0.62 but still less elastic, for the reasons under "
        "affordability_lifeline (the 2% floor and a change-based utility); after one year "
        "the partial adjustment (a quarter of the gap a quarter) has also not run its full "
        "course. Carare et al. measure stated willingness to pay, which is not a dynamic "
        "response either."
    ),
    ("skills_training_skills", "within"): (
        "Within, but by assumption rather than estimate: each completer gains `skill_gain` "
        "(0.25 on the 0-1 score) and skills then grow with use; those who start below the "
        "basic threshold and complete cross it. The size of the gain is not calibrated to "
        "Barone et al."
    ),
    ("skills_training_employment_almp_3y", "within"): (
        "Within, through one channel only: after 2020 the model lets skills raise "
        "employment solely by entry into platform work (online, skill at least 'standard', "
        "aged 15-64, no formal job), so trained persons who come online take up gigs over "
        "the years. Training leads to no formal job and no job search; Card, Kluve and "
        "Weber's programmes work through both."
    ),
    ("social_protection_takeup", "not comparable"): (
        "The effect follows directly from the lever's settings: take-up a quarter rises from "
        "`p_takeup_online` and `p_takeup_offline` to the registry and assisted-channel rates "
        "for poor households in quintiles I-II; households above the poverty line receive "
        "nothing either way, so the share among all of quintiles I-II rises less than the take-up "
        "rates do."
    ),
    ("labour_regulation_jobs_kept", "not comparable"): (
        "The effect is a fraction of a point, for informal and formal workers alike: only "
        "skilled workers in teleworkable jobs with a basic home connection gain from the right "
        "to telework (those with a meaningful connection are protected anyway), accessible "
        "hiring helps only persons with disabilities back into work, and the floor and "
        "insurance change platform income, not whether a 2019 job is kept. The lever cannot "
        "be targeted at informal or platform workers because eligibility has no labour state "
        "(issue 11, item 4). The strict expected failure in tests/test_policy_effects.py "
        "records the same defect."
    ),
}
"""Why a row's simulated effect falls where it does, by (row id, verdict)."""
