"""`loan_totals` — a bank's month-end aggregates (各项贷款), contract §3.2."""

from __future__ import annotations

import polars as pl

from ingest.schema import AMOUNT, CODE, PERIOD, Column, Kind

COLUMNS = (
    Column("bank_code", "金融机构代码", CODE),
    Column("report_period", "报告期", PERIOD, aliases=("数据日期",)),
    Column("total_loans", "各项贷款余额", AMOUNT, aliases=("各项贷款",)),
    Column("total_mlt_loans", "中长期贷款余额", AMOUNT, aliases=("中长期贷款",)),
    Column("total_credit_loans", "信用贷款余额", AMOUNT, aliases=("信用贷款",)),
    Column("corporate_loans", "企事业单位贷款余额", AMOUNT, aliases=("企事业单位贷款",)),
    Column("mfg_loans_reported", "制造业贷款余额", AMOUNT, aliases=("制造业贷款",)),
)


def normalise(frame: pl.LazyFrame) -> pl.LazyFrame:
    """Aggregates need no vocabulary mapping beyond the generic parsing."""
    return frame


KIND = Kind(
    name="loan_totals",
    zh="各项贷款",
    columns=COLUMNS,
    normalise=normalise,
)
