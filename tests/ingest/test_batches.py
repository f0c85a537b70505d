"""Reading files in chunks: every file handed over once, and the caller's own preparation
(building the gate) done while the reader thread works on the first chunk."""

import threading

from ingest.batches import read_in_chunks
from tests.helpers import LOAN_HEADERS, loan, write_csv


def _reading() -> bool:
    return any(t.name.startswith("zhirong-read") for t in threading.enumerate())


def test_the_callers_work_runs_while_the_first_chunk_is_read(tmp_path):
    paths = [
        write_csv(tmp_path / f"loans_{n}.csv", [loan(loan_id=f"L{n}")], LOAN_HEADERS)
        for n in range(3)
    ]
    seen = []
    chunks = list(
        read_in_chunks(
            [(n, p, p.name) for n, p in enumerate(paths, start=1)],
            meanwhile=lambda: seen.append(_reading()),
        )
    )
    # Called once, with the reader thread already at work (one chunk: three small files).
    assert seen == [True]
    taken = [c.submission_id for chunk in chunks for c in chunk.candidates]
    assert sorted(taken) == [1, 2, 3]
    assert sorted(chunks[0].frames["loans"]["loan_id"].to_list()) == ["L0", "L1", "L2"]


def test_without_files_the_callers_work_still_runs(tmp_path):
    seen = []
    assert list(read_in_chunks([], meanwhile=lambda: seen.append(True))) == []
    assert seen == [True]
