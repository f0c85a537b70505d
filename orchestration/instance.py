"""The home's persistent Dagster instance ($ZHIRONG_HOME/dagster): every run — from the CLI,
the schedule, the sensor or the UI — is recorded there, so `dagster dev` shows them all."""

from __future__ import annotations

import shutil
import sqlite3
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path

import dagster as dg
import yaml
from dagster._core.storage.event_log.sqlite.sqlite_event_log import (
    INDEX_SHARD_NAME,
    SQLITE_BUSY_TIMEOUT_SECONDS,
    SqliteEventLogStorage,
)
from sqlalchemy import Connection, Engine, create_engine

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
    """The home's persistent instance (SQLite storage under HOME/dagster). Its run log is
    Dagster's own SQLite run log, files and all, written through `HomeEventLogStorage`
    unless the home's dagster.yaml chooses its storage itself."""
    from dagster._core.instance.ref import InstanceRef

    _commit_without_waiting_for_the_disk()
    folder = prepare(home)
    chosen = yaml.safe_load((folder / "dagster.yaml").read_text()) or {}
    if any(key in chosen for key in _STORAGE_KEYS):
        return dg.DagsterInstance.from_config(str(folder))
    runs = folder / "history" / "runs"
    storage = {"module": __name__, "class": "HomeEventLogStorage"}
    ref = InstanceRef.from_dir(
        str(folder),
        overrides={"event_log_storage": {**storage, "config": {"base_dir": str(runs)}}},
    )
    return dg.DagsterInstance.from_ref(ref)


# A dagster.yaml naming any of these has chosen where runs are recorded: left as it is.
_STORAGE_KEYS = ("storage", "run_storage", "event_log_storage", "schedule_storage")
# Run logs kept open at once besides the index: the run being written, and a few the UI of
# the same process may read.
_RUN_LOGS_KEPT = 4


class HomeEventLogStorage(SqliteEventLogStorage):
    """Dagster's SQLite run log (the same files, one per run plus the index) with each file's
    connection kept open between events. Dagster's own opens an engine, checks the schema's
    revision, connects, commits and closes for every event — ~5 ms each, ~650 events a
    refresh — where a kept connection costs ~1 ms. Writes stay one transaction per event,
    serialised by the storage's lock, so a reader (`dagster dev`) sees what it always did."""

    def __init__(self, base_dir: str, inst_data=None):
        self._engines: OrderedDict[str, Engine] = OrderedDict()
        self._tables: set[str] = set()
        super().__init__(base_dir, inst_data)

    @classmethod
    def from_config_value(cls, inst_data, config_value) -> HomeEventLogStorage:
        # Dagster's own method builds SqliteEventLogStorage by name, not `cls`.
        return cls(inst_data=inst_data, **config_value)

    @contextmanager
    def _connect(self, shard: str) -> Iterator[Connection]:
        with self._db_lock:
            engine = self._engines.pop(shard, None)
            if engine is None:
                engine = create_engine(
                    self.conn_string_for_shard(shard),
                    # One connection at a time, under the lock, from whichever thread logs.
                    connect_args={
                        "timeout": SQLITE_BUSY_TIMEOUT_SECONDS,
                        "check_same_thread": False,
                    },
                )
                if shard not in self._initialized_dbs:
                    self._initdb(engine)
                    self._initialized_dbs.add(shard)
            self._engines[shard] = engine
            while len(self._engines) > _RUN_LOGS_KEPT + 1:
                oldest = next(name for name in self._engines if name != INDEX_SHARD_NAME)
                self._engines.pop(oldest).dispose()
            with engine.connect() as conn, conn.begin():
                yield conn

    def has_table(self, table_name: str) -> bool:
        # Asked before every asset check event; a table once there stays there.
        if table_name not in self._tables and super().has_table(table_name):
            self._tables.add(table_name)
        return table_name in self._tables

    def dispose(self) -> None:
        with self._db_lock:
            while self._engines:
                self._engines.popitem()[1].dispose()
        super().dispose()


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
