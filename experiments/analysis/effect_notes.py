"""Why each lever's simulated effect falls where it does beside the literature.

Written after reading docs/effect-sizes.md, keyed by (literature row id, verdict) so that a
result that moves to another verdict after a model change is shown as unexplained rather than
with a stale explanation. Numbers come from the generated table, not from here.
"""

from __future__ import annotations

EXPLANATIONS: dict[tuple[str, str], str] = {
    ("connectivity_adoption_newly_covered", "not comparable"): (
        "Coverage arrives in the first quarter but reaches households over "
        "`coverage_ramp_years` (4): after three years three quarters of the newly covered are "
        "within reach, and those reached adopt at `rate_adjust`. Coverage is drawn "
        "independently of income within each location and quintile and 2019 propensities are "
        "raked per cell, so once reached a household is as willing to connect as its covered "
        "neighbours. GSMA's and ITU's figures say coverage alone closes little of the usage "
        "gap; the ramp's length is an assumption, so this row is the one to vary in a "
        "sensitivity analysis."
    ),
    ("connectivity_share_of_rural_gap", "below"): (
        "Covering and upgrading every rural household closes less of the LAC urban/rural gap "
        "in home connections than availability explains in the US (Whitacre et al.). Two "
        "reasons: the ramp-up (after three years a quarter of the newly covered are still out "
        "of its reach), and in LAC most rural households already had coverage in 2019 (78%), "
        "so availability can explain less of the gap than in the US metro/non-metro "
        "comparison. The comparison is loose (another continent, a cross-sectional "
        "decomposition): read it as an order of magnitude."
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
    ("affordability_lifeline", "above"): (
        "Just above Lifeline / Link-Up's 4-6 points, at the top of the published range: the "
        "simulated subsidy pays half of the monthly plan and half of the device for three "
        "years, more than Lifeline's share of a monthly fee and Link-Up's share of a "
        "connection charge, and the US telephone service it is compared with was close to "
        "saturation, where a subsidy moves fewer households than in LAC, where two in five "
        "poorer households were still unconnected."
    ),
    ("affordability_new_adopters", "below"): (
        "About one in four of the subsidised households that connect would not have connected "
        "without the subsidy, against about two thirds for Internet Essentials: in the paired "
        "baseline most eligible households connect anyway between 2021 and 2023, pulled by "
        "the lasting lockdown needs, their neighbours and falling prices, while the subsidy's "
        "own effect (the row above) sits at the top of the Lifeline range or just above it. "
        "Internet Essentials was open only to families without a subscription in the previous "
        "90 days, a self-selected group; the simulated subsidy pays every eligible household. "
        "Read it as a windfall the lever must report: three in four subsidised new connections "
        "would have happened anyway."
    ),
    ("affordability_employment", "no detectable effect"): (
        "The subsidy changes employment by a thousandth of a point, within noise. Labour "
        "states follow "
        "persons (search, leaving the labour force, return), but hiring does not depend on "
        "being online: a connection helps keep a job only by working from home during the "
        "2020 shock (over before the subsidy starts in 2021) and helps find work only through "
        "platform work for skilled, connected persons. Zuo's county-level effect, through "
        "online job search, has no channel to appear through."
    ),
    ("affordability_elasticity_country", "above"): (
        "Penetration responds little to a 10% price cut for everyone. With choice in levels, "
        "the elasticity is -beta_afford x s / (s + k) x (1 - share connected), where s is the "
        "cost share of income and k the non-price cost share (0.05, set so that two thirds of "
        "2019 non-adopters would stay offline at any price, Carare et al.): about four in "
        "five LAC households already have a home connection and for most the non-price cost "
        "exceeds the price, so a 10% cut moves few. Galperin and Ruzzier's -1.9 is country- "
        "level fixed broadband when penetration was low and price dominated; `beta_afford` "
        "(1.9) equals it in that limit."
    ),
    ("affordability_elasticity_nonadopters", "below"): (
        "Among households unconnected when the price falls the response is more elastic than "
        "Carare et al.'s -0.62 and less than Galperin and Ruzzier's -1.9: the simulated value "
        "lies between the two published figures. Carare et al. measure stated willingness to "
        "pay; the model's non-price cost was set from the same study's finding that two "
        "thirds would not subscribe at any price, and one `beta_afford` cannot meet both that "
        "and -0.62 while keeping -1.9 where few are connected."
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
        "The rules reach informal workers only (eligibility `job: [informal]`), and the "
        "effect is a fraction of a point: working from home on a basic connection is already "
        "open to most (`share_telework_basic` 0.9), so the right to telework adds little; "
        "accessible hiring helps only persons with disabilities back into work; the floor and "
        "insurance change income, not whether a 2019 job is kept. The lever's outcome is "
        "poverty (next row)."
    ),
    ("labour_regulation_poverty", "not comparable"): (
        "Insurance replaces `social_insurance` (0.5) of the earnings a covered worker loses "
        "with the 2019 job, beyond the `share_income_kept_jobless` kept anyway, and of the "
        "platform pay of a quarter without gigs; the floor raises platform pay. Informal "
        "workers lost jobs most often in 2020 (`rel_loss_informal` 1.8), so a year after "
        "2020Q2 the insurance keeps some of their households above the poverty line. The "
        "size follows from the settings and the 2020 shock; the insurance paid is the "
        "lever's main cost."
    ),
}
"""Why a row's simulated effect falls where it does, by (row id, verdict)."""
