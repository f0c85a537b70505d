"""The ledger: ids never handed out twice, claims before files move, one transaction for a
batch's verdicts, and the outcome of a run read back from it."""

from datetime import datetime
from pathlib import Path

import duckdb
import polars as pl
import pytest

from warehouse import ledger
from warehouse.database import connect_build

AT = datetime(2026, 11, 10, 2)


def _reserve(con, names, floor=1):
    return ledger.reserve(
        con,
        [(Path(f"/inbox/{n}"), "move") for n in names],
        lambda sid, path: Path(f"/received/{sid}-{path.name}"),
        AT,
        "run-1",
        floor=floor,
    )


def _entry(sid, status="accepted", kind="loans", reporter="C1901150100001", run_id="run-1"):
    return {
        "submission_id": sid,
        "file_name": f"f{sid}.csv",
        "stored_path": f"/r/{sid}",
        "sha256": f"sha{sid}",
        "size_bytes": 1,
        "kind": kind,
        "reporter": reporter,
        "period": datetime(2026, 10, 31).date(),
        "submitted_at": AT,
        "received_at": AT,
        "status": status,
        "row_count": 1,
        "error_count": 0 if status == "accepted" else 1,
        "warning_count": 0,
        "ruleset_version": "t",
        "duplicate_of": None,
        "run_id": run_id,
    }


def _record(con, *entries):
    ledger.record(
        con, pl.DataFrame(list(entries)), pl.DataFrame(), pl.DataFrame(), pl.DataFrame(), AT
    )


def test_ids_are_never_handed_out_twice_even_if_nothing_was_recorded(home):
    con = connect_build(home)
    first = _reserve(con, ["a.csv", "b.csv"])
    con.close()  # the run dies here: claims committed, no ledger rows
    con = connect_build(home)
    second = _reserve(con, ["c.csv"])
    assert [c.submission_id for c in first] == [1, 2]
    assert [c.submission_id for c in second] == [3]


def test_ids_start_past_the_raw_store_and_an_old_ledger(home):
    con = connect_build(home)
    con.execute("delete from audit.id_counter")
    _record(con, _entry(40))  # a ledger from before the counter
    assert [c.submission_id for c in _reserve(con, ["a.csv"])] == [41]
    assert [c.submission_id for c in _reserve(con, ["b.csv"], floor=90)] == [90]


def test_a_claim_says_where_the_file_goes_and_is_released_by_its_record(home):
    con = connect_build(home)
    (claim,) = _reserve(con, ["loans.csv"])
    assert claim.stored == Path("/received/1-loans.csv")
    assert [(c.submission_id, recorded) for c, recorded in ledger.claims(con)] == [(1, False)]
    _record(con, _entry(1))
    assert ledger.claims(con) == []


def test_a_batch_that_cannot_be_written_leaves_nothing_behind(home):
    con = connect_build(home)
    _reserve(con, ["a.csv", "b.csv"])
    with pytest.raises(duckdb.ConstraintException):
        _record(con, _entry(1), _entry(1))  # the same id twice breaks the primary key
    assert con.execute("select count(*) from audit.submissions").fetchone() == (0,)
    assert len(ledger.claims(con)) == 2


def test_a_newer_accepted_file_supersedes_the_older_in_the_same_commit(home):
    con = connect_build(home)
    _record(con, _entry(1), _entry(2))
    assert con.execute(
        "select submission_id, status, superseded_by from audit.submissions order by 1"
    ).fetchall() == [(1, "superseded", 2), (2, "accepted", None)]


def test_the_outcome_of_a_run_comes_from_its_own_rows(home):
    con = connect_build(home)
    _record(con, _entry(1, run_id="old"), _entry(2), _entry(3, status="rejected", kind=None))
    con.execute(
        "insert into audit.findings values (3, 'FL-E-001', 'error', null, null, null, '坏', 'bad')"
    )
    done = ledger.run_outcome(con, "run-1")
    assert (done.accepted, done.rejected, done.duplicates) == (1, 1, 0)
    assert done.rejections[0].submission_id == 3
    assert done.rejections[0].findings == ["FL-E-001 行 row - 列 column -: 坏 / bad"]
