"""Folders the tests read: the shipped scenarios and the test data."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ROOT / "scenarios"
REGIONS = SCENARIOS / "regions"
DATA = Path(__file__).resolve().parent / "data"
BAD = DATA / "bad"
