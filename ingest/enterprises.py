"""`enterprises` — the manufacturing enterprise register (企业名录), contract §3.3: one snapshot
per month-end from the economic commission."""

from __future__ import annotations

import polars as pl

from ingest.identifiers import industry_code_expr, industry_division_expr
from ingest.parsing import by_distinct_value, month_end_of, vocabulary_terms
from ingest.schema import CODE, DATE, FLAG, TEXT, Column, Kind

REPORTER = "市经济信息委"
DESIGNATIONS = (
    "专精特新",
    "专精特新小巨人",
    "单项冠军",
    "瞪羚",
    "独角兽",
    "链主",
    "双百",
    "高新技术企业",
)
# Chongqing's 26 districts and 12 counties, and the functional zones registers also use.
DISTRICTS = (
    "万州区",
    "黔江区",
    "涪陵区",
    "渝中区",
    "大渡口区",
    "江北区",
    "沙坪坝区",
    "九龙坡区",
    "南岸区",
    "北碚区",
    "綦江区",
    "大足区",
    "渝北区",
    "巴南区",
    "长寿区",
    "江津区",
    "合川区",
    "永川区",
    "南川区",
    "璧山区",
    "铜梁区",
    "潼南区",
    "荣昌区",
    "开州区",
    "梁平区",
    "武隆区",
    "城口县",
    "丰都县",
    "垫江县",
    "忠县",
    "云阳县",
    "奉节县",
    "巫山县",
    "巫溪县",
    "石柱土家族自治县",
    "秀山土家族苗族自治县",
    "酉阳土家族苗族自治县",
    "彭水苗族土家族自治县",
    "两江新区",
    "重庆高新区",
    "万盛经开区",
)

COLUMNS = (
    Column("uscc", "统一社会信用代码", CODE),
    Column("name", "企业名称", TEXT),
    Column("district", "区县", TEXT, aliases=("所在区县",)),
    Column("industry_code", "行业代码", CODE, aliases=("所属行业",)),
    Column(
        "cluster_33618", "33618产业集群", TEXT, required=False, aliases=("产业集群", "所属集群")
    ),
    Column("designations", "企业称号", TEXT, required=False, aliases=("称号", "资质")),
    Column("listed", "是否上市", FLAG),
    Column("whitelist", "融资需求白名单", FLAG, aliases=("是否白名单", "白名单")),
    Column("as_of", "名录日期", DATE, aliases=("截至日期",)),
)


def normalise(frame: pl.LazyFrame) -> pl.LazyFrame:
    """Industry code and division as for loans, designations to the vocabulary, the
    snapshot's month-end as its period."""
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
    return frame.with_columns(
        **vocabulary_terms("designations", DESIGNATIONS),
        name=pl.col("name")
        .str.replace_all("（", "(", literal=True)
        .str.replace_all("）", ")", literal=True),
        reporter=pl.lit(REPORTER),
        report_period=month_end_of("as_of"),
    )


KIND = Kind(
    name="enterprises",
    zh="企业名录",
    columns=COLUMNS,
    normalise=normalise,
    reporter_column="reporter",
    period_column="report_period",
)
