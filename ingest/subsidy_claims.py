"""`subsidy_claims` — 技改专项贷 interest-subsidy and guarantee-fee-subsidy claims (贴息/担保费补助
申请), contract §3.4: one file per year of claims, from the economic commission."""

from __future__ import annotations

import polars as pl

from ingest.schema import AMOUNT, CODE, RATE, TEXT, Column, Kind

REPORTER = "市经济信息委"
# The product a claim's loan must carry in the bank's loans file (plan 四、(一)).
TECH_LOAN = "技改专项贷"
GUARANTEE_COLUMNS = ("guarantor_uscc", "guarantee_fee_rate", "guarantee_fee_paid")

COLUMNS = (
    Column("claim_id", "申请编号", TEXT, aliases=("申报编号",)),
    Column("year", "申请年度", CODE, aliases=("年度", "补助年度")),
    Column("enterprise_uscc", "企业统一社会信用代码", CODE, aliases=("统一社会信用代码",)),
    Column("enterprise_name", "企业名称", TEXT),
    Column("project_name", "项目名称", TEXT, aliases=("技改项目名称",)),
    Column("bank_code", "金融机构代码", CODE, aliases=("贷款银行机构代码",)),
    Column("loan_id", "贷款借据号", TEXT, aliases=("借据号", "借据编号")),
    Column("loan_amount", "贷款金额", AMOUNT, aliases=("贷款合同金额",)),
    Column("actual_rate", "实际贷款利率(%)", RATE, aliases=("实际贷款利率", "贷款利率(%)")),
    Column("interest_paid", "年度实付利息", AMOUNT, aliases=("实付利息",)),
    # A claim without a guarantor claims the interest subsidy only.
    Column(
        "guarantor_uscc",
        "担保机构统一社会信用代码",
        CODE,
        required=False,
        aliases=("担保机构代码",),
    ),
    Column("guarantor_name", "担保机构名称", TEXT, required=False),
    Column(
        "guarantee_fee_rate",
        "年化担保费率(%)",
        RATE,
        required=False,
        aliases=("担保费率(%)", "年化担保费率"),
    ),
    Column("guarantee_fee_paid", "实付担保费", AMOUNT, required=False, aliases=("担保费",)),
)


def normalise(frame: pl.LazyFrame) -> pl.LazyFrame:
    """The claim year as a number (its year-end is the file's period); whether the
    guarantee part is complete when any of it is given; the file's reporter."""
    year = pl.col("year").str.extract(r"^(\d{4})(?:年|\.0+)?$", 1).cast(pl.Int32, strict=False)
    year = pl.when(year.is_between(2000, 2100)).then(year)
    given = [pl.col(c).is_not_null() for c in GUARANTEE_COLUMNS]
    return frame.with_columns(year=year).with_columns(
        guarantee_complete=pl.when(pl.any_horizontal(given)).then(pl.all_horizontal(given)),
        reporter=pl.lit(REPORTER),
        report_period=pl.date(pl.col("year"), 12, 31),
    )


KIND = Kind(
    name="subsidy_claims",
    zh="贴息及担保费补助申请",
    columns=COLUMNS,
    normalise=normalise,
    reporter_column="reporter",
    period_column="report_period",
)
