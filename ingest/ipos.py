"""`ipos` — listing-cultivation events (上市培育), contract §3.3: one file per month of events,
from the securities regulator."""

from __future__ import annotations

from datetime import date

import polars as pl

from ingest.parsing import by_distinct_value, month_end_of
from ingest.schema import AMOUNT, CODE, DATE, TEXT, Column, Kind

REPORTER = "重庆证监局"
# The IPO track in order (渝财规〔2022〕10号 rewards the first four); the two listings on
# other markets are side tracks without an order.
IPO_TRACK = ("签署IPO协议", "辅导备案", "申报受理", "注册", "上市")
SIDE_TRACKS = ("新三板挂牌", "区域股权市场挂牌")
STAGES = (*IPO_TRACK, *SIDE_TRACKS)
STAGE_WORDS = {
    "注册/过会": "注册",
    "过会": "注册",
    "注册生效": "注册",
    "签署上市协议": "签署IPO协议",
    "辅导备案登记": "辅导备案",
    "受理": "申报受理",
    "挂牌上市": "上市",
}
EXCHANGES = ("上交所", "深交所", "北交所", "港交所", "境外", "新三板", "区域股权市场")
EXCHANGE_WORDS = {
    "上海证券交易所": "上交所",
    "深圳证券交易所": "深交所",
    "北京证券交易所": "北交所",
    "香港联合交易所": "港交所",
    "香港交易所": "港交所",
    "全国股转系统": "新三板",
    "重庆股份转让中心": "区域股权市场",
}
BOARDS = ("主板", "科创板", "创业板", "北交所", "基础层", "创新层", "其他")
# docs/domain.md: stock code prefixes by exchange and board.
A_SHARE_PREFIXES = {
    ("上交所", "主板"): ("600", "601", "603", "605"),
    ("上交所", "科创板"): ("688", "689"),
    ("深交所", "主板"): ("000", "001", "002", "003"),
    ("深交所", "创业板"): ("300", "301", "302"),
}
BSE_ALL_920 = date(2025, 10, 9)  # every BSE stock moved to 920xxx
BSE_NEW_920 = date(2024, 4, 22)  # new BSE listings got 920 from here

COLUMNS = (
    Column("event_id", "事件编号", TEXT),
    Column("enterprise_uscc", "企业统一社会信用代码", CODE, aliases=("统一社会信用代码",)),
    Column("enterprise_name", "企业名称", TEXT),
    Column("stage", "上市阶段", CODE, aliases=("阶段", "培育阶段")),
    Column("stage_date", "阶段日期", DATE, aliases=("日期",)),
    Column("exchange", "交易所", CODE, required=False, aliases=("上市地",)),
    Column("board", "板块", CODE, required=False, aliases=("上市板块",)),
    Column("stock_code", "股票代码", CODE, required=False, aliases=("证券代码",)),
    Column("amount_raised", "募集资金", AMOUNT, required=False, aliases=("募资金额",)),
)


def stock_code_fits(exchange: pl.Expr, board: pl.Expr, code: pl.Expr, when: pl.Expr) -> pl.Expr:
    """At 上市 on an A-share board, the stock code is there and its prefix fits the board
    (and, on the BSE, the date); null where no code is called for."""
    fits = pl.lit(None, pl.Boolean)
    for (market, board_name), prefixes in A_SHARE_PREFIXES.items():
        fits = (
            pl.when((exchange == market) & (board == board_name))
            .then(code.str.contains(rf"^({'|'.join(prefixes)})\d{{3}}$").fill_null(False))
            .otherwise(fits)
        )
    bse = (
        pl.when(when >= BSE_ALL_920)
        .then(code.str.contains(r"^920\d{3}$"))
        .when(when >= BSE_NEW_920)
        .then(code.str.contains(r"^(920|[48]\d{2})\d{3}$"))
        .otherwise(code.str.contains(r"^[48]\d{5}$"))
    ).fill_null(False)
    fits = pl.when(exchange == "北交所").then(bse).otherwise(fits)
    # Elsewhere (Hong Kong, abroad) only presence is required.
    fits = pl.when(exchange.is_in(["港交所", "境外"])).then(code.is_not_null()).otherwise(fits)
    return pl.when(pl.col("stage") == "上市").then(fits.fill_null(False))


def normalise(frame: pl.LazyFrame) -> pl.LazyFrame:
    """Stage and market words to canonical ones; whether each enterprise's stages in the
    file come in the track's order; whether a listing's stock code fits its board."""
    frame = by_distinct_value(frame, "stage", {"stage": pl.col("stage").replace(STAGE_WORDS)})
    frame = frame.with_columns(
        exchange=pl.col("exchange").replace(EXCHANGE_WORDS),
        board=pl.col("board").replace({"主板A股": "主板", "北交所主板": "北交所"}),
    )
    rank = pl.col("stage").replace_strict(
        {stage: i for i, stage in enumerate(IPO_TRACK)}, default=None, return_dtype=pl.Int32
    )
    # A later stage of the track dated before an earlier one, for the same enterprise.
    track_date = pl.when(rank.is_not_null()).then(pl.col("stage_date"))
    latest_before = (
        track_date.cum_max().shift(1).over("submission_id", "enterprise_uscc", order_by=rank)
    )
    return frame.with_columns(
        stage_rank=rank,
        stage_in_order=pl.when(rank.is_not_null() & pl.col("stage_date").is_not_null()).then(
            (pl.col("stage_date") >= latest_before).fill_null(True)
        ),
        stock_code_fits=stock_code_fits(
            pl.col("exchange"), pl.col("board"), pl.col("stock_code"), pl.col("stage_date")
        ),
        reporter=pl.lit(REPORTER),
        report_period=month_end_of("stage_date"),
    )


KIND = Kind(
    name="ipos",
    zh="上市培育",
    columns=COLUMNS,
    normalise=normalise,
    reporter_column="reporter",
    period_column="report_period",
)
