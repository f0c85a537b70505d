"""The home's persistent Dagster instance ($ZHIRONG_HOME/dagster): every run — from the CLI,
the schedule, the sensor or the UI — is recorded there, so `dagster dev` shows them all."""

from __future__ import annotations

import shutil
from pathlib import Path

import dagster as dg

from warehouse.home import Home

# The instance settings every home starts with (pools, run log, telemetry off).
SETTINGS = Path(__file__).with_name("dagster.yaml")


def prepare(home: Home) -> Path:
    """The home's DAGSTER_HOME, with its dagster.yaml written if it has none (an operator's
    own edits are kept)."""
    home.dagster.mkdir(parents=True, exist_ok=True)
    settings = home.dagster / "dagster.yaml"
    if not settings.exists():
        shutil.copyfile(SETTINGS, settings)
    return home.dagster


def home_instance(home: Home) -> dg.DagsterInstance:
    """The home's persistent instance (SQLite storage under HOME/dagster)."""
    return dg.DagsterInstance.from_config(str(prepare(home)))
