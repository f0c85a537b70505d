"""`bridge_loans` — emergency bridge loans (应急转贷), contract §3.4: one file per month of
bridges, from the economic commission or its fund operator."""

from __future__ import annotations

import polars as pl

from ingest.parsing import month_end_of
from ingest.schema import AMOUNT, CODE, DATE, RATE, TEXT, Column, Kind

REPORTER = "市经济信息委"

COLUMNS = (
    Column("bridge_id", "转贷编号", TEXT, aliases=("转贷业务编号",)),
    Column("enterprise_uscc", "企业统一社会信用代码", CODE, aliases=("统一社会信用代码",)),
    Column("bank_code", "金融机构代码", CODE, aliases=("续贷银行机构代码",)),
    Column("amount", "转贷金额", AMOUNT, aliases=("金额",)),
    Column("start_date", "转贷开始日期", DATE, aliases=("开始日期", "放款日期")),
    Column("end_date", "转贷结束日期", DATE, aliases=("结束日期", "归还日期")),
    Column("fee_rate", "周转金使用费率(%)", RATE, aliases=("使用费率(%)", "费率(%)")),
    Column("fee_charged", "实收使用费", AMOUNT, aliases=("使用费",)),
)


def normalise(frame: pl.LazyFrame) -> pl.LazyFrame:
    """The file's reporter and month (the month the bridges start)."""
    return frame.with_columns(
        reporter=pl.lit(REPORTER),
        report_period=month_end_of("start_date"),
    )


KIND = Kind(
    name="bridge_loans",
    zh="应急转贷",
    columns=COLUMNS,
    normalise=normalise,
    reporter_column="reporter",
    period_column="report_period",
)
