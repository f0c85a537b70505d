"""`zhirong worker`: a long-lived writer that refreshes each new set of settled files in its
own, already warm process, and stops between runs when asked."""

import os
import queue
import signal
import subprocess
import sys
import threading
import time
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from orchestration.worker import Worker
from tests.helpers import BANK_A, LOAN_HEADERS, TOTAL_HEADERS, loan, totals_matching, write_csv

pytestmark = pytest.mark.integration

# A cold refresh of these files takes ~20 s here; this is only how long to wait for a line.
PATIENCE_SECONDS = 300


class Lines:
    """A process's merged output, line by line, read on a thread (so a wait can give up)."""

    def __init__(self, process: subprocess.Popen):
        self.seen: list[str] = []
        self._lines: queue.Queue = queue.Queue()

        def read() -> None:
            for line in process.stdout:
                self._lines.put(line)
            self._lines.put(None)

        threading.Thread(target=read, daemon=True).start()

    def until(self, text: str) -> str:
        """The first line from now on containing `text`."""
        deadline = time.monotonic() + PATIENCE_SECONDS
        while time.monotonic() < deadline:
            try:
                line = self._lines.get(timeout=1)
            except queue.Empty:
                continue
            if line is None:
                break
            self.seen.append(line)
            if text in line:
                return line
        raise AssertionError(f"no line with {text!r}; output so far:\n{''.join(self.seen)}")


def _send(home, name: str, balance: str) -> None:
    """Both files of BANK_A's 2026-10 filing, appearing in the inbox at once (a folder
    renamed in, as a transfer into a temporary name would)."""
    folder = home.inbox / f".{name}"
    rows = [loan(balance=balance, balance_cny=balance)]
    write_csv(folder / "loans_2026-10.csv", rows, LOAN_HEADERS)
    write_csv(folder / "totals_2026-10.csv", [totals_matching(rows)], TOTAL_HEADERS)
    folder.rename(home.inbox / name)


def _mfg_loans(home) -> Decimal:
    con = duckdb.connect(str(home.published_db), read_only=True)
    try:
        return con.execute(
            "select mfg_loans from marts.bank_loan_metrics where bank_code = ? and period = ?",
            [BANK_A, "2026-10-31"],
        ).fetchone()[0]
    finally:
        con.close()


def test_the_worker_refreshes_each_new_filing_and_stops_when_asked(home):
    worker = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("zhirong")),
            "--home",
            str(home.root),
            "worker",
            "--settle",
            "0",
            "--poll",
            "0.2",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines = Lines(worker)
    try:
        lines.until("worker ready")
        _send(home, "first", "1000000.00")
        lines.until("用时 took")
        assert any(line.startswith("接收 accepted 2 ·") for line in lines.seen)
        # One manufacturing loan (C3612) of 1,000,000.00 is the bank's manufacturing total.
        assert _mfg_loans(home) == Decimal("1000000.00")

        # The bank corrects the loan: the worker takes the resend as a new run. Asked to
        # stop while that run goes on, it finishes the run first.
        lines.seen.clear()
        _send(home, "resend", "1250000.00")
        lines.until("dbt 构建与测试 build and test ·")
        worker.send_signal(signal.SIGTERM)
        lines.until("用时 took")
        assert any(line.startswith("接收 accepted 2 ·") for line in lines.seen)
        assert _mfg_loans(home) == Decimal("1250000.00")
        assert not any(home.inbox.rglob("*.csv"))
        lines.until("worker stopped")
        assert worker.wait(timeout=PATIENCE_SECONDS) == 0
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()


def test_a_set_of_files_is_taken_once_and_only_once_it_has_settled(home):
    worker = Worker(home, settle_seconds=30, poll_seconds=1, wait_seconds=0)
    assert worker.due() is None  # nothing in the inbox
    arriving = write_csv(home.inbox / "loans_2026-10.csv", [loan()], LOAN_HEADERS)
    assert worker.due() is None  # written just now: may still be being copied

    settled = time.time() - 31
    os.utime(arriving, (settled, settled))
    files, fingerprint = worker.due()
    assert files == [arriving]
    # A run has taken these files; if one stays in the inbox (a file the intake could not
    # take is left where it is), the same set must not start a run at every poll.
    worker.taken = fingerprint
    assert worker.due() is None

    # A new file makes a new set.
    other = write_csv(home.inbox / "totals_2026-10.csv", [totals_matching([loan()])])
    os.utime(other, (settled, settled))
    assert worker.due()[0] == [arriving, other]

    # Once the inbox has emptied, the same names with the same sizes and times are news.
    worker.taken = worker.due()[1]
    arriving.unlink()
    other.unlink()
    assert worker.due() is None
    again = write_csv(home.inbox / "loans_2026-10.csv", [loan()], LOAN_HEADERS)
    os.utime(again, (settled, settled))
    assert worker.due()[0] == [again]
