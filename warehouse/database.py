"""The build warehouse: the one writer's DuckDB file, its ledger and raw views, and the
lock that keeps a second writer out for the whole of a run."""

from __future__ import annotations

import fcntl
import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from ingest.kinds import KINDS
from warehouse import ledger
from warehouse.home import Home
from warehouse.raw import ensure_raw, view_sql

# The writer's DuckDB settings: bounded memory (DuckDB would take 80% of RAM), and no
# insertion order to keep where none is needed.
BUILD_CONFIG = {"memory_limit": "1536MB", "preserve_insertion_order": False}
# How long a second writer waits for the first by default, and how often it looks.
DEFAULT_WAIT_SECONDS = 0.0
_POLL_SECONDS = 0.2


class WarehouseBusy(RuntimeError):
    """Another process holds the build warehouse."""


# Locks this process holds, by lock file: a run takes the lock once and every step within
# it (and the CLI around it) re-enters it instead of queueing behind itself.
_held: dict[Path, list] = {}
_held_guard = threading.Lock()


@contextmanager
def writer_lock(
    home: Home,
    wait_seconds: float = DEFAULT_WAIT_SECONDS,
    on_wait: Callable[[float], None] | None = None,
) -> Iterator[bool]:
    """Hold the single-writer lock for the build warehouse (DuckDB allows one writer per
    file). If another process holds it, wait up to `wait_seconds` (telling `on_wait`
    once), then fail with a bilingual reason. Re-entrant within a process; yields True for
    the outermost holder, which is the one that should settle a crashed run's leftovers."""
    home.build_dir.mkdir(parents=True, exist_ok=True)
    key = home.writer_lock.resolve()
    with _held_guard:
        entry = _held.get(key)
        if entry is not None:
            entry[1] += 1
    if entry is not None:
        try:
            yield False
        finally:
            with _held_guard:
                entry[1] -= 1
        return
    handle = open(key, "a+")  # noqa: SIM115 — held across the yield
    try:
        _acquire(handle, home, wait_seconds, on_wait)
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        with _held_guard:
            _held[key] = [handle, 1]
        try:
            yield True
        finally:
            with _held_guard:
                _held.pop(key, None)
            fcntl.flock(handle, fcntl.LOCK_UN)
    finally:
        handle.close()


def _acquire(
    handle, home: Home, wait_seconds: float, on_wait: Callable[[float], None] | None
) -> None:
    deadline = time.monotonic() + max(0.0, wait_seconds)
    told = False
    while True:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() >= deadline:
                raise WarehouseBusy(
                    "另一个进程正在写入构建库（可能有刷新正在运行），请稍后再试 / another process "
                    f"is writing the build warehouse (a refresh may be running): "
                    f"{home.build_db}"
                ) from None
            if not told and on_wait is not None:
                on_wait(wait_seconds)
                told = True
            time.sleep(min(_POLL_SECONDS, max(0.0, deadline - time.monotonic())))


def holds_lock(home: Home) -> bool:
    """Whether this process holds the home's writer lock."""
    with _held_guard:
        return home.writer_lock.resolve() in _held


def connect_build(home: Home) -> duckdb.DuckDBPyConnection:
    """Open the build warehouse, make sure its ledger exists, and point the `raw.<kind>`
    views at the raw store."""
    home.build_dir.mkdir(parents=True, exist_ok=True)
    ensure_raw(home)
    con = duckdb.connect(str(home.build_db), config=dict(BUILD_CONFIG))
    ledger.ensure(con)
    con.execute("create schema if not exists raw")
    for kind in KINDS:
        con.execute(view_sql(home, kind))
    return con
