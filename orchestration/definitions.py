"""The one Dagster `Definitions`: ingest, dbt and publish assets, the GX gates as blocking
checks, the refresh job, a nightly schedule and a sensor on the inbox.

`dagster dev -m orchestration.definitions` serves it; the `zhirong` CLI runs the same job
in-process."""

import os
from pathlib import Path

import dagster as dg

from orchestration.assets import (
    FileLimits,
    QualityRules,
    WarehouseWriter,
    ZhirongHome,
    dbt_models_for,
    ingest_submissions,
    mart_gate,
    published_warehouse,
    scorecard_packs,
)
from orchestration.dbt import DbtState, ensure_manifest
from orchestration.intake import settled_inbox
from orchestration.settings import (
    gate_settings_from_environment,
    lock_wait_from_environment,
    read_limits_from_environment,
)
from warehouse import arrivals
from warehouse.home import DEFAULT_HOME, Home

REFRESH_JOB = "refresh"

# One process runs a whole run, so the writer lock (a resource) is taken once and held
# from ingest to exports.
refresh_job = dg.define_asset_job(
    REFRESH_JOB,
    selection=dg.AssetSelection.all(),
    executor_def=dg.in_process_executor,
    description="The nightly job: ingest the inbox, build and test the models, publish, "
    "write the latest quarter's scorecard packs and the regulator workbook.",
)

nightly = dg.ScheduleDefinition(
    name="nightly_refresh",
    job=refresh_job,
    cron_schedule="0 2 * * *",
    execution_timezone="Asia/Shanghai",
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Every night at 02:00 Beijing time.",
)


@dg.sensor(
    job=refresh_job,
    minimum_interval_seconds=60,
    default_status=dg.DefaultSensorStatus.RUNNING,
)
def inbox_sensor(context: dg.SensorEvaluationContext, zhirong: ZhirongHome):
    """Start a refresh when files have settled in the inbox."""
    found = settled_inbox(zhirong.layout(), arrivals.SETTLE_SECONDS)
    if found is None:
        return dg.SkipReason("inbox is empty or files are still arriving")
    files, fingerprint = found
    if fingerprint != context.cursor:
        # The time a file is first seen here is its receipt time, even if the run that
        # takes it starts later (a queued run, the nightly job).
        arrivals.sight(zhirong.layout(), files)
        context.update_cursor(fingerprint)
    return dg.RunRequest(run_key=fingerprint, tags={"zhirong/files": str(len(files))})


def build_definitions(home: Path) -> dg.Definitions:
    """Definitions bound to one Zhirong home."""
    zhirong = ZhirongHome(root=str(home))
    dbt_models = dbt_models_for(DbtState.of(Home(home).ensure()))
    return dg.Definitions(
        assets=[ingest_submissions, dbt_models, published_warehouse, scorecard_packs],
        asset_checks=[mart_gate],
        jobs=[refresh_job],
        schedules=[nightly],
        sensors=[inbox_sensor],
        executor=dg.in_process_executor,
        resources={
            "zhirong": zhirong,
            "quality_rules": QualityRules.from_settings(gate_settings_from_environment()),
            "file_limits": FileLimits.from_limits(read_limits_from_environment()),
            "writer": WarehouseWriter(zhirong=zhirong, wait_seconds=lock_wait_from_environment()),
        },
    )


# Definitions already built in this process, per home, with the manifest they were built
# from: a long-lived worker builds them once, not once a run.
_BUILT: dict[Path, tuple[int, dg.Definitions]] = {}


def definitions_for(home: Home) -> dg.Definitions:
    """`build_definitions` for `home`, reused while its dbt manifest stands (a model, macro
    or seed changed since re-parses the project and builds them again)."""
    stamp = ensure_manifest(DbtState.of(home)).stat().st_mtime_ns
    built = _BUILT.get(home.root)
    if built is None or built[0] != stamp:
        built = _BUILT[home.root] = (stamp, build_definitions(home.root))
    return built[1]


@dg.definitions
def defs() -> dg.Definitions:
    """The definitions for $ZHIRONG_HOME, built when Dagster loads the code location (the
    dbt manifest is parsed into the home then, never at import)."""
    return build_definitions(Path(os.environ.get("ZHIRONG_HOME", str(DEFAULT_HOME))).resolve())
