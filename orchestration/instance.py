"""The home's persistent Dagster instance ($ZHIRONG_HOME/dagster): every run — from the CLI,
the schedule, the sensor or the UI — is recorded there, so `dagster dev` shows them all."""

from __future__ import annotations

import shutil
import sqlite3
from functools import cache
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
    _commit_without_waiting_for_the_disk()
    return dg.DagsterInstance.from_config(str(prepare(home)))


@cache
def _commit_without_waiting_for_the_disk() -> None:
    """Dagster's SQLite stores (in WAL mode) commit every run event with an fsync — a
    refresh records some 300 of them. With `synchronous=NORMAL` a commit survives the
    process being killed, only not a power cut, and the run log is not the record of what
    was received or accepted (the ledger, in DuckDB, is)."""
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    @event.listens_for(Engine, "connect")
    def _synchronous_normal(connection, _record) -> None:
        if isinstance(connection, sqlite3.Connection):
            cursor = connection.cursor()
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()
