"""What the link-level rules decide on: the loan a subsidy claim or a guarantee compensation
names, looked up in that bank's accepted loans files (and the loans files read in the same
batch), computed in code and then asserted through Great Expectations like every other rule.

The lookup itself belongs to whoever holds the loans (`warehouse.raw.loan_lookup`); the gate
only says which loans it needs and which of the batch's files it has already rejected."""

from __future__ import annotations

from collections.abc import Callable

import polars as pl

from ingest.subsidy_claims import TECH_LOAN
from quality.rules import AMOUNT_DETAIL, BORROWER_DETAIL, LOAN_DETAIL, TECH_DETAIL

LOAN_LINES_SCHEMA = {
    "bank_code": pl.String,
    "loan_id": pl.String,
    "report_period": pl.Date,
    "borrower_uscc": pl.String,
    "product": pl.String,
    "balance_cny": pl.Float64,
}
LoanLookup = Callable[[pl.DataFrame, set[int]], pl.DataFrame]
"""(bank_code, loan_id) pairs and the submission ids to leave out → every line of those
loans in the bank's accepted loans files, any month (LOAN_LINES_SCHEMA)."""


def no_loans(keys: pl.DataFrame, excluded: set[int]) -> pl.DataFrame:
    """A lookup that knows no loans (a gate with no warehouse behind it)."""
    return pl.DataFrame(schema=LOAN_LINES_SCHEMA)


def link_frame(
    kind: str, rows: pl.DataFrame, lookup: LoanLookup | None, excluded: set[int]
) -> pl.DataFrame:
    """The rows of a linked kind with what the link rules decide on — whether the loan is
    found, (for a claim) a 技改专项贷, lent to the same enterprise, and how far the claimed
    amount is from its balances — each with the text a finding shows."""
    keys = rows.select("bank_code", "loan_id").drop_nulls().unique()
    lines = (lookup or no_loans)(keys, excluded) if keys.height else no_loans(keys, excluded)
    lines = lines.select(list(LOAN_LINES_SCHEMA)).cast(LOAN_LINES_SCHEMA)
    if kind == "subsidy_claims":
        return _claims(rows, lines)
    return _compensations(rows, lines)


def _matched(rows: pl.DataFrame, lines: pl.DataFrame, key: list[str]) -> pl.DataFrame:
    return rows.select("submission_id", "row_number", *key).join(
        lines, on=["bank_code", "loan_id"], how="left"
    )


def _claims(rows: pl.DataFrame, lines: pl.DataFrame) -> pl.DataFrame:
    """A claim's loan must be in the bank's files of the claim year, as a 技改专项贷, lent to
    the claimant (plan 四、(一)); its amount is compared with the loan's highest balance.
    Each check is decided only where the one before it holds, so a finding says one thing."""
    key = ["bank_code", "loan_id", "enterprise_uscc", "year", "loan_amount"]
    in_year = pl.col("report_period").dt.year() == pl.col("year")
    tech = in_year & (pl.col("product") == TECH_LOAN)
    same = tech & (pl.col("borrower_uscc") == pl.col("enterprise_uscc"))
    facts = (
        _matched(rows, lines, key)
        .group_by("submission_id", "row_number")
        .agg(
            pl.col(key).first(),
            in_year.fill_null(False).any().alias("loan_found"),
            tech.fill_null(False).any().alias("tech"),
            same.fill_null(False).any().alias("same"),
            pl.col("product").filter(in_year).drop_nulls().unique().sort().str.join("、"),
            pl.col("borrower_uscc").filter(tech).drop_nulls().first(),
            pl.col("balance_cny").max().alias("highest_balance"),
        )
    )
    found, is_tech, same = pl.col("loan_found"), pl.col("tech"), pl.col("same")
    highest = pl.col("highest_balance")
    claimed = pl.col("loan_amount").cast(pl.Float64)
    return facts.select(
        "submission_id",
        "row_number",
        "loan_found",
        pl.when(~found)
        .then(pl.format("{}（{}，{}）", "loan_id", "bank_code", "year"))
        .alias(LOAN_DETAIL),
        pl.when(found).then(is_tech).alias("loan_is_tech"),
        pl.when(found & ~is_tech)
        .then(pl.format("{}：{}", "loan_id", pl.col("product").replace("", "—")))
        .alias(TECH_DETAIL),
        pl.when(is_tech).then(same).alias("borrower_matches"),
        pl.when(is_tech & ~same)
        .then(pl.format("{} → {}", "loan_id", "borrower_uscc"))
        .alias(BORROWER_DETAIL),
        pl.when(same & (highest > 0)).then(claimed / highest - 1).alias("amount_gap"),
        pl.format("{} / {}", claimed.round(2), highest.round(2)).alias(AMOUNT_DETAIL),
    )


def _compensations(rows: pl.DataFrame, lines: pl.DataFrame) -> pl.DataFrame:
    """A compensated loan must be in the bank's files up to the compensation's month, lent
    to the same enterprise."""
    key = ["bank_code", "loan_id", "enterprise_uscc", "compensation_date"]
    before = pl.col("report_period") <= pl.col("compensation_date").dt.month_end()
    same = before & (pl.col("borrower_uscc") == pl.col("enterprise_uscc"))
    facts = (
        _matched(rows, lines, key)
        .group_by("submission_id", "row_number")
        .agg(
            pl.col(key).first(),
            before.fill_null(False).any().alias("loan_found"),
            same.fill_null(False).any().alias("same"),
            pl.col("borrower_uscc").filter(before).drop_nulls().first(),
        )
    )
    found, same = pl.col("loan_found"), pl.col("same")
    return facts.select(
        "submission_id",
        "row_number",
        "loan_found",
        pl.when(~found).then(pl.format("{}（{}）", "loan_id", "bank_code")).alias(LOAN_DETAIL),
        pl.when(found).then(same).alias("borrower_matches"),
        pl.when(found & ~same)
        .then(pl.format("{} → {}", "loan_id", "borrower_uscc"))
        .alias(BORROWER_DETAIL),
    )
