"""The raw store's incoming area written on a thread of its own: what the gate looks up
there is whole, and a write that fails is told before anything commits."""

import polars as pl
import pytest

from ingest.submission import read_submission
from quality.crossfile import AGGREGATE_SCHEMA
from tests.helpers import LOAN_HEADERS, loan, write_csv
from warehouse.home import Home
from warehouse.raw import Stager, ensure_raw, incoming_dir, loan_lookup, raw_schema, staged_files

LINES = 1_500_000


def _big_loans_file(tmp_path) -> pl.DataFrame:
    """One bank's normalised loans, the one line the claim names first, then 1.5 million
    copies of another (a write that takes a while)."""
    sent = write_csv(
        tmp_path / "loans.csv",
        [loan(loan_id="L0001", balance="1234.56", balance_cny="1234.56"), loan(loan_id="L0002")],
        LOAN_HEADERS,
    )
    data = read_submission(sent).data.with_columns(submission_id=pl.lit(7, pl.Int64))
    data = data.select(list(raw_schema("loans")))
    return pl.concat([data.head(1), data.tail(1).select(pl.all().repeat_by(LINES).explode())])


def test_a_loan_in_rows_still_being_written_is_found_whole(tmp_path):
    home = Home(tmp_path / "home").ensure()
    ensure_raw(home)
    frame = _big_loans_file(tmp_path)
    assert frame.height == LINES + 1
    stager = Stager(home)
    lookup = loan_lookup(home, pl.DataFrame(schema=AGGREGATE_SCHEMA), staged=True, stager=stager)
    stager.submit({"loans": frame})
    # Asked at once, while the 1.5 million lines are being written: the lookup waits.
    found = lookup(
        pl.DataFrame({"bank_code": [frame["bank_code"][0]], "loan_id": ["L0001"]}), set()
    )
    stager.finish()
    assert found["loan_id"].to_list() == ["L0001"]
    assert found["balance_cny"].to_list() == [1234.56]
    (written,) = staged_files(home)
    assert written[:2] == ("loans", 7)
    assert pl.read_parquet(written[2]).height == LINES + 1


def test_a_write_that_fails_is_told_when_the_batch_finishes(tmp_path):
    home = Home(tmp_path / "home").ensure()
    ensure_raw(home)
    frame = _big_loans_file(tmp_path).head(2)
    incoming_dir(home, "loans").rmdir()
    incoming_dir(home, "loans").write_text("not a folder")  # the write cannot happen
    stager = Stager(home)
    stager.submit({"loans": frame})
    stager.submit({"loans": frame})  # a failed write stops the ones after it
    with pytest.raises(OSError):
        stager.finish()

    quiet = Stager(home)
    quiet.submit({"loans": frame})
    quiet.finish(quietly=True)  # another failure is on its way: this one is not raised
