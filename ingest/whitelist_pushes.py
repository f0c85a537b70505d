"""`whitelist_pushes` — the financing-needs white list pushed to banks and how far each push
got (融资需求白名单推送), contract §3.4: one file per month of status changes, from the
economic commission."""

from __future__ import annotations

import polars as pl

from ingest.parsing import month_end_of
from ingest.schema import AMOUNT, CODE, DATE, TEXT, Column, Kind

REPORTER = "市经济信息委"
# The stages a push goes through in order; 不符合条件 ends it without a loan.
STAGES = ("已推送", "已对接", "已授信", "已放款")
STATUSES = (*STAGES, "不符合条件")
STATUS_WORDS = {"推送": "已推送", "对接": "已对接", "授信": "已授信", "放款": "已放款"}
# A stage with money attached must say how much.
STATUSES_WITH_AMOUNT = ("已授信", "已放款")

COLUMNS = (
    Column("push_id", "推送编号", TEXT),
    Column("enterprise_uscc", "企业统一社会信用代码", CODE, aliases=("统一社会信用代码",)),
    Column("bank_code", "金融机构代码", CODE, aliases=("推送银行机构代码",)),
    Column("push_date", "推送日期", DATE),
    Column("status", "对接状态", CODE, aliases=("状态",)),
    Column("status_date", "状态日期", DATE, aliases=("状态变更日期",)),
    Column("amount", "金额", AMOUNT, required=False, aliases=("授信金额", "放款金额")),
)


def normalise(frame: pl.LazyFrame) -> pl.LazyFrame:
    """Status words to canonical ones; whether a credit or loan status gives its amount;
    the file's reporter and month (the month of the status changes)."""
    status = pl.col("status").replace(STATUS_WORDS)
    return frame.with_columns(
        status=status,
        amount_given=pl.when(status.is_in(STATUSES_WITH_AMOUNT)).then(
            pl.col("amount").is_not_null()
        ),
        reporter=pl.lit(REPORTER),
        report_period=month_end_of("status_date"),
    )


KIND = Kind(
    name="whitelist_pushes",
    zh="融资需求白名单推送",
    columns=COLUMNS,
    normalise=normalise,
    reporter_column="reporter",
    period_column="report_period",
)
