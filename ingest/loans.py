"""`loans` — a bank's month-end corporate loan-level snapshot (对公贷款借据), contract §3.1."""

from __future__ import annotations

import polars as pl

from ingest.identifiers import industry_code_expr, industry_division_expr
from ingest.parsing import by_distinct_value
from ingest.schema import AMOUNT, CODE, DATE, PERIOD, RATE, TEXT, Column, Kind

GUARANTEE_WORDS = {
    "质押": "A",
    "抵押": "B",
    "保证": "C",
    "信用": "D",
    "免担保": "D",
    "信用/免担保": "D",
    "组合": "E",
    "其他": "Z",
}
GUARANTEE_TYPES = ("A", "B", "C", "D", "E", "Z")
SCALE_WORDS = {"大型": "CS01", "中型": "CS02", "小型": "CS03", "微型": "CS04", "其他": "CS05"}
SCALES = ("CS01", "CS02", "CS03", "CS04", "CS05")
FIVE_CLASS_CODES = {"1": "正常", "2": "关注", "3": "次级", "4": "可疑", "5": "损失"}
FIVE_CLASSES = ("正常", "关注", "次级", "可疑", "损失")
CURRENCY_WORDS = {
    "人民币": "CNY",
    "RMB": "CNY",
    "美元": "USD",
    "欧元": "EUR",
    "港币": "HKD",
    "港元": "HKD",
    "日元": "JPY",
    "英镑": "GBP",
}

COLUMNS = (
    Column("bank_code", "金融机构代码", CODE),
    Column("report_period", "报告期", PERIOD, aliases=("数据日期",)),
    Column("loan_id", "贷款借据号", TEXT, aliases=("借据号", "借据编号")),
    Column("borrower_uscc", "借款人统一社会信用代码", CODE, aliases=("统一社会信用代码",)),
    Column("borrower_name", "借款人名称", TEXT),
    Column("industry_code", "借款人行业", CODE, aliases=("行业代码", "所属行业")),
    Column("enterprise_scale", "企业规模", CODE),
    Column("product", "贷款产品", TEXT, required=False, aliases=("产品名称",)),
    Column("issue_date", "贷款发放日期", DATE, aliases=("发放日期",)),
    Column("maturity_date", "贷款到期日期", DATE, aliases=("到期日期",)),
    Column("guarantee_type", "担保方式", CODE),
    Column("currency", "币种", CODE),
    Column("balance", "贷款余额", AMOUNT, aliases=("贷款余额原币", "原币余额")),
    Column("balance_cny", "贷款余额折人民币", AMOUNT, required=False, aliases=("折人民币余额",)),
    Column("interest_rate", "执行利率(%)", RATE, aliases=("执行利率", "利率(%)")),
    Column("five_class", "五级分类", CODE, aliases=("贷款五级分类",)),
)


def normalise(frame: pl.LazyFrame) -> pl.LazyFrame:
    """Map the bank's vocabularies to canonical codes and derive the GB/T 4754 division."""
    guarantee = pl.col("guarantee_type")
    frame = by_distinct_value(
        frame,
        "industry_code",
        {
            "industry_division": industry_division_expr("industry_code"),
            "industry_code": pl.coalesce(
                industry_code_expr("industry_code"), pl.col("industry_code")
            ),
        },
    )
    frame = by_distinct_value(
        frame,
        "guarantee_type",
        {
            "guarantee_code": guarantee.str.extract(r"^[A-EZ]\d{2}$", 0),
            "guarantee_type": pl.coalesce(
                guarantee.replace_strict(GUARANTEE_WORDS, default=None, return_dtype=pl.String),
                guarantee.str.extract(r"^([A-EZ])(?:\d{2})?$", 1),
                guarantee,
            ),
        },
    )
    return frame.with_columns(
        pl.col("borrower_name")
        .str.replace_all("（", "(", literal=True)
        .str.replace_all("）", ")", literal=True),
        pl.col("enterprise_scale").replace(SCALE_WORDS),
        pl.col("currency").replace(CURRENCY_WORDS),
        pl.col("five_class").replace(FIVE_CLASS_CODES),
    )


KIND = Kind(
    name="loans",
    zh="对公贷款借据",
    columns=COLUMNS,
    normalise=normalise,
)
