"""One inbox holding every kind of poison beside two good files: one refresh takes the good
ones, rejects each bad one with its reason, keeps every byte, empties the inbox and exits 1
— no traceback, no signal, modest memory — and the next refresh has nothing to do."""

import hashlib
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb
import pytest

from orchestration.cli import main
from tests.helpers import LOAN_HEADERS, TOTAL_HEADERS, loan, totals_matching, write_csv
from tests.poison import dimension_bomb, endless_line_csv, far_cell_bomb, lying_zip_bomb
from warehouse.home import Home
from warehouse.received import printable

pytestmark = pytest.mark.integration

LONG_NAME = "对公贷款借据_" + "x" * 200 + ".csv"  # 218 bytes of UTF-8
EXPECTED = {
    "dimension.xlsx": "FL-E-011",
    "far_cell.xlsx": "FL-E-011",
    "endless_line.csv": "FL-E-010",
    LONG_NAME: "FL-E-008",
    "passwd.csv": "FL-E-007",
    "pipe.csv": "FL-E-007",
    "zip_bomb.xlsx": "FL-E-004",
    "nested.parquet": "FL-E-012",
    "no_kind_\ufffd.csv": "FL-E-006",  # sent as b"no_kind_\xff.csv": not UTF-8
}


def _poison_inbox(home: Home) -> dict[str, str]:
    """Fill the inbox; return every entry's fingerprint as the ledger should record it."""
    inbox = home.inbox
    rows = [loan()]
    write_csv(inbox / "loans_C1901150100001_202610.csv", rows, LOAN_HEADERS)
    write_csv(inbox / "totals_C1901150100001_202610.csv", [totals_matching(rows)], TOTAL_HEADERS)
    dimension_bomb(inbox / "dimension.xlsx")
    far_cell_bomb(inbox / "far_cell.xlsx")
    endless_line_csv(inbox / "endless_line.csv", 100 << 20)
    write_csv(inbox / LONG_NAME, [loan(loan_id="L9")], LOAN_HEADERS)
    (inbox / "passwd.csv").symlink_to("/etc/passwd")
    os.mkfifo(inbox / "pipe.csv")
    lying_zip_bomb(inbox / "zip_bomb.xlsx", unpacked_mib=1200)
    import polars as pl

    pl.DataFrame({"bank_code": [["x"]], "report_period": ["2026-10"]}).write_parquet(
        inbox / "nested.parquet"
    )
    (inbox / os.fsdecode(b"no_kind_\xff.csv")).write_bytes(b"name,age\nx,3\n")
    fingerprints = {}
    for entry in inbox.iterdir():
        name = printable(entry.name)
        if entry.is_symlink():
            fingerprints[name] = hashlib.sha256(os.fsencode(os.readlink(entry))).hexdigest()
        elif entry.is_file():
            fingerprints[name] = hashlib.sha256(entry.read_bytes()).hexdigest()
    return fingerprints


def test_poison_files_are_rejected_and_kept_and_never_block_the_inbox(tmp_path):
    home = Home(tmp_path / "home").ensure()
    fingerprints = _poison_inbox(home)
    zhirong = Path(sys.executable).with_name("zhirong")
    # The child reports its own peak memory, whatever ran before it in this process.
    probe = textwrap.dedent(f"""
        import resource, subprocess, sys
        done = subprocess.run([{str(zhirong)!r}, "--home", {str(home.root)!r}, "refresh"],
                              capture_output=True, text=True, timeout=900)
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        sys.stdout.write(f"{{done.returncode}} {{peak}}\\n" + done.stdout)
        sys.stderr.write(done.stderr)
    """)
    run = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=1200
    )
    code, peak_kib = map(int, run.stdout.splitlines()[0].split())
    output = run.stdout + run.stderr
    assert code == 1, output[-3000:]
    assert "Traceback" not in output
    assert peak_kib < 2 << 20, f"peak {peak_kib / 1024:.0f} MiB"
    assert list(home.inbox.iterdir()) == []

    con = duckdb.connect(str(home.build_db), read_only=True)
    ledger = {
        name: (status, sha, stored)
        for name, status, sha, stored in con.execute(
            "select file_name, status, sha256, stored_path from audit.submissions"
        ).fetchall()
    }
    rules = dict(
        con.execute(
            "select s.file_name, f.rule_id from audit.findings as f "
            "join audit.submissions as s using (submission_id) where f.severity = 'error'"
        ).fetchall()
    )
    con.close()
    assert set(ledger) == set(fingerprints) | {"pipe.csv"}
    assert {n for n, (status, *_) in ledger.items() if status == "accepted"} == {
        "loans_C1901150100001_202610.csv",
        "totals_C1901150100001_202610.csv",
    }
    assert rules == EXPECTED
    for name, rule in EXPECTED.items():
        assert f"{rule}" in output and "rejected" in output, name
    for name, sha in fingerprints.items():
        status, recorded, stored = ledger[name]
        assert recorded == sha, name
        kept = Path(stored)
        assert os.path.lexists(kept), name
        if kept.is_symlink():
            assert os.readlink(kept) == "/etc/passwd"
        else:
            assert hashlib.sha256(kept.read_bytes()).hexdigest() == sha, name
    assert Path(ledger["pipe.csv"][2]).exists()

    again = main(["--home", str(home.root), "refresh"])
    assert again == 0
    con = duckdb.connect(str(home.build_db), read_only=True)
    assert con.execute("select count(*) from audit.submissions").fetchone()[0] == len(ledger)
    con.close()


def test_a_fault_no_reader_caught_rejects_only_the_file_that_causes_it(
    tmp_path, monkeypatch, capsys
):
    """A failure after reading (here: storing one file's rows breaks) undoes the batch and
    takes its files one at a time: the others are accepted, that one is rejected with the
    error, and the inbox is empty."""
    from warehouse import raw

    stage = raw.stage

    def fragile(home, frames):
        if any(
            f.filter(f["borrower_name"] == "BOOM").height for k, f in frames.items() if k == "loans"
        ):
            raise RuntimeError("the disk said no")
        stage(home, frames)

    monkeypatch.setattr(raw, "stage", fragile)
    home = Home(tmp_path / "home").ensure()
    good = [loan(), loan(loan_id="L2", borrower_uscc="91100000100003962T")]
    write_csv(home.inbox / "loans_a.csv", good, LOAN_HEADERS)
    write_csv(home.inbox / "totals_a.csv", [totals_matching(good)], TOTAL_HEADERS)
    boom = [loan(bank_code="C2901150200001", borrower_name="BOOM")]
    write_csv(home.inbox / "loans_b.csv", boom, LOAN_HEADERS)
    assert main(["--home", str(home.root), "ingest"]) == 1
    out, err = capsys.readouterr()
    assert "taking its files one at a time" in err
    con = duckdb.connect(str(home.build_db), read_only=True)
    ledger = dict(con.execute("select file_name, status from audit.submissions").fetchall())
    reason = con.execute(
        "select f.rule_id, f.message_en from audit.findings as f join "
        "audit.submissions using (submission_id) where file_name = "
        "'loans_b.csv'"
    ).fetchall()
    con.close()
    assert ledger == {
        "loans_a.csv": "accepted",
        "totals_a.csv": "accepted",
        "loans_b.csv": "rejected",
    }
    assert reason == [("FL-E-012", "reading the file failed (RuntimeError: the disk said no)")]
    assert list(home.inbox.iterdir()) == []
