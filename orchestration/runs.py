"""One run of the refresh job in this process — all of it, or its ingest or build steps —
and what it did, as the CLI and the warm worker tell it."""

from __future__ import annotations

import logging
import sys
import time
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from warehouse.home import Home

if TYPE_CHECKING:
    from warehouse.ledger import RunOutcome as LedgerOutcome


def err(message: str) -> None:
    """A line for the person at the terminal, on stderr (stdout stays for results)."""
    print(message, file=sys.stderr, flush=True)


@dataclass
class RunOutcome:
    """What a run of the refresh job did, told to the user."""

    home: Home
    success: bool
    failures: list[str]
    ledger: LedgerOutcome | None
    published: Path | None
    seconds: float

    @property
    def clean(self) -> bool:
        """The run succeeded and rejected no file."""
        return self.success and not (self.ledger and self.ledger.rejected)

    def report(self) -> bool:
        """Print the outcome (results on stdout, failures on stderr); whether it was clean."""
        done = self.ledger
        if done and (done.accepted or done.rejected or done.duplicates):
            print(
                f"接收 accepted {done.accepted} · 拒收 rejected {done.rejected} · "
                f"重复 duplicate {done.duplicates} · 预警 warnings {done.warnings}"
            )
        for rejection in done.rejections if done else []:
            same = rejection.same_bytes_as
            print(
                f"拒收 rejected #{rejection.submission_id} {rejection.file_name}: "
                f"{rejection.errors} 个错误 errors"
                + (f"（与 #{same} 字节相同 same bytes as #{same}）" if same else "")
            )
            for finding in rejection.findings:
                print(f"    {finding}")
        if self.published:
            print(f"已发布 published: {self.published}")
        for failure in self.failures:
            err(f"失败 failed: {failure}")
        if not self.success and not self.published:
            err("已发布的数据仓库保持不变 / the published warehouse is unchanged")
        print(f"用时 took {self.seconds:.1f} s", flush=True)
        return self.clean


def run_refresh(
    home: Home,
    steps: str,
    files: list[str] | None = None,
    wait_seconds: float = 0.0,
    freeze_period: str | None = None,
    instance=None,
) -> RunOutcome | None:
    """Execute the Dagster refresh job in-process — all of it, or only its ingest or build
    steps — holding the home's writer lock from the first step to the last, recorded in
    `instance` (a long-lived worker's) or the home's own Dagster instance. None (after
    saying so) when another writer kept the lock for longer than `wait_seconds`."""
    import dagster as dg

    from orchestration.assets import ingest_submissions
    from orchestration.definitions import REFRESH_JOB, definitions_for
    from orchestration.instance import home_instance
    from orchestration.recovery import hold_run
    from warehouse.database import WarehouseBusy
    from warehouse.publish import published_by

    started = time.monotonic()
    home.ensure()
    progress = logging.getLogger("zhirong.progress")

    def waiting(seconds: float) -> None:
        err(
            f"另一个进程正在写入此数据仓库，最多等待 {seconds:g} 秒 / another run is writing "
            f"this warehouse; waiting up to {seconds:g} s …"
        )

    try:
        with hold_run(home, wait_seconds, waiting, progress=progress.info):
            clock = time.monotonic()
            defs = definitions_for(home)
            progress.info(
                "── 准备 prepared: Dagster definitions, dbt manifest: %.1f s ──",
                time.monotonic() - clock,
            )
            job = defs.resolve_job_def(REFRESH_JOB)
            graph = defs.resolve_asset_graph()
            ingest_keys = set(ingest_submissions.keys)
            everything = set(graph.get_all_asset_keys())
            selection = {
                "ingest": ingest_keys,
                "build": everything - ingest_keys,
                "all": everything,
            }[steps]
            run_config = {
                "loggers": {"console": {"config": {"log_level": "CRITICAL"}}},
            }
            ops = {}
            if steps != "build":
                ops["ingest_submissions"] = {"config": {"files": files or []}}
            if freeze_period:
                ops["dbt_models"] = {"config": {"freeze_period": freeze_period}}
            if ops:
                run_config["ops"] = ops
            # The home's own instance: the Dagster UI shows this run like any other.
            with nullcontext(instance) if instance else home_instance(home) as instance:
                result = job.execute_in_process(
                    run_config=run_config,
                    instance=instance,
                    asset_selection=list(selection),
                    raise_on_error=False,
                )
                failures = [
                    _failure_text(event)
                    for event in result.all_events
                    if event.event_type == dg.DagsterEventType.STEP_FAILURE
                ]
            done = _ledger_outcome(home, result.run_id)
    except WarehouseBusy as busy:
        err(f"拒绝 refused: {busy}")
        return None
    published = published_by(home, result.run_id)
    success = result.success
    if success and steps != "ingest" and not published:
        # Dagster skips a step whose upstream asset was not materialized, and calls the run
        # a success: a build that leaves the published warehouse as it was must not.
        success = False
        failures.append(
            "发布步骤未运行（上游资产未物化）/ the publish step did not run (an asset "
            "upstream of it was not materialized)"
        )
    return RunOutcome(
        home=home,
        success=success,
        failures=failures,
        ledger=done,
        published=home.published_db if published else None,
        seconds=time.monotonic() - started,
    )


def _ledger_outcome(home: Home, run_id: str) -> LedgerOutcome | None:
    """What the run wrote to the ledger (read back from the ledger itself)."""
    import duckdb

    from warehouse.ledger import run_outcome

    if not home.build_db.exists():
        return None
    con = duckdb.connect(str(home.build_db), read_only=True)
    try:
        return run_outcome(con, run_id)
    finally:
        con.close()


def _failure_text(event) -> str:
    """The root cause of a failed step, not Dagster's wrapper around it."""
    error = event.event_specific_data.error
    if error is None:
        return f"{event.step_key}: {event.message}"
    while error.cause is not None:
        error = error.cause
    message = error.message.strip()
    if error.cls_name == "Failure":
        # Our own dg.Failure: its description is the message.
        message = message.removeprefix("dagster._core.definitions.events.Failure: ")
    return f"{event.step_key}: {message}"
