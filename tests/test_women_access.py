"""Women's access to a device of their own, given by year: written, read, and acted on."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import pytest

from model.errors import InputError
from model.inclusion_model import InclusionModel
from model.loader import load_region, load_scenario
from model.schema import YearlyShareFigure
from tests.paths import ROOT

REGIONS = ROOT / "scenarios" / "regions"


def test_a_share_given_by_year_starts_from_its_first_year_and_moves_between_mid_years() -> None:
    fig = YearlyShareFigure.model_validate({2019: 0.64, 2022: 0.64, 2024: 0.71, "source": "GSMA"})
    assert fig.value == 0.64
    assert fig.at(2019.875) == pytest.approx(0.64)
    assert fig.at(2023.5) == pytest.approx(0.675)  # half way from mid-2022 to mid-2024
    assert fig.at(2030.0) == pytest.approx(0.71)
    constant = YearlyShareFigure.model_validate({"value": 0.8, "source": "GSMA"})
    assert constant.by_year == {} and constant.at(2024.5) == 0.8


def test_the_africa_table_gives_gsmas_share_year_by_year() -> None:
    access = load_region(REGIONS / "africa.yaml").composition.women_device_access
    gsma_gap = {2019: 0.36, 2020: 0.37, 2021: 0.37, 2022: 0.36, 2023: 0.32, 2024: 0.29}
    assert access.by_year == {year: pytest.approx(1 - gap) for year, gap in gsma_gap.items()}


def _region_with_access(tmp_path: Path, rows: str) -> Path:
    """A copy of the Africa profile whose table gives women's access as ``rows``."""
    shutil.copy(REGIONS / "africa.yaml", tmp_path / "africa.yaml")
    lines = (REGIONS / "africa.csv").read_text(encoding="utf-8").splitlines()
    kept = [ln for ln in lines if not ln.startswith("composition.women_device_access")]
    (tmp_path / "africa.csv").write_text("\n".join([*kept, rows]) + "\n", encoding="utf-8")
    return tmp_path / "africa.yaml"


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        (
            "composition.women_device_access.2019,0.64,,GSMA\n"
            "composition.women_device_access.1999,0.7,,GSMA",
            "composition.women_device_access.1999: '1999' is not a year from 2019. Fix: write "
            "the year the share describes after the key",
        ),
        (
            "composition.women_device_access.2019,0.64,,GSMA\n"
            "composition.women_device_access.2023,1.3,,GSMA",
            "composition.women_device_access.2023: 1.3 is out of range: it must be at most 1",
        ),
    ],
)
def test_a_bad_year_or_share_in_the_table_gets_one_clear_message(
    tmp_path: Path, rows: str, message: str
) -> None:
    with pytest.raises(InputError) as caught:
        load_region(_region_with_access(tmp_path, rows))
    last_line = len((tmp_path / "africa.csv").read_text(encoding="utf-8").splitlines())
    assert f"africa.csv:{last_line}: {message}" in str(caught.value)


@pytest.mark.parametrize(
    ("written", "key"),
    [
        ("    2019: 0.63\n    2023: 1.3\n", "composition.women_device_access.2023"),
        (
            "    value: 0.63\n    by_year: {2019: 0.63, 2023: 1.3}\n",
            "composition.women_device_access.by_year[2023]",
        ),
    ],
)
def test_a_bad_share_given_by_year_in_yaml_is_reported_at_the_key_its_author_wrote(
    tmp_path: Path, written: str, key: str
) -> None:
    """Both bad lines are the second under the key, where the message must point."""
    text = (REGIONS / "ldc.yaml").read_text(encoding="utf-8")
    head = "  women_device_access:\n"
    start = text.index(head) + len(head)
    end = text.index("    source:", start)
    (tmp_path / "ldc.yaml").write_text(text[:start] + written + text[end:], encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_region(tmp_path / "ldc.yaml")
    line = text[:start].count("\n") + 2
    assert f"ldc.yaml:{line}: {key}: 1.3 is out of range: it must be at most 1" in str(caught.value)


def test_a_value_that_is_not_the_first_years_share_is_refused() -> None:
    with pytest.raises(ValueError, match="is not the first year's share"):
        YearlyShareFigure.model_validate({"value": 0.5, "by_year": {2019: 0.64}, "source": "GSMA"})


def _women_online_2024(access: YearlyShareFigure) -> tuple[float, float, int]:
    loaded = load_scenario(ROOT / "scenarios" / "africa" / "baseline.yaml")
    comp = loaded.region.composition.model_copy(update={"women_device_access": access})
    region = loaded.region.model_copy(update={"composition": comp})
    model = InclusionModel(dataclasses.replace(loaded, region=region), seed=3, households=3000)
    model.run(4 * 5 + 1)  # 2019Q4 to 2024Q4
    p = model.p
    women, men = p.is_female & (p.age >= 13), ~p.is_female & (p.age >= 13)
    return p.is_online[women].mean(), p.is_online[men].mean(), int(model.women_held.sum())


def test_a_rising_share_brings_the_released_women_online_and_leaves_men_as_they_were() -> None:
    flat = YearlyShareFigure.model_validate({"value": 0.64, "source": "GSMA"})
    rising = YearlyShareFigure.model_validate(
        {2019: 0.64, 2022: 0.64, 2024: 0.80, "source": "GSMA"}
    )
    women_flat, men_flat, held_flat = _women_online_2024(flat)
    women_rising, men_rising, held_rising = _women_online_2024(rising)
    assert men_rising == men_flat
    assert held_rising < 0.65 * held_flat  # 20 of the 36 points held are released by 2024Q4
    assert women_rising > women_flat + 0.01
