"""The arrival log: when the warehouse first saw each file's bytes, by its own clock.

A file's receipt time decides whether it was on time (contract §7, data quality). The
sender sets a file's modification time (`scp -p`, `touch`), so it is never used for that;
the time a file is first seen in the inbox is. The log holds one entry per SHA-256,
`arrivals/<first two hex digits>/<sha256>`, written once with O_EXCL — the first sighting
wins and nothing rewrites it, so the sensor and a run may both note a file without a lock.
Keyed by content: replacing a file's bytes after it was seen makes a new arrival."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

from warehouse.home import Home
from warehouse.received import sha256_of

_FORMAT = "%Y-%m-%dT%H:%M:%S.%f"
# A file changed less than this long ago may still be being copied into the inbox: the
# sensor and the worker leave the inbox alone until its newest file is this old.
SETTLE_SECONDS = 30.0


def now() -> datetime:
    """The warehouse's clock: UTC, without a zone (as the ledger stores times)."""
    return datetime.now(UTC).replace(tzinfo=None)


def _entry(home: Home, sha256: str) -> Path:
    return home.arrivals / sha256[:2] / sha256


def first_seen(home: Home, sha256: str) -> datetime | None:
    """When these bytes were first seen, if they have been."""
    try:
        return datetime.strptime(_entry(home, sha256).read_text().strip(), _FORMAT)
    except (FileNotFoundError, ValueError):
        return None


def note(home: Home, sha256: str, at: datetime) -> datetime:
    """Record that these bytes were seen at `at` unless they were seen before; return the
    first sighting."""
    entry = _entry(home, sha256)
    entry.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(entry, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    except FileExistsError:
        return first_seen(home, sha256) or at
    with os.fdopen(fd, "w") as handle:
        handle.write(at.strftime(_FORMAT) + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    return at


def sight(home: Home, paths: list[Path], at: datetime | None = None) -> None:
    """Note the regular files among `paths` as seen now (or at `at`): the inbox sensor calls
    this on every settled file, so a file waiting for the nightly run keeps the time it
    came. A file that vanished meanwhile is simply not noted."""
    at = at or now()
    for path in paths:
        try:
            if path.is_symlink() or not path.is_file():
                continue
            note(home, sha256_of(path), at)
        except OSError:
            continue
