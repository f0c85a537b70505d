"""`fund_investments` — fund money into manufacturing enterprises (基金投资), contract §3.3: one
file per fund manager per month of deals."""

from __future__ import annotations

import polars as pl

from ingest.bonds import CURRENCY_WORDS
from ingest.parsing import month_end_of
from ingest.schema import AMOUNT, CODE, DATE, FLAG, TEXT, Column, Kind

FUND_TYPES = ("国家级基金", "市级母基金", "专项子基金", "种子", "天使", "创投", "私募股权", "其他")
FUND_TYPE_WORDS = {
    "种子基金": "种子",
    "天使基金": "天使",
    "创投基金": "创投",
    "创业投资": "创投",
    "私募股权基金": "私募股权",
    "PE": "私募股权",
    "VC": "创投",
}

COLUMNS = (
    Column("deal_id", "投资编号", TEXT, aliases=("交易编号",)),
    Column("fund_name", "基金名称", TEXT),
    Column("fund_type", "基金类型", CODE),
    Column("fund_manager", "基金管理人", TEXT, aliases=("管理人",)),
    Column("investee_uscc", "被投企业统一社会信用代码", CODE, aliases=("统一社会信用代码",)),
    Column("investee_name", "被投企业名称", TEXT),
    Column("invest_date", "投资日期", DATE, aliases=("出资日期",)),
    Column("amount", "投资金额", AMOUNT, aliases=("出资金额", "金额")),
    # Optional: a deal without it is in CNY (contract §3.3).
    Column("currency", "币种", CODE, required=False),
    Column("is_return_investment", "是否返投", FLAG, aliases=("返投",)),
)


def normalise(frame: pl.LazyFrame) -> pl.LazyFrame:
    """Fund-type words to canonical ones; the manager is the reporter, the deals' month the
    period."""
    return frame.with_columns(
        fund_type=pl.col("fund_type").replace(FUND_TYPE_WORDS),
        currency=pl.col("currency").replace(CURRENCY_WORDS).fill_null("CNY"),
        reporter=pl.col("fund_manager"),
        report_period=month_end_of("invest_date"),
    )


KIND = Kind(
    name="fund_investments",
    zh="基金投资",
    columns=COLUMNS,
    normalise=normalise,
    reporter_column="reporter",
    period_column="report_period",
)
