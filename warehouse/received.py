"""The received store: every file ever sent, kept forever under
`received/<UTC date>/<submission id>-<name>`. An inbox entry is moved there by rename — a
regular file, a symbolic link (the link itself, never its target), a pipe or an unreadable
file alike, nothing is opened to do it; a file named elsewhere is copied and left where it
is. The ledger's claim on the file is committed before it moves (`warehouse.ledger`), so a
crash at any point can be undone or completed (`orchestration.recovery`)."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import stat
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from warehouse.disk import flush

MOVE, COPY, COPY_THEN_REMOVE = "move", "copy", "copy_then_remove"
# The kept name carries the submission id; the rest of the name is cut to stay well inside
# a file system's 255 bytes, with room for `.findings.xlsx` and `.partial`.
_MAX_STORED_NAME_BYTES = 200
_UNSAFE = re.compile(r"[^\w.\-\u4e00-\u9fff()（）]+")
PARTIAL = ".partial"


@dataclass(frozen=True)
class Receipt:
    """A file taken in: where it came from, where it is kept and its fingerprint."""

    submission_id: int
    source: Path
    stored: Path
    sha256: str
    size_bytes: int
    # When the sender's transfer says it delivered the file (its modification time).
    submitted_at: datetime
    received_at: datetime

    @property
    def name(self) -> str:
        """The file's name as sent, printable (bytes that are not UTF-8 shown as �)."""
        return printable(self.source.name)


def printable(name: str) -> str:
    """`name` with any byte that is not UTF-8 (a file system hands those over as surrogates)
    replaced by �, so it can be printed, stored and written into a report."""
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def stored_path(received_dir: Path, submission_id: int, name: str, at: datetime) -> Path:
    """Where submission `submission_id`, sent as `name`, is kept."""
    safe = _UNSAFE.sub("_", printable(name)) or "file"
    prefix = f"{submission_id}-"
    budget = _MAX_STORED_NAME_BYTES - len(prefix)
    if len(safe.encode()) > budget:
        suffix = Path(safe).suffix if len(Path(safe).suffix) <= 16 else ""
        stem = safe[: len(safe) - len(suffix)]
        while len((stem + suffix).encode()) > budget:
            stem = stem[:-1]
        safe = stem + suffix
    return received_dir / at.strftime("%Y-%m-%d") / (prefix + safe)


def how_to_keep(source: Path, inbox: Path) -> str:
    """MOVE for an entry of the inbox, COPY for a file named elsewhere (left in place)."""
    try:
        source.parent.resolve().relative_to(inbox.resolve())
    except ValueError:
        return COPY
    return MOVE


def keep(source: Path, stored: Path, how: str) -> str:
    """Put `source` at `stored` and say how it was done: by rename for MOVE (if the inbox
    is on another file system, a copy, and the source goes once the ledger has committed:
    COPY_THEN_REMOVE), by copy for COPY. A link is kept as a link; nothing is followed."""
    stored.parent.mkdir(parents=True, exist_ok=True)
    if how == MOVE:
        try:
            os.rename(source, stored)
            return MOVE
        except OSError:
            how = COPY_THEN_REMOVE
    partial = stored.with_name(stored.name + PARTIAL)
    _remove(partial)
    entry = source.lstat()
    if stat.S_ISLNK(entry.st_mode):
        os.symlink(os.readlink(source), partial)
    elif stat.S_ISREG(entry.st_mode):
        shutil.copyfile(source, partial, follow_symlinks=False)
        flush(partial)
    else:
        # A pipe or device cannot be copied without reading from it: keep what it was.
        partial.write_text(f"{_kind_of(entry.st_mode)} {source}\n", encoding="utf-8")
    os.replace(partial, stored)
    return how


def fingerprint(submission_id: int, source: Path, stored: Path, received_at: datetime) -> Receipt:
    """The receipt of a kept file: its SHA-256 (of the link text for a link, of nothing for
    a pipe or device — their content is never read) and its size."""
    entry = stored.lstat()
    if stat.S_ISLNK(entry.st_mode):
        content = os.fsencode(os.readlink(stored))
        sha, size = hashlib.sha256(content).hexdigest(), len(content)
    elif stat.S_ISREG(entry.st_mode):
        sha, size = sha256_of(stored), entry.st_size
    else:
        sha, size = hashlib.sha256(_kind_of(entry.st_mode).encode()).hexdigest(), 0
    submitted_at = datetime.fromtimestamp(entry.st_mtime, UTC).replace(tzinfo=None)
    return Receipt(submission_id, source, stored, sha, size, submitted_at, received_at)


def sha256_of(path: Path) -> str:
    """Hex SHA-256 of a file's bytes, read in blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def put_back(stored: Path, source: Path) -> Path:
    """Return a kept entry to where it came from (undoing a claim the ledger never
    recorded), under a free name if another file has taken its place meanwhile."""
    target = source
    number = 1
    while target.exists() or target.is_symlink():
        target = source.with_name(f"{source.stem}.returned-{number}{source.suffix}")
        number += 1
    target.parent.mkdir(parents=True, exist_ok=True)
    os.rename(stored, target)
    return target


def _kind_of(mode: int) -> str:
    return {
        stat.S_IFIFO: "fifo",
        stat.S_IFSOCK: "socket",
        stat.S_IFCHR: "character-device",
        stat.S_IFBLK: "block-device",
        stat.S_IFDIR: "directory",
    }.get(stat.S_IFMT(mode), "special")


def _remove(path: Path) -> None:
    if path.is_symlink() or path.exists():
        path.unlink()
