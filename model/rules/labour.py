"""Labour market: the COVID-19 shock, protection by telework, recovery and platform work.

The shock follows the region's working-hour loss path (ILO Monitor 5th and 7th editions);
``jobs_per_hour_lost`` of it takes the form of lost jobs (ILO: 8.8% of hours against about
4.4% of employment in 2020), the rest of shorter hours. Who loses a job is set by relative
hazards for informality, high-impact sectors, sex, youth and disability (ILO Monitor 7th ed.:
women 5.0% vs men 3.9%, youth 8.7% vs adults 3.7%); most who lose a job leave the labour
force, the rest search (ILO Labour Overview LAC 2020). Workers in teleworkable jobs, online
and with basic skills work from home where the household is connected (ILO 2021 "From
potential to practice"; Garrote Sánchez et al., WB PRWP 9347), which protects the job. As
the shock eases, those who left return to work and searchers are rehired at quarterly rates;
persons with disabilities face a hiring penalty that accessibility and non-discrimination
duties reduce. :func:`model.kernels.labour_quarter` runs these rules as compiled passes.
"""

from __future__ import annotations

import numpy as np

SKILLED = 0.45
"""Skill score from which a person can do platform work (ITU 'standard')."""
TELEWORK_SKILL = 0.2
"""Skill score from which a worker can work from home (ITU 'basic': email, files)."""


def relative_loss_risk(
    is_informal: np.ndarray,
    is_high_impact: np.ndarray,
    is_female: np.ndarray,
    is_youth: np.ndarray,
    has_disability: np.ndarray,
    pars: dict[str, float],
) -> np.ndarray:
    """Relative job-loss hazard of each worker before any telework protection."""
    return (
        np.where(is_informal, pars["rel_loss_informal"], 1.0)
        * np.where(is_high_impact, pars["rel_loss_high_impact"], 1.0)
        * np.where(is_female, pars["rel_loss_female"], 1.0)
        * np.where(is_youth, pars["rel_loss_youth"], 1.0)
        * np.where(has_disability, pars["rel_loss_disability"], 1.0)
    )


def telework_protected(
    is_teleworkable: np.ndarray,
    connection: np.ndarray,
    skill: np.ndarray,
    telework_right: float,
    u: np.ndarray,
    basic_share: float = 0.0,
) -> np.ndarray:
    """Workers who work from home in a lockdown quarter (their job loss hazard is lowered).

    Online workers in teleworkable jobs with basic skills work from home on a meaningful
    home plan; on a basic one, a share ``basic_share + telework_right * (1 - basic_share)``
    of them do (``share_telework_basic``, which a right to telework raises by its share of
    the rest). Callers pass online workers.
    """
    skilled = skill >= TELEWORK_SKILL
    basic_ok = (connection == 1) & (u < basic_share + telework_right * (1 - basic_share))
    return is_teleworkable & skilled & ((connection == 2) | basic_ok)


def job_losses(
    at_risk: np.ndarray,
    weight: np.ndarray,
    rel: np.ndarray,
    protected: np.ndarray,
    wanted_loss: float,
    rel_protected: float,
    u: np.ndarray,
) -> np.ndarray:
    """Jobs lost this quarter.

    The base hazard is set so that, without protection, the weighted losses among
    ``at_risk`` workers equal ``wanted_loss`` (real jobs); protection then lowers the hazard
    of protected workers by ``rel_protected``, so protection saves jobs rather than moving
    the losses to others.
    """
    if wanted_loss <= 0:
        return np.zeros(at_risk.size, dtype=bool)
    exposure = float(np.sum(weight * rel * at_risk))
    if exposure <= 0:
        return np.zeros(at_risk.size, dtype=bool)
    hazard = np.minimum(rel * wanted_loss / exposure, 1.0)
    hazard = hazard * np.where(protected, rel_protected, 1.0)
    return at_risk & (u < hazard)


def rehires(
    lost_job: np.ndarray,
    left_labour_force: np.ndarray,
    has_disability: np.ndarray,
    rates: tuple[float, float],
    rel_hire_disability: float,
    hiring_access: float,
    u: np.ndarray,
) -> np.ndarray:
    """Workers back in work this quarter (call only when the shock is easing).

    Args:
        lost_job: lost the 2019 job and not yet back.
        left_labour_force: of those, who left the labour force rather than search.
        has_disability: persons with a disability (hiring penalty).
        rates: (``p_rehire`` for searchers, ``p_return_work`` for those who left).
        rel_hire_disability: hiring multiplier with a disability.
        hiring_access: share of the penalty a hiring duty removes.
        u: one draw per person.

    """
    rel = hiring_multiplier(has_disability, rel_hire_disability, hiring_access)
    rate = np.where(left_labour_force, rates[1], rates[0])
    return lost_job & (u < rate * rel)


def hiring_multiplier(
    has_disability: np.ndarray, rel_hire_disability: float, hiring_access: float
) -> np.ndarray:
    """Hiring multiplier: the disability penalty, reduced by accessible, fair hiring."""
    rel = 1 - (1 - rel_hire_disability) * (1 - hiring_access)
    return np.where(has_disability, rel, 1.0)


def platform_entries(
    can_enter: np.ndarray,
    has_disability: np.ndarray,
    p_platform: float,
    gig_availability: float,
    rel_hire_disability: float,
    hiring_access: float,
    u: np.ndarray,
) -> np.ndarray:
    """People who start platform work this quarter (connected, skilled, no formal job)."""
    rel = hiring_multiplier(has_disability, rel_hire_disability, hiring_access)
    return can_enter & (u < p_platform * gig_availability * rel)


def platform_income(
    income_base: np.ndarray,
    has_gig: np.ndarray,
    share: float,
    floor: float,
    social_insurance: float,
) -> np.ndarray:
    """Monthly platform earnings.

    A share of own 2019 income, raised to the floor; in a quarter without gigs, social
    insurance pays a share of it.
    """
    pay = income_base * max(share, floor)
    return np.where(has_gig, pay, social_insurance * pay)
