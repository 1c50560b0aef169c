"""Digital skills: gain with use and training, fade without use.

Form: a logistic-style approach to full skill with use (half as fast on basic mobile),
proportional decay without use, plus the gain credited by a completed training course.
ITU FF2021 finds skills follow use and occupation more than sex; the rates are assumptions
screened in the sensitivity analysis (docs/sensitivity.md).
"""

from __future__ import annotations

import numpy as np

USE_BY_CONNECTION = np.array([0.0, 0.5, 1.0], dtype=np.float32)
"""Intensity of use by connection level: offline, basic mobile, meaningful."""


def update_skills(
    skill: np.ndarray,
    connection: np.ndarray,
    training_gain: np.ndarray,
    rate_use: float,
    rate_fade: float,
) -> np.ndarray:
    """Next quarter's skill score (0-1).

    Args:
        skill: current scores.
        connection: 0 offline, 1 basic, 2 meaningful.
        training_gain: score gained from a course completed this quarter.
        rate_use: gain per quarter as a share of the distance to 1, at full use.
        rate_fade: loss per quarter as a share of the score, when offline.

    """
    use = USE_BY_CONNECTION[connection]
    gain = rate_use * use * (1 - skill)
    fade = rate_fade * (connection == 0) * skill
    return np.clip(skill + gain - fade + training_gain, 0.0, 1.0).astype(np.float32)
