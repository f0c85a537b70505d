"""What the cross-file and plausibility rules decide on, computed per file in code and then
asserted through Great Expectations like every other rule.

A loans file is reconciled with its bank's own `loan_totals` for the same month, and its
manufacturing balance is compared with the month before; a file sent after the due day is
late. The counterpart comes from the same batch if it is there, else from what the
warehouse already holds (`audit.file_aggregates` of the current submissions)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import polars as pl

from ingest.reference import Reference, load_reference
from quality.linked import LoanLookup

# Receipt times are UTC; a due day is a Beijing calendar day.
BEIJING_OFFSET = timedelta(hours=8)


@dataclass(frozen=True)
class GateSettings:
    """Tolerances of the plausibility rules (fractions; 0.005 = 0.5%)."""

    reconcile_warning: float = 0.005
    reconcile_error: float = 0.05
    mfg_change_bound: float = 0.30
    # A subsidy claim's loan amount against the loan's highest balance in the loans files.
    loan_amount_tolerance: float = 0.05
    # A month's files are due by this day of the following month (seed filing_obligations).
    due_day: int = field(default_factory=lambda: load_reference().due_day)


@dataclass
class GateContext:
    """What the warehouse already knows, for rules that look beyond one batch."""

    known: pl.DataFrame = field(default_factory=lambda: empty_aggregates())
    # When each file of the batch arrived, by the warehouse's clock (`warehouse.arrivals`).
    received_at: dict[int, datetime] = field(default_factory=dict)
    # The loans a subsidy claim or compensation names (`quality.linked`); None knows none.
    loans: LoanLookup | None = None


AGGREGATE_SCHEMA = {
    "submission_id": pl.Int64,
    "kind": pl.String,
    "bank_code": pl.String,
    "period": pl.Date,
    "corporate_loans": pl.Float64,
    "mfg_loans": pl.Float64,
}


def empty_aggregates() -> pl.DataFrame:
    """An aggregates frame with no rows."""
    return pl.DataFrame(schema=AGGREGATE_SCHEMA)


def file_aggregates(
    frames: dict[str, pl.DataFrame], ids: list[int], reference: Reference
) -> pl.DataFrame:
    """One row per file: its bank, month, corporate loans and manufacturing loans in 元.

    For a loans file these are summed from its lines (foreign currency at the month-end
    rate, manufacturing by GB/T 4754 division) — a quick gate-side figure; the metric of
    record is dbt's `int_bank_loans_aggregated`, and a test holds the two equal. For a
    loan_totals file they are the bank's own `corporate_loans` and `mfg_loans_reported`."""
    parts = [empty_aggregates()]
    if "loans" in frames:
        loans = frames["loans"].lazy().filter(pl.col("submission_id").is_in(ids))
        rates = reference.fx_rates.lazy().select(
            "currency", pl.col("period").alias("report_period"), "rate_to_cny"
        )
        manufacturing = pl.col("industry_division").is_in(reference.manufacturing_divisions)
        # One conversion as in the models (macro to_cny): the bank's own CNY figure, else
        # the month-end rate per line, rounded per line to the cent. Only foreign lines
        # without their own figure meet the rate table.
        own = pl.col("balance_cny").is_not_null() | (pl.col("currency") == "CNY")
        lines = loans.select(
            "submission_id",
            "bank_code",
            "report_period",
            "currency",
            "balance",
            "balance_cny",
            manufacturing.alias("manufacturing"),
        )
        kept = lines.filter(own).select(
            "submission_id",
            "bank_code",
            "report_period",
            "manufacturing",
            pl.coalesce("balance_cny", "balance").cast(pl.Float64).alias("in_cny"),
        )
        converted = (
            lines.filter(~own)
            .join(rates, on=["currency", "report_period"], how="left")
            .select(
                "submission_id",
                "bank_code",
                "report_period",
                "manufacturing",
                (pl.col("balance").cast(pl.Float64) * pl.col("rate_to_cny"))
                .round(2)
                .alias("in_cny"),
            )
        )
        parts.append(
            pl.concat([kept, converted])
            .group_by("submission_id")
            .agg(
                pl.lit("loans").alias("kind"),
                pl.col("bank_code").first(),
                pl.col("report_period").first().alias("period"),
                pl.col("in_cny").sum().alias("corporate_loans"),
                pl.col("in_cny").filter(pl.col("manufacturing")).sum().alias("mfg_loans"),
            )
            .collect()
        )
    if "loan_totals" in frames:
        totals = frames["loan_totals"].filter(pl.col("submission_id").is_in(ids))
        parts.append(
            totals.group_by("submission_id").agg(
                pl.lit("loan_totals").alias("kind"),
                pl.col("bank_code").first(),
                pl.col("report_period").first().alias("period"),
                pl.col("corporate_loans").cast(pl.Float64).first(),
                pl.col("mfg_loans_reported").cast(pl.Float64).first().alias("mfg_loans"),
            )
        )
    return pl.concat([p.select(list(AGGREGATE_SCHEMA)).cast(AGGREGATE_SCHEMA) for p in parts])


def _gap(detail: pl.Expr, total: pl.Expr) -> pl.Expr:
    """detail / total − 1; a total of 0 against non-zero lines is as far off as can be
    (+∞, an error), never "nothing to compare"; NULL only when a side is missing."""
    return (
        pl.when(detail.is_null() | total.is_null())
        .then(None)
        .when(total != 0)
        .then(detail / total - 1)
        .when(detail != 0)
        .then(float("inf"))
        .otherwise(0.0)
    )


def _previous_month_end(period: pl.Expr) -> pl.Expr:
    return period.dt.month_start().dt.offset_by("-1d")


def cross_facts(batch: pl.DataFrame, context: GateContext, settings: GateSettings) -> pl.DataFrame:
    """Per file: its gap to the counterpart file (loans ↔ loan_totals) on corporate and
    manufacturing loans, the change of manufacturing loans on the month before, whether
    the counterpart exists, and how many days late it was sent."""
    # The newest file per kind, bank and month wins: this batch over the warehouse.
    pool = (
        pl.concat([context.known.select(list(AGGREGATE_SCHEMA)), batch])
        .sort("submission_id")
        .unique(["kind", "bank_code", "period"], keep="last")
    )
    other = pool.select(
        pl.when(pl.col("kind") == "loans")
        .then(pl.lit("loan_totals"))
        .otherwise(pl.lit("loans"))
        .alias("kind"),
        "bank_code",
        "period",
        pl.col("corporate_loans").alias("other_corporate"),
        pl.col("mfg_loans").alias("other_mfg"),
    )
    before = pool.select(
        "kind",
        "bank_code",
        pl.col("period").alias("previous"),
        pl.col("mfg_loans").alias("previous_mfg"),
    )
    facts = (
        batch.with_columns(_previous_month_end(pl.col("period")).alias("previous"))
        .join(other, on=["kind", "bank_code", "period"], how="left")
        .join(before, on=["kind", "bank_code", "previous"], how="left")
    )
    # Gaps are measured against the bank's own totals, whichever side just arrived.
    loans_side = pl.col("kind") == "loans"
    detail_corp = (
        pl.when(loans_side).then(pl.col("corporate_loans")).otherwise(pl.col("other_corporate"))
    )
    total_corp = (
        pl.when(loans_side).then(pl.col("other_corporate")).otherwise(pl.col("corporate_loans"))
    )
    detail_mfg = pl.when(loans_side).then(pl.col("mfg_loans")).otherwise(pl.col("other_mfg"))
    total_mfg = pl.when(loans_side).then(pl.col("other_mfg")).otherwise(pl.col("mfg_loans"))
    corporate_gap = _gap(detail_corp, total_corp)
    mfg_gap = _gap(detail_mfg, total_mfg)
    error = settings.reconcile_error
    days_late, late_detail = _lateness(
        facts["submission_id"].to_list(),
        facts["period"].to_list(),
        context.received_at,
        settings.due_day,
    )
    return facts.with_columns(
        corporate_gap.alias("corporate_gap"),
        # The warning band stops where the error band starts: one finding per gap.
        pl.when(corporate_gap.abs() <= error).then(corporate_gap).alias("corporate_gap_warn"),
        mfg_gap.alias("mfg_gap"),
        pl.when(mfg_gap.abs() <= error).then(mfg_gap).alias("mfg_gap_warn"),
        pl.when(loans_side)
        .then(
            pl.col("mfg_loans") / pl.when(pl.col("previous_mfg") != 0).then(pl.col("previous_mfg"))
            - 1
        )
        .alias("mfg_change"),
        pl.col("other_corporate").is_not_null().alias("counterpart_present"),
        pl.Series("days_late", days_late, dtype=pl.Int64),
        pl.Series("late_detail", late_detail, dtype=pl.String),
        pl.format(
            "借据合计 detail {} / 报表 totals {} 元",
            detail_corp.round(2),
            total_corp.round(2),
        ).alias("corporate_detail"),
        pl.format(
            "借据制造业 detail {} / 报表 reported {} 元",
            detail_mfg.round(2),
            total_mfg.round(2),
        ).alias("mfg_detail"),
        pl.format(
            "{} → {} 元 ({}%)",
            pl.col("previous_mfg").round(2),
            pl.col("mfg_loans").round(2),
            ((pl.col("mfg_loans") / pl.col("previous_mfg") - 1) * 100).round(1),
        ).alias("change_detail"),
    ).select(
        "submission_id",
        "corporate_gap",
        "corporate_gap_warn",
        "mfg_gap",
        "mfg_gap_warn",
        "mfg_change",
        "counterpart_present",
        "days_late",
        "corporate_detail",
        "mfg_detail",
        "change_detail",
        "late_detail",
    )


def due_date(period: date, due_day: int) -> date:
    """The day a month's files are due: `due_day` of the following month."""
    year, month = (period.year + 1, 1) if period.month == 12 else (period.year, period.month + 1)
    return date(year, month, due_day)


def _lateness(
    ids: list[int], periods: list[date], received_at: dict[int, datetime], due_day: int
) -> tuple[list[int | None], list[str | None]]:
    """Days from the due date to the Beijing day each file arrived (negative when early)."""
    days, details = [], []
    for sid, period in zip(ids, periods, strict=True):
        arrived = received_at.get(sid)
        sent = arrived + BEIJING_OFFSET if arrived is not None else None
        if sent is None or period is None:
            days.append(None)
            details.append(None)
            continue
        due = due_date(period, due_day)
        days.append((sent.date() - due).days)
        details.append(f"收到 received {sent:%Y-%m-%d}，截止 due {due:%Y-%m-%d}")
    return days, details
