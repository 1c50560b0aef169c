"""Runs are checked against the region profile as it was when their experiment started."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from experiments.batch import runner
from experiments.batch.identity import region_sha256
from experiments.batch.runner import Task, simulate_task
from experiments.design.comparison import comparison
from model.errors import InputError
from model.loader import REGIONS_DIR
from tests.simhelpers import SCENARIOS, scenario_data


@pytest.fixture
def own_region(tmp_path: Path) -> Path:
    """A copy of the LAC profile in a folder of its own."""
    path = tmp_path / "mine.yaml"
    shutil.copy(REGIONS_DIR / "lac.yaml", path)
    return path


def _task(region: Path, digest: str) -> Task:
    data = scenario_data("lac/baseline.yaml") | {"region": str(region)}
    return Task(0, 1, 0, data, households=60, quarters=1, region_sha256=digest)


def test_a_run_refuses_a_region_profile_edited_after_its_experiment_started(own_region):
    digest = region_sha256(own_region)
    runner._loaded.cache_clear()  # a fresh worker
    assert simulate_task(_task(own_region, digest)).timeseries.shape[0] == 1
    own_region.write_text(own_region.read_text() + "\n# edited\n")
    runner._loaded.cache_clear()  # another worker, started after the edit
    with pytest.raises(InputError) as err:
        simulate_task(_task(own_region, digest))
    message = str(err.value)
    assert str(own_region) in message
    assert "changed after the experiment started" in message
    assert "new output folder" in message


def test_a_comparisons_runs_carry_the_digest_of_their_region(own_region, tmp_path):
    data = scenario_data("lac/baseline.yaml") | {"region": str(own_region)}
    scenario = tmp_path / "baseline.yaml"
    scenario.write_text(yaml.safe_dump(data))
    experiment, _ = comparison([scenario, SCENARIOS / "lac/four_is.yaml"], replications=2)
    digests = {t.scenario["region"]: t.region_sha256 for t in experiment.tasks()}
    assert digests == {
        str(own_region): region_sha256(own_region),
        "lac": region_sha256(REGIONS_DIR / "lac.yaml"),
    }
