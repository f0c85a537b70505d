"""`guarantee_compensations` — guarantee compensations paid on defaulted loans (代偿), contract
§3.4: one file per month of compensations, from the re-guarantor."""

from __future__ import annotations

import polars as pl

from ingest.parsing import month_end_of
from ingest.schema import AMOUNT, CODE, DATE, TEXT, Column, Kind

REPORTER = "再担保机构"

COLUMNS = (
    Column("case_id", "代偿编号", TEXT, aliases=("案件编号",)),
    Column("bank_code", "金融机构代码", CODE, aliases=("贷款银行机构代码",)),
    Column("loan_id", "贷款借据号", TEXT, aliases=("借据号", "借据编号")),
    Column("enterprise_uscc", "企业统一社会信用代码", CODE, aliases=("统一社会信用代码",)),
    Column("direct_guarantor", "直保机构", TEXT, aliases=("直接担保机构",)),
    Column("compensation_date", "代偿日期", DATE),
    Column("loss_amount", "代偿损失金额", AMOUNT, aliases=("损失金额", "代偿金额")),
)


def normalise(frame: pl.LazyFrame) -> pl.LazyFrame:
    """The file's reporter and month (the month of the compensations)."""
    return frame.with_columns(
        reporter=pl.lit(REPORTER),
        report_period=month_end_of("compensation_date"),
    )


KIND = Kind(
    name="guarantee_compensations",
    zh="担保代偿",
    columns=COLUMNS,
    normalise=normalise,
    reporter_column="reporter",
    period_column="report_period",
)
