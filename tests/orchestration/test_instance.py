"""The home's Dagster instance: runs written through kept connections read back with
Dagster's own storage (what `dagster dev` uses), an operator's own storage kept, and a
long-lived process not holding every run log open."""

import os
import time
from pathlib import Path

import dagster as dg
import pytest
from dagster._core.events import DagsterEvent, DagsterEventType, StepMaterializationData
from dagster._core.events.log import EventLogEntry
from dagster._core.storage.event_log.sqlite.sqlite_event_log import SqliteEventLogStorage

from orchestration.instance import HomeEventLogStorage, home_instance


@pytest.mark.integration
def test_a_refresh_recorded_by_the_home_reads_back_whole_in_dagsters_own_storage(
    scorecard_home,
):
    with home_instance(scorecard_home) as ours:
        assert isinstance(ours.event_log_storage, HomeEventLogStorage)
    # What `dagster dev` opens: the same files through Dagster's own SQLite storage.
    with dg.DagsterInstance.from_config(str(scorecard_home.dagster)) as theirs:
        assert type(theirs.event_log_storage) is SqliteEventLogStorage
        # The fixture's refresh is the home's first run (other tests run on it later).
        run = theirs.get_runs()[-1]
        assert run.status == dg.DagsterRunStatus.SUCCESS
        events = theirs.all_logs(run.run_id)
        kinds = [e.dagster_event.event_type for e in events if e.dagster_event]
        # Every check planned has its evaluation, every asset planned was materialized or
        # left as it was (seeds already loaded, views with the same SQL) — nothing lost.
        planned = kinds.count(DagsterEventType.ASSET_CHECK_EVALUATION_PLANNED)
        assert planned > 100
        assert kinds.count(DagsterEventType.ASSET_CHECK_EVALUATION) == planned
        assert kinds[-1] == DagsterEventType.RUN_SUCCESS
        materialized = {
            e.dagster_event.asset_key
            for e in events
            if e.dagster_event
            and e.dagster_event.event_type == DagsterEventType.ASSET_MATERIALIZATION
        }
        assert dg.AssetKey(["published", "warehouse"]) in materialized
        assert dg.AssetKey(["marts", "bank_loan_metrics"]) in materialized


def test_a_home_whose_settings_choose_the_storage_keeps_it(home):
    elsewhere = home.root / "elsewhere"
    home.dagster.mkdir(parents=True, exist_ok=True)
    (home.dagster / "dagster.yaml").write_text(
        f"storage:\n  sqlite:\n    base_dir: {elsewhere}\ntelemetry:\n  enabled: false\n"
    )
    with home_instance(home) as instance:
        assert type(instance.event_log_storage) is SqliteEventLogStorage
    assert (elsewhere / "history" / "runs").is_dir()


def _materialization(run_id: str) -> EventLogEntry:
    return EventLogEntry(
        error_info=None,
        level=20,
        user_message="",
        run_id=run_id,
        timestamp=time.time(),
        step_key="step",
        dagster_event=DagsterEvent(
            DagsterEventType.ASSET_MATERIALIZATION.value,
            "job",
            event_specific_data=StepMaterializationData(dg.AssetMaterialization(["a"])),
        ),
    )


def _open_logs(folder: Path) -> set[str]:
    """The run logs (SQLite files) under `folder` this process has open."""
    opened = set()
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue
        if target.startswith(str(folder)):
            opened.add(Path(target).name.split(".db")[0])
    return opened


def test_a_long_lived_process_keeps_only_the_latest_run_logs_open(tmp_path):
    storage = HomeEventLogStorage(str(tmp_path))
    try:
        for number in range(12):
            storage.store_event(_materialization(f"run-{number:02d}"))
        opened = _open_logs(tmp_path)
        # The index and the four latest runs; the first eight were closed on the way.
        assert opened <= {"index", "run-08", "run-09", "run-10", "run-11"}
        assert "run-11" in opened
        # Every event is there, read back by Dagster's own storage.
        theirs = SqliteEventLogStorage(str(tmp_path))
        for number in range(12):
            [entry] = theirs.get_logs_for_run(f"run-{number:02d}")
            assert entry.dagster_event.event_type == DagsterEventType.ASSET_MATERIALIZATION
    finally:
        storage.dispose()
    assert _open_logs(tmp_path) == set()
