"""Crash points: the moments in the life of a file and of a run where a crash would leave
the most to settle. Tests and `bench/crash.py` set `ZHIRONG_CRASH_AT=<point>` (optionally
`<point>:<n>` for its n-th passage) on a process, which is then killed right there with
SIGKILL — no cleanup, no `finally`, exactly like `kill -9` or a power cut. Unset, a point
costs one dictionary look-up."""

from __future__ import annotations

import os
import signal

# In the order a refresh passes them.
POINTS = (
    "claimed",  # ids and claims committed, no file moved yet
    "received",  # files moved or copied into received/, ledger not written
    "staged",  # accepted rows written to raw/.incoming, ledger not written
    "recorded",  # ledger committed, rows not yet moved into the store
    "promoted",  # rows in the store, findings reports not written
    "reported",  # reports written, claims of copied inbox files not yet released
    "ingested",  # ingest step done, dbt not started
    "built",  # dbt done, mart gate and publish not started
    "publishing",  # the new version written under its .partial name, not renamed
    "published",  # published, exports not written
)
_passed: dict[str, int] = {}


def crash_point(point: str) -> None:
    """Die here if this process was told to (see the module docstring)."""
    wanted = os.environ.get("ZHIRONG_CRASH_AT")
    if not wanted:
        return
    name, _, nth = wanted.partition(":")
    if name != point:
        return
    _passed[point] = _passed.get(point, 0) + 1
    if _passed[point] >= int(nth or 1):
        os.kill(os.getpid(), signal.SIGKILL)
