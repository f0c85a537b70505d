"""Reading many files in bounded chunks: what each file is before anything opens it (a
regular file within the limits, or the reason it cannot be read), then its rows read and
normalised with Polars, a chunk at a time, the next chunk prepared on a second thread.

Whatever goes wrong with one file — a limit, a parser's exception of any kind — makes that
file unreadable with a reason; it never stops the other files of its chunk or the run."""

from __future__ import annotations

import logging
import stat
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from ingest.limits import ReadLimits
from ingest.submission import Submission, normalise_submissions, read_text
from ingest.unreadable import UnreadableFile

log = logging.getLogger(__name__)

# Files are read, normalised and gated in chunks of about this many input bytes.
CHUNK_BYTES = 64 << 20
# Bytes a loan line takes as CSV: the unit in which chunks are measured.
_CSV_BYTES_PER_ROW = 160


@dataclass
class Candidate:
    """A received file waiting for the gate: either read, or the reason it cannot be."""

    submission_id: int
    file_name: str
    submission: Submission | None = None
    unreadable: UnreadableFile | None = None

    @property
    def kind(self) -> str | None:
        """The detected kind, if any."""
        return self.submission.kind.name if self.submission else None


@dataclass
class Chunk:
    """Files read together and their normalised rows, one frame per kind."""

    candidates: list[Candidate]
    frames: dict[str, pl.DataFrame]


def refusal(path: Path, name: str, limits: ReadLimits) -> UnreadableFile | None:
    """Why `path` (sent as `name`) must not be opened at all, or None: a symbolic link,
    a device, pipe or socket (refused from its own entry, its target never read), a name
    or a size over the limit."""
    try:
        entry = path.lstat()
    except OSError as exc:
        return UnreadableFile(
            "FL-E-001",
            f"文件无法访问：{exc.strerror}",
            f"the file cannot be accessed: {exc.strerror}",
        )
    if not stat.S_ISREG(entry.st_mode):
        what_zh, what_en = _ENTRY_TYPES.get(
            stat.S_IFMT(entry.st_mode), ("特殊文件", "a special file")
        )
        return UnreadableFile(
            "FL-E-007",
            f"不是普通文件（{what_zh}），未读取其内容",
            f"not a regular file ({what_en}); its content was not read",
        )
    size = len(name.encode("utf-8", "surrogateescape"))
    if size > limits.max_name_bytes:
        return UnreadableFile(
            "FL-E-008",
            f"文件名长 {size} 字节，超过 {limits.max_name_bytes} 字节的上限",
            f"the file name is {size} bytes long, over the limit of {limits.max_name_bytes}",
        )
    if entry.st_size > limits.max_file_bytes:
        return UnreadableFile(
            "FL-E-009",
            f"文件大小 {entry.st_size:,} 字节，超过 {limits.max_file_bytes:,} 字节的上限",
            f"the file is {entry.st_size:,} bytes, over the limit of "
            f"{limits.max_file_bytes:,} bytes",
        )
    return None


_ENTRY_TYPES = {
    stat.S_IFLNK: ("符号链接", "a symbolic link"),
    stat.S_IFDIR: ("目录", "a directory"),
    stat.S_IFIFO: ("命名管道", "a named pipe"),
    stat.S_IFSOCK: ("套接字", "a socket"),
    stat.S_IFCHR: ("字符设备", "a character device"),
    stat.S_IFBLK: ("块设备", "a block device"),
}


def read_one(path: Path, name: str, limits: ReadLimits) -> Submission | UnreadableFile:
    """Read one file, or say why it cannot be: a refusal, the reader's own verdict, or any
    exception a parser raised on it (named, never passed on)."""
    refused = refusal(path, name, limits)
    if refused is not None:
        return refused
    try:
        return read_text(path, limits)
    except UnreadableFile as reason:
        return reason
    except Exception as exc:  # noqa: BLE001 — one file's fault must not stop the others
        log.debug("reading %s failed", name, exc_info=True)
        return unexpected_failure(exc)


def unexpected_failure(exc: BaseException) -> UnreadableFile:
    """An exception raised on a file, as the reason the file cannot be taken (FL-E-012)."""
    text = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:300]
    return UnreadableFile(
        "FL-E-012",
        f"读取文件时出错（{type(exc).__name__}：{text}）",
        f"reading the file failed ({type(exc).__name__}: {text})",
    )


def read_in_chunks(
    files: Sequence[tuple[int, Path, str]],
    limits: ReadLimits | None = None,
    chunk_bytes: int = CHUNK_BYTES,
    seconds: dict[str, float] | None = None,
    meanwhile: Callable[[], None] | None = None,
) -> Iterator[Chunk]:
    """`files` — (submission_id, path to read, name the sender gave it) — read and
    normalised a chunk of about `chunk_bytes` at a time. The next chunk is prepared on a
    second thread while the caller works on this one: Polars works outside the GIL, GX
    mostly inside it, so on two cores they overlap. One chunk waits at most, which bounds
    memory. `meanwhile`, if given, runs on the caller's thread while the first chunk is
    prepared (work the caller needs before it can take a chunk). `seconds` accumulates the
    time spent reading and normalising."""
    limits = limits or ReadLimits()
    seconds = seconds if seconds is not None else {}
    seconds.setdefault("read", 0.0)
    seconds.setdefault("normalise", 0.0)
    chunks = _interleaved(list(_by_size(files, chunk_bytes, limits)))
    if not chunks:
        if meanwhile is not None:
            meanwhile()
        return
    if len(chunks) == 1 and meanwhile is None:
        yield _prepare(chunks[0], limits, seconds)
        return
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="zhirong-read") as pool:
        pending = pool.submit(_prepare, chunks[0], limits, seconds)
        if meanwhile is not None:
            meanwhile()
        for following in [*chunks[1:], None]:
            ready = pending.result()
            pending = pool.submit(_prepare, following, limits, seconds) if following else None
            yield ready
            del ready


def _prepare(
    chunk: list[tuple[int, Path, str]], limits: ReadLimits, seconds: dict[str, float]
) -> Chunk:
    clock = time.perf_counter()
    read = []
    for sid, path, name in chunk:
        outcome = read_one(path, name, limits)
        if isinstance(outcome, UnreadableFile):
            read.append(Candidate(sid, name, unreadable=outcome))
        else:
            read.append(Candidate(sid, name, submission=outcome))
    seconds["read"] += time.perf_counter() - clock
    clock = time.perf_counter()
    frames = _normalised(read)
    seconds["normalise"] += time.perf_counter() - clock
    return Chunk(read, frames)


def _normalised(read: list[Candidate]) -> dict[str, pl.DataFrame]:
    """The chunk's rows in one Polars query per kind; should that fail, file by file, so
    only the file that breaks it is set aside (unreadable, with the error)."""
    submissions = {c.submission_id: c.submission for c in read if c.submission is not None}
    try:
        return normalise_submissions(submissions)
    except Exception:  # noqa: BLE001 — find the file at fault below
        log.debug("normalising a chunk failed; retrying file by file", exc_info=True)
    parts: dict[str, list[pl.DataFrame]] = {}
    for candidate in read:
        if candidate.submission is None:
            continue
        try:
            frames = normalise_submissions({candidate.submission_id: candidate.submission})
        except Exception as exc:  # noqa: BLE001 — one file's fault must not stop the others
            candidate.submission, candidate.unreadable = None, unexpected_failure(exc)
            continue
        for kind, frame in frames.items():
            parts.setdefault(kind, []).append(frame)
    return {kind: pl.concat(frames, how="vertical") for kind, frames in parts.items()}


def _interleaved(chunks: list[list]) -> list[list]:
    """Largest, smallest, second largest, …: a chunk is prepared while the one before it is
    gated, so a big bank's file is never held beside another big file (peak memory)."""
    ordered = sorted(chunks, key=lambda chunk: -sum(size for *_, size in chunk))
    mixed = []
    while ordered:
        mixed.append([item[:3] for item in ordered.pop(0)])
        if ordered:
            mixed.append([item[:3] for item in ordered.pop()])
    return mixed


def _text_size(path: Path, limits: ReadLimits) -> int:
    """About how many bytes of CSV a file holds: Parquet compresses several times over, so
    its rows are counted from its footer instead. Nothing here follows a link or opens a
    file the reader would refuse."""
    try:
        entry = path.lstat()
    except OSError:
        return 0
    if not stat.S_ISREG(entry.st_mode) or entry.st_size > limits.max_file_bytes:
        return 0
    if path.suffix.lower() in (".parquet", ".pq"):
        try:
            import pyarrow.parquet as pq

            return pq.ParquetFile(path).metadata.num_rows * _CSV_BYTES_PER_ROW
        except Exception:  # noqa: BLE001 — an unreadable file is the reader's to report
            return entry.st_size
    return entry.st_size


def _by_size(files: Sequence[tuple[int, Path, str]], limit: int, limits: ReadLimits):
    chunk, size = [], 0
    for sid, path, name in files:
        length = _text_size(path, limits)
        if chunk and size + length > limit:
            yield chunk
            chunk, size = [], 0
        chunk.append((sid, path, name, length))
        size += length
    if chunk:
        yield chunk
