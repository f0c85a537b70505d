"""`zhirong worker`: the home's writer, kept warm. One long-lived process watches the inbox as
the Dagster sensor does (files settled, each set of files taken once) and runs the refresh
job in itself, so the imports, the GX suites, the Dagster definitions and dbt's parsed
project are paid once, when it starts, not by every run: a bank's resubmission costs what
its own files and the build cost. Between runs it holds nothing; a `zhirong refresh`
meanwhile simply takes the writer lock in turn. Asked to stop, it finishes the run in
progress first."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from orchestration.runs import RunOutcome, err, run_refresh
from warehouse.home import Home

progress = logging.getLogger("zhirong.progress")


@dataclass
class Worker:
    """Refreshes `home` whenever a new set of files has settled in its inbox."""

    home: Home
    settle_seconds: float
    poll_seconds: float
    wait_seconds: float
    # What the last run took (the inbox's fingerprint): files it could not take stay in
    # the inbox, and must not start a run every poll.
    taken: str | None = field(default=None)
    # The home's Dagster instance, opened once (each opening checks its stores' schemas).
    instance: Any = field(default=None)

    def warm_up(self) -> float:
        """Import and build what every run needs — Dagster's definitions and dbt's parsed
        project, every GX suite of the gate and the mart gate, dbt's adapter — and return
        the seconds it took."""
        clock = time.perf_counter()
        from orchestration import dbt
        from orchestration.assets import shared_gate, shared_mart_gate
        from orchestration.definitions import definitions_for
        from orchestration.instance import home_instance
        from orchestration.settings import gate_settings_from_environment

        definitions_for(self.home.ensure())
        dbt.warm_up(dbt.DbtState.of(self.home))
        if self.instance is None:
            self.instance = home_instance(self.home)
        settings = gate_settings_from_environment()
        shared_gate(settings).warm_up()
        shared_mart_gate(settings).warm_up()
        return time.perf_counter() - clock

    def due(self) -> tuple[list[Path], str] | None:
        """The inbox's files and their fingerprint when they have settled and are not the
        set the last run took; None otherwise."""
        from orchestration.intake import inbox_files, settled_inbox

        found = settled_inbox(self.home, self.settle_seconds)
        if found is None:
            if not inbox_files(self.home):
                self.taken = None  # the same names sent again later are new files
            return None
        return None if found[1] == self.taken else found

    def run_once(self) -> RunOutcome | None:
        """One refresh of the inbox if files are due; None when none are (or another writer
        kept the lock past `wait_seconds`, said on stderr)."""
        from warehouse import arrivals

        found = self.due()
        if found is None:
            return None
        files, fingerprint = found
        # The time a file is first seen settled is its receipt time, as with the sensor.
        arrivals.sight(self.home, files)
        self.taken = fingerprint
        progress.info("收件箱 inbox: %d 个文件 file(s) settled, refreshing", len(files))
        outcome = run_refresh(
            self.home, steps="all", wait_seconds=self.wait_seconds, instance=self.instance
        )
        if outcome is None:
            self.taken = None  # another writer kept the lock: these files are still due
        return outcome

    def serve(self, stop: threading.Event, told: Callable[[RunOutcome], None]) -> None:
        """Poll the inbox until `stop` is set, telling each run's outcome to `told`. A run that
        fails is told like any other and the worker goes on: the next files still come in (a
        failed step leaves the published warehouse as it was). Each run goes on in its own
        thread, to its end: Dagster takes Ctrl-C and SIGTERM only on the main thread, where
        here they just set `stop`, so the worker stops between runs."""
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="zhirong-run") as runs:
            while not stop.is_set():
                try:
                    # The main thread waits here, and still runs signal handlers meanwhile.
                    outcome = runs.submit(self.run_once).result()
                except Exception as exc:  # noqa: BLE001 — one bad run must not stop the writer
                    err(f"运行失败 run failed: {type(exc).__name__}: {exc}")
                    outcome = None
                if outcome is not None:
                    told(outcome)
                    continue  # files may have come while it ran
                stop.wait(self.poll_seconds)
        if self.instance is not None:
            self.instance.dispose()
            self.instance = None
