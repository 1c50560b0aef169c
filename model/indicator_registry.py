"""Every indicator the model emits, declared once: name, words, unit, scale, what it counts.

An indicator name is ``<base>`` or ``<base>:<group>`` with the group spelled as in
:mod:`model.groups` (``share_internet_use:location=rural``), or ``<base>:<policy>`` for the
per-policy families (``spend:affordability``). Exports, figures, the report and the
dashboard take labels and units from :func:`describe`; none keeps a table of its own, and a
test fails if the model emits a name this registry cannot describe.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from model import groups
from model.errors import did_you_mean
from model.ledger import ITEMS

PERSON_DIMENSIONS = ("sex", "age", "disability", "location", "quintile")
HOUSEHOLD_DIMENSIONS = ("location", "quintile")


@dataclass(frozen=True)
class Measure:
    """A yes/no state of persons that indicators count.

    Attributes:
        name: used in indicator names (``share_<name>``, ``n_people_<name>``).
        words: what the state is, after "people" (``using the Internet``).
        universe: who is counted: ``people`` (everyone) or ``people 15+``.
        adults_only: the universe is persons aged 15 and over.

    """

    name: str
    words: str
    universe: str
    adults_only: bool


MEASURES: tuple[Measure, ...] = (
    Measure("internet_use", "using the Internet", "people", False),
    Measure("meaningful", "with meaningful connectivity", "people", False),
    Measure("basic_skills", "with at least basic digital skills", "people 15+", True),
    Measure("employed", "in work", "people 15+", True),
    Measure("smartphone", "owning a smartphone", "people 15+", True),
)
"""Person measures, reported as shares, people counts and gaps."""

MEASURE_BY_NAME = {m.name: m for m in MEASURES}

AGE_GROUPS_OF: dict[bool, tuple[str, ...]] = {
    False: ("5-12", "13-17", "18-24", "25-64", "65+", "15-24", "15+"),
    True: ("15-24", "25-64", "65+"),
}
"""Age groups reported for all-ages measures and for measures of persons 15+."""


@dataclass(frozen=True)
class Indicator:
    """One indicator family.

    Attributes:
        name: base name (before any ``:group``).
        label: in words, sentence case.
        unit: unit of the values.
        scale: ``share``, ``count``, ``ratio``, ``difference``, ``money`` or ``index``.
        counts: the population it counts: ``people``, ``people 15+``, ``households``,
            ``children``, ``workers`` or ``money``.
        better: ``higher``, ``lower``, ``parity`` (a ratio whose ideal is 1, or a difference
            between groups whose ideal is 0) or ``""``.
        dimensions: dimensions it is split by (``name:dimension=value``).
        per_policy: the suffix is a policy name, not a group.

    """

    name: str
    label: str
    unit: str
    scale: str
    counts: str
    better: str
    dimensions: tuple[str, ...] = ()
    per_policy: bool = False

    def groups(self) -> list[str]:
        """Every group this indicator is split by, as written after ``:``."""
        out = []
        for dim in self.dimensions:
            values = groups.DIMENSIONS[dim].values
            if dim == "age":
                adults = self.counts == "people 15+" or self.counts == "workers"
                values = AGE_GROUPS_OF[adults]
            out += [f"{dim}={v}" for v in values]
        return out


GAP_KINDS: dict[str, tuple[str, str, str, str, str]] = {
    "gps": ("gender parity score", "ratio", "women / men (1 = parity)", "sex=female", "sex=male"),
    "ratio_urban_rural": (
        "urban/rural ratio",
        "ratio",
        "urban / rural (1 = parity)",
        "location=urban",
        "location=rural",
    ),
    "diff_urban_rural": (
        "urban-rural difference",
        "difference",
        "urban minus rural",
        "location=urban",
        "location=rural",
    ),
    "ratio_q5_q1": (
        "richest/poorest fifth ratio",
        "ratio",
        "Q5 / Q1 (1 = parity)",
        "quintile=5",
        "quintile=1",
    ),
    "gap_age": ("age gap", "difference", "youth 15-24 minus 65+", "age=15-24", "age=65+"),
    "gap_disability": (
        "disability gap",
        "difference",
        "without minus with a disability",
        "disability=without",
        "disability=with",
    ),
}
"""Gap prefixes: words, scale, unit, and the two groups compared (first minus or over second)."""


def _measure_indicators(m: Measure) -> list[Indicator]:
    share_unit = f"share of {m.universe} (0-1)"
    out = [
        Indicator(
            f"share_{m.name}",
            f"Share of {m.universe} {m.words}",
            share_unit,
            "share",
            m.universe,
            "higher",
            PERSON_DIMENSIONS,
        ),
        Indicator(
            f"n_people_{m.name}",
            f"People {m.words}" + (" (15+)" if m.adults_only else ""),
            "people",
            "count",
            m.universe,
            "higher",
            PERSON_DIMENSIONS,
        ),
    ]
    for prefix, (words, scale, unit, _, _) in GAP_KINDS.items():
        what = m.words
        unit = f"difference of shares, {unit}" if scale == "difference" else f"ratio, {unit}"
        out.append(
            Indicator(
                f"{prefix}_{m.name}",
                f"{words[0].upper()}{words[1:]} of the share {what}",
                unit,
                scale,
                m.universe,
                "parity",
            )
        )
    return out


def _fixed() -> list[Indicator]:
    return [
        Indicator(
            "share_households_connected",
            "Share of households with a home connection",
            "share of households (0-1)",
            "share",
            "households",
            "higher",
            HOUSEHOLD_DIMENSIONS,
        ),
        Indicator(
            "n_households_connected",
            "Households with a home connection",
            "households",
            "count",
            "households",
            "higher",
            HOUSEHOLD_DIMENSIONS,
        ),
        Indicator(
            "share_households_meaningful",
            "Share of households with a meaningful home connection",
            "share of households (0-1)",
            "share",
            "households",
            "higher",
            HOUSEHOLD_DIMENSIONS,
        ),
        Indicator(
            "mean_income",
            "Mean household income",
            "US$ a month",
            "money",
            "households",
            "higher",
            HOUSEHOLD_DIMENSIONS,
        ),
        Indicator(
            "ratio_urban_rural_income",
            "Mean household income: urban/rural ratio",
            "ratio, urban / rural (1 = parity)",
            "ratio",
            "households",
            "parity",
        ),
        Indicator(
            "ratio_q5_q1_income",
            "Mean household income: richest/poorest fifth ratio",
            "ratio, Q5 / Q1 (1 = parity)",
            "ratio",
            "households",
            "parity",
        ),
        Indicator(
            "gini_income",
            "Gini index of income per person",
            "index (0 = equal, 1 = unequal)",
            "index",
            "people",
            "lower",
        ),
        Indicator(
            "palma_income",
            "Palma ratio of income per person (top 10% / bottom 40%)",
            "ratio",
            "ratio",
            "people",
            "lower",
        ),
        Indicator(
            "share_poor",
            "Share of people in poverty",
            "share of people (0-1)",
            "share",
            "people",
            "lower",
        ),
        Indicator(
            "share_working_poor",
            "Share of workers in poor households",
            "share of workers (0-1)",
            "share",
            "workers",
            "lower",
        ),
        Indicator(
            "share_unemployed",
            "Unemployment rate (since 2019)",
            "share of the labour force 15+ (0-1)",
            "share",
            "people 15+",
            "lower",
        ),
        Indicator(
            "share_labour_force",
            "Labour-force participation",
            "share of people 15+ (0-1)",
            "share",
            "people 15+",
            "higher",
        ),
        Indicator(
            "share_working_from_home",
            "Share of workers working from home",
            "share of workers (0-1)",
            "share",
            "workers",
            "",
        ),
        Indicator(
            "n_people_unemployed",
            "People unemployed after losing their job",
            "people",
            "count",
            "people 15+",
            "lower",
        ),
        Indicator(
            "n_people_working_from_home",
            "People working from home",
            "people",
            "count",
            "workers",
            "",
        ),
        Indicator(
            "n_people_left_labour_force",
            "People who left the labour force after losing their job",
            "people",
            "count",
            "people 15+",
            "lower",
        ),
        Indicator(
            "share_transfer",
            "Share of households receiving a transfer",
            "share of households (0-1)",
            "share",
            "households",
            "",
        ),
        Indicator(
            "share_children_no_remote_learning",
            "Share of children 5-12 unable to follow remote learning",
            "share of children 5-12 (0-1)",
            "share",
            "children",
            "lower",
        ),
        Indicator(
            "n_children_no_remote_learning",
            "Children 5-12 unable to follow remote learning",
            "children 5-12",
            "count",
            "children",
            "lower",
        ),
        Indicator(
            "n_children_cut_off_from_school",
            "Children 5-12 cut off from school while schools were closed",
            "children 5-12",
            "count",
            "children",
            "lower",
        ),
        Indicator(
            "cum_child_quarters_cut_off",
            "Child-quarters cut off from school (cumulative)",
            "child-quarters",
            "count",
            "children",
            "lower",
        ),
        Indicator(
            "worst_share_internet_use",
            "Internet use of the worst-off group",
            "share of people (0-1)",
            "share",
            "people",
            "higher",
        ),
        Indicator(
            "lag_worst_internet_use",
            "Lag of the worst-off group behind the average (Internet use)",
            "difference of shares, average minus worst-off group (0-1)",
            "difference",
            "people",
            "lower",
        ),
        Indicator("n_people", "People", "people", "count", "people", ""),
        Indicator("n_households", "Households", "households", "count", "households", ""),
        Indicator(
            "spend",
            "Spending of the policy (cumulative)",
            "US$ (cumulative)",
            "money",
            "money",
            "",
            per_policy=True,
        ),
        *(
            Indicator(
                f"spend_{item}",
                f"Spending of the policy on {label} (cumulative)",
                "US$ (cumulative)",
                "money",
                "money",
                "",
                per_policy=True,
            )
            for item, label in ITEMS.items()
        ),
        Indicator(
            "spend_pv",
            "Spending of the policy, present value at the run's start (cumulative)",
            "US$ (present value at the scenario's discount rate, cumulative)",
            "money",
            "money",
            "",
            per_policy=True,
        ),
        Indicator(
            "shortfall",
            "What the policy's full programme would have cost beyond its budget (cumulative)",
            "US$ (cumulative)",
            "money",
            "money",
            "lower",
            per_policy=True,
        ),
        Indicator(
            "n_subsidised",
            "Households whose subsidy from the policy is in use this quarter",
            "households",
            "count",
            "households",
            "",
            per_policy=True,
        ),
        Indicator(
            "n_new_connected",
            "Households reached by the policy that gained a home connection since 2019",
            "households",
            "count",
            "households",
            "higher",
            per_policy=True,
        ),
        Indicator(
            "n_new_online",
            "People reached by the policy who came online since 2019",
            "people",
            "count",
            "people",
            "higher",
            per_policy=True,
        ),
        Indicator(
            "cost_per_new_connected",
            "Spending per reached household newly connected (within one run, no counterfactual)",
            "US$ per household",
            "money",
            "money",
            "lower",
            per_policy=True,
        ),
    ]


INDICATORS: dict[str, Indicator] = {
    i.name: i for i in [*(x for m in MEASURES for x in _measure_indicators(m)), *_fixed()]
}
"""Every indicator family by base name."""


@dataclass(frozen=True)
class Described:
    """An indicator name resolved against the registry.

    Attributes:
        indicator: its family.
        group: the group after ``:`` (``None`` for everyone), or the policy name.
        label: full label in words, the group included.
        unit: unit of the values.

    """

    indicator: Indicator
    group: str | None
    label: str
    unit: str


def split(name: str) -> tuple[str, str | None]:
    """Base name and suffix of an indicator name."""
    base, _, suffix = name.partition(":")
    return base, (suffix or None)


def describe(name: str) -> Described:
    """Resolve an indicator name.

    Raises:
        KeyError: the name is not an indicator of the registry (or not one of its groups).

    """
    base, suffix = split(name)
    ind = INDICATORS[base]
    if suffix is None:
        return Described(ind, None, ind.label, ind.unit)
    if ind.per_policy:
        return Described(ind, suffix, f"{ind.label} - policy '{suffix}'", ind.unit)
    if suffix not in ind.groups():
        raise KeyError(name)
    return Described(ind, suffix, f"{ind.label} - {groups.label(suffix)}", ind.unit)


def is_known(name: str) -> bool:
    """The registry describes ``name``."""
    try:
        describe(name)
    except KeyError:
        return False
    return True


NAMES_LISTED_IN = "the indicator table of docs/ODD.md"
"""Where every indicator name and its groups are listed, for messages about unknown names."""


def unknown_hint(name: str, reported: Iterable[str] | None = None) -> str:
    """The fix for an indicator name the model does not know: the closest name, and where all are.

    Args:
        name: the name given.
        reported: the names a run reported, to match in full (``indicator:group``); None:
            match the base name against the registry.

    """
    word, among = (name, reported) if reported is not None else (split(name)[0], INDICATORS)
    return did_you_mean(word, among, listed_in=NAMES_LISTED_IN)


def label(name: str) -> str:
    """A plain-language name of an indicator; the name itself if unknown."""
    return describe(name).label if is_known(name) else name


def unit(name: str) -> str:
    """The unit of an indicator's values ('' if unknown)."""
    return describe(name).unit if is_known(name) else ""


def is_share(name: str) -> bool:
    """The indicator is a fraction (0-1) or a difference of fractions."""
    return is_known(name) and describe(name).indicator.scale in ("share", "difference")


HEADLINE = (
    "share_internet_use",
    "gps_internet_use",
    "ratio_urban_rural_internet_use",
    "ratio_q5_q1_internet_use",
    "gap_age_internet_use",
    "gap_disability_internet_use",
    "share_meaningful",
    "share_basic_skills",
    "share_employed",
    "gini_income",
    "share_children_no_remote_learning",
    "lag_worst_internet_use",
)
"""Indicators printed at the start and end of a run."""
