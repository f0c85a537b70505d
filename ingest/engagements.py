"""`engagements` — bank–enterprise matchmaking and hard-tech help (对接活动), contract §3.3: one
file per month of events, from the economic commission."""

from __future__ import annotations

import polars as pl

from ingest.parsing import month_end_of
from ingest.schema import AMOUNT, CODE, DATE, TEXT, Column, Kind

REPORTER = "市经济信息委"
EVENT_TYPES = ("银企对接会", "路演", "沙龙", "上门服务", "培训", "硬科技帮扶")
OUTCOMES = ("无", "意向", "签约", "放款")
OUTCOME_WORDS = {"达成意向": "意向", "已签约": "签约", "已放款": "放款", "未达成": "无"}
# An outcome with money attached must say how much.
OUTCOMES_WITH_AMOUNT = ("签约", "放款")

COLUMNS = (
    Column("event_id", "活动编号", TEXT),
    Column("event_date", "活动日期", DATE, aliases=("日期",)),
    Column("event_type", "活动类型", CODE),
    Column("organizer", "组织单位", TEXT, aliases=("主办单位",)),
    Column("enterprise_uscc", "企业统一社会信用代码", CODE, aliases=("统一社会信用代码",)),
    Column("bank_code", "金融机构代码", CODE, required=False),
    Column("outcome", "对接结果", CODE, aliases=("结果",)),
    Column("amount", "金额", AMOUNT, required=False, aliases=("签约金额", "放款金额")),
)


def normalise(frame: pl.LazyFrame) -> pl.LazyFrame:
    """Outcome words to canonical ones; whether a signed or lent outcome carries its
    amount; the file's reporter and month."""
    outcome = pl.col("outcome").replace(OUTCOME_WORDS)
    return frame.with_columns(
        outcome=outcome,
        amount_given=pl.when(outcome.is_in(OUTCOMES_WITH_AMOUNT)).then(
            pl.col("amount").is_not_null()
        ),
        reporter=pl.lit(REPORTER),
        report_period=month_end_of("event_date"),
    )


KIND = Kind(
    name="engagements",
    zh="对接活动",
    columns=COLUMNS,
    normalise=normalise,
    reporter_column="reporter",
    period_column="report_period",
)
