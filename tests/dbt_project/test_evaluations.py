"""Frozen 督导评价 (contract §7): at the cut-off after a quarter-end the evaluation is frozen
into marts.evaluation_results and never rewritten; a later file moves only the live
scorecard, and marts.evaluation_changes says what moved and which submission moved it.
On the six-bank fixture of tests/helpers.py, whose 2026-09 cut-off (45 days) has passed."""

from datetime import date

import duckdb
import pytest

from orchestration.cli import main
from tests.helpers import LOAN_HEADERS, loan, write_csv, write_scorecard_quarter
from warehouse.home import Home

pytestmark = pytest.mark.integration

A = "C1901150100001"
QUARTER = date(2026, 9, 30)


def _frozen(home: Home) -> list[tuple]:
    con = duckdb.connect(str(home.published_db), read_only=True)
    try:
        return con.execute(
            "select * from marts.evaluation_results where period = ? order by bank_code", [QUARTER]
        ).fetchall()
    finally:
        con.close()


def _changes(home: Home) -> list[dict]:
    con = duckdb.connect(str(home.published_db), read_only=True)
    try:
        cursor = con.execute("select * from marts.evaluation_changes order by bank_code")
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    finally:
        con.close()


@pytest.fixture(scope="module")
def resubmitted(tmp_path_factory):
    home = Home(tmp_path_factory.mktemp("evaluations")).ensure()
    write_scorecard_quarter(home.inbox)
    assert main(["--home", str(home.root), "refresh"]) == 0
    before = _frozen(home)
    # Bank A sends its 2026-09 loans again: the same balance under a corrected loan id.
    again = write_csv(
        home.inbox / "loans_A_2026-09_v2.csv",
        [
            loan(
                bank_code=A,
                report_period="2026-09",
                loan_id="a1-corrected",
                balance="1200",
                balance_cny="1200",
                issue_date="2024-03-01",
                maturity_date="2028-03-01",
            )
        ],
        LOAN_HEADERS,
    )
    assert main(["--home", str(home.root), "refresh"]) == 0
    con = duckdb.connect(str(home.published_db), read_only=True)
    newest = con.execute(
        "select max(submission_id) from audit.submissions where file_name = ?", [again.name]
    ).fetchone()[0]
    con.close()
    return home, before, newest


def test_the_quarter_was_frozen_at_its_cut_off_for_every_bank(resubmitted):
    home, before, _ = resubmitted
    assert len(before) == 26
    con = duckdb.connect(str(home.published_db), read_only=True)
    a = con.execute(
        "select composite_score, grade, rank_city, frozen_by, submission_ids "
        "from marts.evaluation_results where bank_code = ? and period = ?",
        [A, QUARTER],
    ).fetchone()
    ids = con.execute(
        "select string_agg(cast(submission_id as varchar), ',' order by "
        "submission_id) from audit.submissions where reporter = ? and "
        "period in (date '2025-09-30', date '2026-09-30') and status in "
        "('accepted', 'superseded')"
        " and submission_id < ?",
        [A, resubmitted[2]],
    ).fetchone()[0]
    con.close()
    # A as tests/dbt_project/test_bank_scorecard.py works it out: 79.0, B, second.
    assert a[:4] == (79.0, "B", 2, "cut-off")
    # Its four files: loans and totals of 2025-09 and 2026-09 as they stood then.
    assert a[4] == ids


def test_a_later_file_never_rewrites_a_frozen_row(resubmitted):
    home, before, _ = resubmitted
    assert _frozen(home) == before


def test_the_change_log_names_the_submission_that_moved_the_live_result(resubmitted):
    home, _, newest = resubmitted
    changes = _changes(home)
    # The resubmission costs A 10 data-quality points (weight 10): 79.0 → 78.0; the balance
    # is unchanged, so nobody else's percentile, score or rank moves.
    assert len(changes) == 1
    change = changes[0]
    assert (change["bank_code"], change["period"]) == (A, QUARTER)
    assert (change["frozen_composite_score"], change["live_composite_score"]) == (79.0, 78.0)
    assert (change["frozen_grade"], change["live_grade"]) == ("B", "B")
    assert (change["frozen_rank_city"], change["live_rank_city"]) == (2, 2)
    assert change["caused_by_submissions"] == str(newest)
    assert change["caused_by_own_filing"] is True


def test_evaluate_leaves_a_frozen_quarter_as_it_was(resubmitted, capsys):
    home, before, _ = resubmitted
    assert main(["--home", str(home.root), "evaluate", "--period", "2026-09"]) == 0
    assert "never rewritten" in capsys.readouterr().out
    assert _frozen(home) == before


def test_evaluate_refuses_a_month_that_is_not_a_quarter_end_or_has_no_data(resubmitted, capsys):
    home, _, _ = resubmitted
    assert main(["--home", str(home.root), "evaluate", "--period", "2026-10"]) == 2
    assert "quarterly" in capsys.readouterr().err
    assert main(["--home", str(home.root), "evaluate", "--period", "2026-12"]) == 1
    assert "no scorecard for 2026-12" in capsys.readouterr().err


def test_the_pack_shows_the_frozen_result_and_the_live_one_with_a_note(resubmitted):
    from exports.scorecard import ScorecardSource

    home, _, _ = resubmitted
    pack = ScorecardSource(home.published_db, QUARTER).pack(A)
    assert pack.headline["composite_score"] == 79.0
    assert pack.changed_since_frozen
    assert "78" in pack.evaluation_note and "evaluation_changes" in pack.evaluation_note
    unchanged = ScorecardSource(home.published_db, QUARTER).pack("C1903150100003")
    assert not unchanged.changed_since_frozen and "Of record" in unchanged.evaluation_note
