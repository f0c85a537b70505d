"""What recovery does with each thing a crashed run can leave behind, seen state by state."""

from datetime import datetime
from pathlib import Path

import polars as pl

from orchestration.recovery import hold_run, settle
from warehouse import ledger, raw
from warehouse.database import connect_build
from warehouse.received import COPY, COPY_THEN_REMOVE, MOVE

AT = datetime(2026, 11, 10, 2)


def _claim(con, home, name: str, how: str, source_dir: Path | None = None):
    source = (source_dir or home.inbox) / name
    (claim,) = ledger.reserve(
        con,
        [(source, how)],
        lambda sid, path: home.received / "2026-11-10" / f"{sid}-{name}",
        AT,
        "dead-run",
    )
    claim.stored.parent.mkdir(parents=True, exist_ok=True)
    return claim


def _record(con, sid: int, status: str = "accepted", kind: str = "loans", stored: str = "x"):
    row = {
        "submission_id": sid,
        "file_name": f"f{sid}.csv",
        "stored_path": stored,
        "sha256": f"s{sid}",
        "size_bytes": 1,
        "kind": kind,
        "reporter": "C1901150100001",
        "period": AT.date(),
        "submitted_at": AT,
        "received_at": AT,
        "status": status,
        "row_count": 1,
        "error_count": 0,
        "warning_count": 0,
        "ruleset_version": "t",
    }
    ledger.record(
        con,
        pl.DataFrame([row]),
        pl.DataFrame(),
        pl.DataFrame(),
        pl.DataFrame(),
        AT,
        keep_claims=[sid],
    )


def _rows(home, kind: str, sid: int, folder) -> Path:
    path = folder(home, kind) / f"{sid}.parquet"
    path.parent.mkdir(parents=True, exist_ok=True)
    pl.DataFrame(schema=raw.raw_schema(kind)).write_parquet(path)
    return path


def test_a_file_moved_out_of_the_inbox_but_never_recorded_goes_back(home):
    con = connect_build(home)
    claim = _claim(con, home, "loans.csv", MOVE)
    claim.stored.write_text("bytes the bank sent")
    done = settle(home, con)
    assert (home.inbox / "loans.csv").read_text() == "bytes the bank sent"
    assert not claim.stored.exists()
    assert ledger.claims(con) == []
    assert any(line.startswith("returned-to-inbox") for line in done)
    assert con.execute("select action from audit.recoveries").fetchall() == [("returned-to-inbox",)]


def test_an_unrecorded_copy_is_dropped_and_its_original_left_alone(home, tmp_path):
    con = connect_build(home)
    elsewhere = tmp_path / "downloads"
    elsewhere.mkdir()
    (elsewhere / "loans.csv").write_text("x")
    claim = _claim(con, home, "loans.csv", COPY, elsewhere)
    claim.stored.write_text("x")
    claim.stored.with_name(claim.stored.name + ".partial").write_text("x")
    settle(home, con)
    assert (elsewhere / "loans.csv").read_text() == "x"
    assert list(claim.stored.parent.iterdir()) == []


def test_a_recorded_copy_loses_the_inbox_original_it_was_waiting_to_remove(home):
    con = connect_build(home)
    (home.inbox / "loans.csv").write_text("x")
    claim = _claim(con, home, "loans.csv", COPY_THEN_REMOVE)
    claim.stored.write_text("x")
    _record(con, claim.submission_id, stored=str(claim.stored))
    settle(home, con)
    assert not (home.inbox / "loans.csv").exists()
    assert claim.stored.read_text() == "x"
    assert ledger.claims(con) == []


def test_rows_of_a_committed_file_are_moved_into_the_store_and_others_dropped(home):
    con = connect_build(home)
    _record(con, 5)
    committed = _rows(home, "loans", 5, raw.incoming_dir)
    uncommitted = _rows(home, "loans", 6, raw.incoming_dir)
    settle(home, con)
    assert not committed.exists() and not uncommitted.exists()
    assert (raw.kind_dir(home, "loans") / "5.parquet").exists()
    assert not (raw.kind_dir(home, "loans") / "6.parquet").exists()


def test_rows_in_the_store_that_no_accepted_file_owns_are_set_aside(home):
    con = connect_build(home)
    _record(con, 7, status="rejected")
    for sid in (7, 8):
        _rows(home, "loans", sid, raw.kind_dir)
    settle(home, con)
    assert sorted(p.name for p in raw.kind_dir(home, "loans").glob("*.parquet")) == [
        "~empty.parquet"
    ]
    aside = sorted(p.name.split(".")[0] for p in raw.orphaned_dir(home, "loans").iterdir())
    assert aside == ["7", "8"]


def test_a_findings_report_lost_in_the_crash_is_written_again(home):
    con = connect_build(home)
    stored = home.received / "2026-11-10" / "9-loans.csv"
    stored.parent.mkdir(parents=True)
    stored.write_text("x")
    _record(con, 9, status="rejected", stored=str(stored))
    con.execute(
        "insert into audit.findings values (9, 'LN-E-011', 'error', 6, "
        "'borrower_uscc', '123', '代码无效', 'invalid code')"
    )
    con.execute("insert into audit.finding_counts values (9, 'LN-E-011', 'error', 3)")
    settle(home, con)
    report = Path(str(stored) + ".findings.csv").read_text(encoding="utf-8-sig")
    assert "LN-E-011" in report and "invalid code" in report
    assert Path(str(stored) + ".findings.xlsx").exists()


def test_half_written_publications_and_exports_are_removed(home):
    con = connect_build(home)
    leftovers = [
        home.history_dir / "zhirong_20261110T020000000000Z.duckdb.partial",
        home.history_dir / "zhirong_20261110T020000000000Z.duckdb.partial.wal",
        home.published_dir / ".zhirong.duckdb.4242.new",
        home.exports / "2026-09" / ".pack.xlsx.partial",
    ]
    for path in leftovers:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("half")
    settle(home, con)
    assert [p for p in leftovers if p.exists()] == []


def test_a_run_settles_before_its_first_step_and_says_what_it_did(home):
    con = connect_build(home)
    claim = _claim(con, home, "loans.csv", MOVE)
    claim.stored.write_text("x")
    con.close()
    said = []
    with hold_run(home, progress=said.append):
        assert (home.inbox / "loans.csv").exists()
    assert said and said[0].startswith("recovery: returned-to-inbox #1")


def test_a_healthy_home_needs_nothing(home):
    con = connect_build(home)
    assert settle(home, con) == []
