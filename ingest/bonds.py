"""`bonds` — manufacturing enterprises' bond financing (债券融资), contract §3.3: one file per
month of issues, from the securities regulator."""

from __future__ import annotations

import polars as pl

from ingest.parsing import by_distinct_value, month_end_of, vocabulary_terms
from ingest.schema import AMOUNT, CODE, DATE, RATE, TEXT, Column, Kind

REPORTER = "重庆证监局"
BOND_TYPES = (
    "中期票据",
    "短期融资券",
    "超短期融资券",
    "定向工具",
    "公司债",
    "企业债",
    "资产支持证券",
    "集合债券",
    "境外债",
)
# docs/domain.md: 科技创新债券 (〔2025〕8号) and 绿色 are labels across instrument types, not types.
LABELS = ("科技创新", "绿色", "科创票据")
MARKETS = ("银行间", "上交所", "深交所", "北交所", "境外")
MARKET_WORDS = {
    "银行间市场": "银行间",
    "上海证券交易所": "上交所",
    "深圳证券交易所": "深交所",
    "北京证券交易所": "北交所",
    "境外市场": "境外",
}
TYPE_WORDS = {
    "MTN": "中期票据",
    "CP": "短期融资券",
    "SCP": "超短期融资券",
    "PPN": "定向工具",
    "ABS": "资产支持证券",
}

# Currency words a filer may write instead of the ISO 4217 code.
CURRENCY_WORDS = {
    "人民币": "CNY",
    "RMB": "CNY",
    "美元": "USD",
    "新加坡元": "SGD",
    "新元": "SGD",
    "欧元": "EUR",
    "港元": "HKD",
    "港币": "HKD",
    "日元": "JPY",
    "英镑": "GBP",
}

COLUMNS = (
    Column("filing_id", "备案编号", TEXT, aliases=("债券编号", "债券代码")),
    Column("issuer_uscc", "发行人统一社会信用代码", CODE, aliases=("统一社会信用代码",)),
    Column("issuer_name", "发行人名称", TEXT, aliases=("发行人",)),
    Column("bond_name", "债券名称", TEXT, aliases=("债券简称",)),
    Column("bond_type", "债券类型", CODE, aliases=("债券品种",)),
    Column("labels", "债券标签", TEXT, required=False, aliases=("标签",)),
    Column("market", "发行市场", CODE, aliases=("市场",)),
    Column("issue_date", "发行日期", DATE, aliases=("发行日",)),
    Column("term_years", "期限(年)", RATE, aliases=("期限", "发行期限(年)")),
    Column("amount", "发行金额", AMOUNT, aliases=("发行规模", "金额")),
    Column("currency", "币种", CODE),
    Column("coupon_rate", "票面利率(%)", RATE, aliases=("票面利率",)),
    Column("lead_underwriter", "主承销商", TEXT, required=False),
)


def normalise(frame: pl.LazyFrame) -> pl.LazyFrame:
    """Vocabularies to canonical words; a label written as a type is kept visible so the
    gate can say so; the file's reporter and month."""
    bond_type = pl.col("bond_type")
    frame = by_distinct_value(
        frame,
        "bond_type",
        {
            "type_is_label": bond_type.str.contains("|".join(LABELS)).fill_null(False),
            "bond_type": bond_type.replace(TYPE_WORDS),
        },
    )
    return frame.with_columns(
        **vocabulary_terms("labels", LABELS),
        market=pl.col("market").replace(MARKET_WORDS),
        currency=pl.col("currency").replace(CURRENCY_WORDS),
        # Checked against the vocabulary only when it is not a label in the wrong column
        # (that has its own finding).
        bond_type_checked=pl.when(~pl.col("type_is_label")).then(pl.col("bond_type")),
        reporter=pl.lit(REPORTER),
        report_period=month_end_of("issue_date"),
    )


KIND = Kind(
    name="bonds",
    zh="债券融资",
    columns=COLUMNS,
    normalise=normalise,
    reporter_column="reporter",
    period_column="report_period",
)
