"""A refresh killed (SIGKILL, as `kill -9` or a power cut would) at every commit point in the
life of a file and of a run: the next ordinary refresh succeeds, no received file is lost,
every file is in the ledger exactly once, no rows of an unaccepted file are in the raw
store, and the marts equal those of a run that never crashed."""

import hashlib
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from orchestration.cli import main
from tests.helpers import LOAN_HEADERS, loan, write_csv, write_scorecard_quarter
from warehouse import raw
from warehouse.faults import POINTS
from warehouse.home import Home

pytestmark = pytest.mark.integration

# The day the models take as today, for every run of this module: the clean run and a
# crashed one may be minutes apart, and a Beijing midnight between them would move the
# marts that say what is due (filing_status.as_of, not_yet_due → missing) for reasons that
# have nothing to do with a crash.
AS_OF = "2026-11-20"


@pytest.fixture(scope="module", autouse=True)
def _one_day():
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ZHIRONG_AS_OF", AS_OF)
        yield


def _inputs(folder: Path) -> list[Path]:
    """The six-bank quarter, a file with an error, and a byte-identical resend."""
    write_scorecard_quarter(folder)
    write_csv(
        folder / "loans_bad_uscc.csv", [loan(borrower_uscc="123456789012345678")], LOAN_HEADERS
    )
    first = sorted(folder.glob("totals_*.csv"))[0]
    shutil.copy2(first, folder / ("resent_" + first.name))
    return sorted(folder.iterdir())


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _marts(home: Home) -> dict[str, list[tuple]]:
    con = duckdb.connect(str(home.published_db), read_only=True)
    try:
        tables = [
            t
            for (t,) in con.execute(
                "select table_name from duckdb_tables() where schema_name = 'marts' order by 1"
            ).fetchall()
        ]
        # Receipt and freezing times are the warehouse's clock, and submission ids a crash
        # reserved are never reused: both differ between any two runs, crashed or not.
        # Every other value must not.
        clock = {
            (t, c)
            for t, c in con.execute(
                "select table_name, column_name from duckdb_columns() where schema_name = 'marts' "
                "and (data_type like 'TIMESTAMP%' or column_name like '%submission%')"
            ).fetchall()
        }
        rows = {}
        for t in tables:
            dropped = [f'"{c}"' for table, c in clock if table == t]
            columns = f"* exclude ({', '.join(dropped)})" if dropped else "*"
            rows[t] = con.execute(f"select {columns} from marts.{t} order by all").fetchall()
        return rows
    finally:
        con.close()


def _home_with_inbox(root: Path, inputs: list[Path]) -> Home:
    home = Home(root).ensure()
    for path in inputs:
        shutil.copy2(path, home.inbox / path.name)
    return home


@pytest.fixture(scope="module")
def clean(tmp_path_factory):
    """The inputs, and the marts of a refresh that was never interrupted."""
    inputs = _inputs(tmp_path_factory.mktemp("inputs"))
    home = _home_with_inbox(tmp_path_factory.mktemp("clean"), inputs)
    assert main(["--home", str(home.root), "refresh"]) == 1  # the bad file is rejected
    return inputs, _marts(home)


def _kept(home: Home) -> set[str]:
    """Fingerprints of every file in the inbox or the received store."""
    found = set()
    for folder in (home.inbox, home.received):
        for path in folder.rglob("*"):
            if path.is_file() and ".findings." not in path.name:
                found.add(_sha(path))
    return found


@pytest.mark.parametrize("point", POINTS)
def test_a_refresh_killed_at_each_commit_point_is_settled_by_the_next(clean, tmp_path, point):
    inputs, expected = clean
    home = _home_with_inbox(tmp_path / "home", inputs)
    zhirong = Path(sys.executable).with_name("zhirong")
    crashed = subprocess.run(
        [str(zhirong), "--home", str(home.root), "refresh"],
        env={**os.environ, "ZHIRONG_CRASH_AT": point},
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert crashed.returncode == -signal.SIGKILL, crashed.stderr[-2000:]
    sent = {_sha(p) for p in inputs}
    assert sent <= _kept(home), "a file the banks sent went missing in the crash"
    if home.published_db.exists():
        con = duckdb.connect(str(home.published_db), read_only=True)
        assert con.execute("select count(*) from meta.publication").fetchone()[0] == 1
        con.close()

    # The bad file is rejected by whichever run commits its verdict.
    rejected_again = POINTS.index(point) < POINTS.index("recorded")
    assert main(["--home", str(home.root), "refresh"]) == (1 if rejected_again else 0)

    assert list(home.inbox.iterdir()) == []
    assert sent <= _kept(home)
    con = duckdb.connect(str(home.build_db), read_only=True)
    ledger = con.execute(
        "select sha256, status, submission_id, kind from audit.submissions "
        "where status <> 'duplicate'"
    ).fetchall()
    duplicates = con.execute(
        "select count(*) from audit.submissions where status = 'duplicate'"
    ).fetchone()[0]
    claims = con.execute("select count(*) from audit.claims").fetchone()[0]
    con.close()
    # Every distinct file once, the resend once as its duplicate, nothing still claimed.
    assert sorted(sha for sha, *_ in ledger) == sorted(sent)
    assert (duplicates, claims) == (1, 0)
    owners = {
        (kind, sid) for _, status, sid, kind in ledger if status in ("accepted", "superseded")
    }
    assert {(kind, sid) for kind, sid, _ in raw.stored_files(home)} == owners
    assert raw.staged_files(home) == []
    assert _marts(home) == expected
