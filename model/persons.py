"""Persons as agent-level data: one DataFrame row per simulated person, built on demand.

The model keeps persons as columns of numpy arrays (:class:`model.households.People`), not as
``mesa.Agent`` objects. :func:`persons_frame` turns the current quarter's arrays into the table
an agent-based modeller expects, spelled with the group vocabulary of :mod:`model.groups` and
the measure names of :mod:`model.indicator_registry`. :class:`PersonsCollector` records it as
Mesa agent data every few quarters when asked (``InclusionModel(..., collect_persons=k)``), so
``datacollector.get_agent_vars_dataframe()`` and ``mesa.batch_run`` see one row per person.
Nothing here runs unless asked: building the table costs one pass over the persons.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import mesa
import numpy as np
import pandas as pd

from model.groups import AGE_BANDS, DIMENSIONS
from model.households import CODES, WORKING_AGE, Population
from model.indicators import meaningful_use

if TYPE_CHECKING:
    from model.inclusion_model import InclusionModel

LABOUR_STATES: tuple[str, ...] = (
    "employed",
    "unemployed",
    "left_labour_force",
    "out_of_labour_force",
)
"""Labour state of a person 15+ (under-15s have none), as the labour pass counts them.

``employed``: holds the 2019 job, or a platform worker with gigs this quarter
(``n_people_employed``). ``unemployed``: lost the 2019 job in the COVID-19 shock and searches, or a
platform worker without gigs (``n_people_unemployed``). ``left_labour_force``: lost the 2019
job and stopped searching (``n_people_left_labour_force``). ``out_of_labour_force``: had no
job in 2019 and has no work now.
"""

PERSON_COLUMNS: dict[str, str] = {
    "household": "index of the person's household (row of model.h)",
    "weight": "real persons this simulated person stands for (the same for every row)",
    "sex": "male or female (group dimension sex)",
    "age": "age band: 0-4, 5-12, 13-17, 18-24, 25-64, 65+ (group dimension age)",
    "age_years": "age in years (as in 2019; ages do not advance during a run)",
    "disability": "without or with (group dimension disability)",
    "location": "urban or rural, of the household (group dimension location)",
    "quintile": "1 (poorest) to 5, of the household's 2019 income per person",
    "home_connection": "the household's home connection: none, basic or meaningful",
    "internet_use": "used the Internet this quarter (measure internet_use)",
    "meaningful": "meaningful connectivity: online, meaningful home plan, a device",
    "basic_skills": "digital skill score at least basic (0.2)",
    "employed": "in work this quarter: the 2019 job, or platform gigs (measure employed)",
    "smartphone": "owns a smartphone",
    "skill": "digital skill score, 0-1",
    "trained": "completed a skills-training course under a policy",
    "labour": "labour state of persons 15+ (LABOUR_STATES); missing under 15",
    "works_from_home": "works the 2019 job from home this quarter",
    "platform": "does platform (gig) work",
    "poor": "the household's income per person is below the poverty line",
}
"""Columns of :func:`persons_frame`, in order, with their meaning."""


def persons_frame(pop: Population) -> pd.DataFrame:
    """One row per person of the population in its current state.

    The index is the person's row in ``pop.p`` (named ``person``). Group columns are
    categoricals spelled as in :mod:`model.groups`; yes/no measures are booleans named as in
    :mod:`model.indicator_registry`. Indicators count persons times ``weight``: for example
    ``frame.internet_use.sum() * pop.weight`` is the model's ``n_people_internet_use``, and
    the measures of persons 15+ (basic skills, employed, smartphone) count ``age_years >= 15``.
    See :data:`PERSON_COLUMNS`.
    """
    h, p = pop.h, pop.p
    hh = p.household
    columns = {
        "household": hh.astype(np.int64),
        "weight": np.full(p.n, pop.weight),
        "sex": _category("sex", p.is_female.astype(np.int8)),
        "age": pd.Categorical.from_codes(p.age_band, AGE_BANDS),
        "age_years": p.age.astype(np.int16),
        "disability": _category("disability", p.has_disability.astype(np.int8)),
        "location": _category("location", h.is_rural[hh].astype(np.int8)),
        "quintile": _category("quintile", h.quintile[hh]),
        "home_connection": pd.Categorical.from_codes(
            h.connection[hh], list(CODES["connection"].values())
        ),
        "internet_use": p.is_online.copy(),
        "meaningful": meaningful_use(pop),
        "basic_skills": p.has_basic_skills,
        "employed": p.is_employed.copy(),
        "smartphone": p.has_smartphone.copy(),
        "skill": p.skill.copy(),
        "trained": p.is_trained.copy(),
        "labour": pd.Categorical.from_codes(labour_codes(pop), LABOUR_STATES),
        "works_from_home": p.works_from_home.copy(),
        "platform": p.is_platform.copy(),
        "poor": h.is_poor[hh],
    }
    return pd.DataFrame(columns, index=pd.RangeIndex(p.n, name="person"))


def labour_codes(pop: Population) -> np.ndarray:
    """Index into :data:`LABOUR_STATES` of each person's labour state (-1 under 15).

    The same states the labour pass counts (:func:`model.kernels.labour_quarter`).
    """
    p = pop.p
    had_job = p.job > 0
    searching = had_job & p.lost_job & ~p.left_labour_force
    codes = np.full(p.n, 3, dtype=np.int8)
    codes[had_job & p.lost_job & p.left_labour_force & ~p.is_platform] = 2
    codes[~p.is_employed & (searching | p.is_platform)] = 1
    codes[p.is_employed] = 0
    codes[p.age < WORKING_AGE] = -1
    return codes


def _category(dimension: str, codes: np.ndarray) -> pd.Categorical:
    """Codes of a disjoint group dimension as a categorical spelled as in the vocabulary."""
    return pd.Categorical.from_codes(codes, DIMENSIONS[dimension].values)


class PersonsCollector(mesa.DataCollector):
    """Mesa's DataCollector that also records the persons table every ``every`` collections.

    Recorded rows become Mesa agent records (``AgentID`` = person row), so
    :meth:`get_agent_vars_dataframe` and ``mesa.batch_run`` return one row per person and
    recorded quarter. With ``every=0`` it is a plain DataCollector.

    Args:
        model_reporters: as for ``mesa.DataCollector``.
        every: record persons at every ``every``-th collection (0: never).

    """

    def __init__(self, model_reporters: dict[str, Any], every: int = 0) -> None:
        if every < 0:
            raise ValueError(f"collect_persons is a number of quarters >= 0, not {every}")
        super().__init__(model_reporters=model_reporters)
        self.every = int(every)
        self.collections = 0

    def collect(self, model: InclusionModel) -> None:
        """Collect the model's indicators and, every ``every`` times, its persons."""
        super().collect(model)
        self.collections += 1
        if self.every and self.collections % self.every == 0:
            frame = model.persons_frame()
            self.agent_reporters = dict.fromkeys(frame.columns)
            rows = frame.itertuples(index=True, name=None)
            self._agent_records[model.time] = [(model.time, *row) for row in rows]
