"""What a bank's scorecard pack shows, read once from the published warehouse for every
bank: its scorecard row, its last 24 months, the weights version and the 口径 texts, and
its peer group as anonymised statistics only."""

from __future__ import annotations

import calendar
import hashlib
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import polars as pl
import polars.selectors as cs

from exports.formatting import beijing
from exports.labels import columns
from warehouse.readonly import connect_published

TREND_MONTHS = 24
# contract §5 / issue: a group statistic over fewer than three other banks could be unpicked
# back to one bank's figures, so it is withheld.
MIN_OTHER_BANKS = 3


class ExportError(Exception):
    """An export that cannot be made; bilingual message for the user."""


@dataclass(frozen=True)
class Indicator:
    """One scorecard indicator as a pack shows it."""

    code: str  # scorecard_weights.indicator
    value_column: str  # its value in marts.bank_scorecard
    score_column: str
    unit: str  # "pp" (fraction shown in percentage points), "%", or "分" (points)


INDICATORS = (
    Indicator("growth_gap", "growth_gap", "growth_gap_score", "pp"),
    Indicator("mfg_loan_share", "mfg_loan_share", "mfg_loan_share_score", "%"),
    Indicator("mlt_share_change", "mfg_mlt_share_yoy_change", "mlt_share_change_score", "pp"),
    Indicator(
        "credit_share_change", "mfg_credit_share_yoy_change", "credit_share_change_score", "pp"
    ),
    Indicator("data_quality", "data_quality_points_deducted", "data_quality_score", "分"),
)

# The measures the bank is set against its peers on (column, Chinese label, unit).
PEER_MEASURES = columns(
    "composite_score",
    "growth_gap",
    "mfg_loan_share",
    "mfg_mlt_share",
    "mfg_credit_share",
    "mfg_loans_yoy_growth",
    "mfg_mlt_share_yoy_change",
    "mfg_credit_share_yoy_change",
)


@dataclass(frozen=True)
class PeerStatistic:
    """Quartiles of one measure over the other banks of the peer group; None when withheld."""

    measure: str
    label: str
    unit: str
    bank_value: float | None
    other_banks: int
    quartiles: tuple[float, float, float] | None


@dataclass(frozen=True)
class Pack:
    """Everything one bank's pack shows, and nothing about any other single bank."""

    period: date
    card: dict  # the bank's marts.bank_scorecard row
    metrics: dict  # the bank's marts.bank_loan_metrics row for the period
    trend: pl.DataFrame  # the bank's bank_loan_metrics, last TREND_MONTHS months
    weights: pl.DataFrame  # reference.scorecard_weights rows of the version used
    grades: list[tuple[str, float]]  # (grade, min_score) of that version, best first
    definitions: dict[str, str]  # column → 口径 text (the dbt column descriptions)
    peers: list[PeerStatistic]
    published_at: str  # when the warehouse the pack was read from was published
    frozen: dict | None = None  # the bank's marts.evaluation_results row, once frozen

    @property
    def headline(self) -> dict:
        """The result of record: the frozen evaluation once there is one, else the live."""
        source = self.frozen or self.card
        return {key: source[key] for key in HEADLINE}

    @property
    def changed_since_frozen(self) -> bool:
        """Whether later files moved the live result away from the frozen one."""
        return self.frozen is not None and any(
            self.frozen[key] != self.card[key] for key in HEADLINE
        )

    @property
    def evaluation_note(self) -> str:
        """What the headline result is: frozen, frozen and since moved, or not yet frozen."""
        return evaluation_note(self.card, self.frozen)

    @property
    def bank_code(self) -> str:
        return self.card["bank_code"]

    @property
    def bank_name(self) -> str:
        return self.card["bank_name"]


# What the frozen evaluation fixes: the headline a pack shows.
HEADLINE = (
    "composite_score",
    "grade",
    "is_graded",
    "rank_in_peer_group",
    "peer_group_size",
    "rank_city",
    "banks_ranked",
)


def evaluation_note(card: dict, frozen: dict | None) -> str:
    """The note a pack prints under its headline, for a bank's live scorecard row and its
    frozen evaluation (if any)."""
    if frozen is None:
        return (
            "本季度评价尚未冻结（截止日后自动冻结），所示为当前结果。/ Not yet frozen "
            "(it is frozen at the cut-off): the live result."
        )
    at = beijing(frozen["frozen_at"], label=False)
    note = (
        f"正式结果：北京时间 {at} 冻结的季度评价，此后不再改写。/ Of record: frozen at {at} "
        "Beijing time."
    )
    if any(frozen[key] != card[key] for key in HEADLINE):
        note += (
            f" 此后收到的文件使当前结果变为：综合得分 {_shown(card['composite_score'])}，"
            f"等级 {card['grade'] or '未评级'}，全市排名 {_shown(card['rank_city'])}"
            "（仅供参考，见 marts.evaluation_changes）。/ Files received since moved "
            f"the live result to {_shown(card['composite_score'])}, grade "
            f"{card['grade'] or 'not graded'}, rank {_shown(card['rank_city'])} "
            "(for information; see marts.evaluation_changes)."
        )
    return note


def _shown(value) -> str:
    return "—" if value is None else f"{value:g}" if isinstance(value, float) else str(value)


def month_end(text: str) -> date:
    """'2026-09', '202609' (or '2026-09-30') → date(2026, 9, 30); ValueError otherwise."""
    match = re.fullmatch(r"(\d{4})-?(\d{2})(?:-\d{2})?", text.strip())
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise ValueError(
            f"报告期应为 YYYY-MM 或 YYYYMM：{text!r} / the period must be YYYY-MM "
            f"or YYYYMM: {text!r}"
        )
    year, month = int(match.group(1)), int(match.group(2))
    return date(year, month, calendar.monthrange(year, month)[1])


def latest_quarter_end(db: Path) -> date:
    """The newest quarter-end month the published scorecard has (what packs show by
    default)."""
    con = connect_published(db)
    try:
        row = con.sql(
            "select max(period) from marts.bank_scorecard where is_quarter_end"
        ).fetchall()[0]
    finally:
        con.close()
    if row[0] is None:
        raise ExportError(
            "已发布的数据仓库中还没有季末得分卡 / the published warehouse has no "
            "quarter-end scorecard yet"
        )
    return row[0]


class ScorecardSource:
    """The published warehouse's scorecard data for one period, read once for every bank."""

    def __init__(self, db: Path, period: date):
        self.period = period
        con = connect_published(db)
        try:
            self.cards = read_frame(
                con,
                "select * from marts.bank_scorecard where period = ? "
                "order by rank_city nulls last, bank_code",
                [period],
            )
            first = _months_before(period, TREND_MONTHS - 1)
            self.metrics = read_frame(
                con,
                "select * from marts.bank_loan_metrics where period between ? and ? "
                "order by bank_code, period",
                [first, period],
            )
            self.weights = read_frame(
                con,
                "select * from reference.scorecard_weights "
                "order by weights_version, weight desc, indicator",
            )
            self.grades = read_frame(
                con,
                "select * from reference.scorecard_grades order by weights_version, min_score desc",
            )
            frozen_exists = (
                con.sql(
                    "select count(*) from duckdb_tables() where schema_name = 'marts' "
                    "and table_name = 'evaluation_results'"
                ).fetchall()[0][0]
                > 0
            )
            self.frozen = (
                read_frame(con, "select * from marts.evaluation_results where period = ?", [period])
                if frozen_exists
                else pl.DataFrame()
            )
            published = con.sql("select max(published_at) from meta.publication").fetchall()
            comments = con.sql(
                "select column_name, comment from duckdb_columns() where schema_name = "
                "'marts' and table_name in ('bank_scorecard', 'bank_loan_metrics') and "
                "comment is not null"
            ).fetchall()
        finally:
            con.close()
        self.definitions = dict(comments)
        self.published_at = beijing(published[0][0]) if published[0][0] else ""
        if self.cards.is_empty():
            raise ExportError(f"{period:%Y-%m} 没有得分卡数据 / no scorecard for {period:%Y-%m}")
        self._now = self.cards.join(
            self.metrics.filter(pl.col("period") == period).select(
                "bank_code", "mfg_mlt_share", "mfg_credit_share", "mfg_loans_yoy_growth"
            ),
            on="bank_code",
            how="left",
        )

    def fingerprint(self) -> str:
        """A digest of everything the packs show: unchanged data, unchanged packs."""
        digest = hashlib.sha256()
        for frame in (self.cards, self.metrics, self.weights, self.grades, self.frozen):
            # Parallel sums may differ in the last bit from one build to the next.
            digest.update(frame.with_columns(cs.float().round(9)).write_csv().encode())
        digest.update(repr(sorted(self.definitions.items())).encode())
        return digest.hexdigest()

    def texts(self) -> list[str]:
        """Every piece of text any bank's pack can print from this data."""
        frames = (self.cards, self.weights, self.grades, self.frozen)
        texts = [v for frame in frames for row in frame.rows() for v in row if isinstance(v, str)]
        # Only the cards and frozen rows: building every pack here would redo every bank's
        # peer statistics just for its note.
        frozen = {row["bank_code"]: row for row in self.frozen.to_dicts()}
        texts += [
            evaluation_note(card, frozen.get(card["bank_code"])) for card in self.cards.to_dicts()
        ]
        return [
            *texts,
            *(label for _, label, _ in PEER_MEASURES),
            *self.definitions.values(),
            self.published_at,
        ]

    @property
    def bank_codes(self) -> list[str]:
        """Every bank with a scorecard row for the period, best composite first."""
        return self.cards["bank_code"].to_list()

    def pack(self, bank_code: str) -> Pack:
        """One bank's pack."""
        rows = self.cards.filter(pl.col("bank_code") == bank_code).to_dicts()
        if not rows:
            raise ExportError(
                f"{self.period:%Y-%m} 没有机构 {bank_code} 的得分卡 / no scorecard "
                f"for bank {bank_code} in {self.period:%Y-%m}"
            )
        card = rows[0]
        trend = self.metrics.filter(pl.col("bank_code") == bank_code)
        current = trend.filter(pl.col("period") == self.period).to_dicts()
        return Pack(
            period=self.period,
            card=card,
            metrics=current[0] if current else {},
            trend=trend,
            weights=self.weights.filter(pl.col("weights_version") == card["weights_version"]),
            grades=self.grades.filter(pl.col("weights_version") == card["weights_version"])
            .select("grade", "min_score")
            .rows(),
            definitions=self.definitions,
            peers=self._peer_statistics(card),
            published_at=self.published_at,
            frozen=next(iter(self.frozen.filter(pl.col("bank_code") == bank_code).to_dicts()), None)
            if not self.frozen.is_empty()
            else None,
        )

    def _peer_statistics(self, card: dict) -> list[PeerStatistic]:
        others = self._now.filter(
            (pl.col("peer_group") == card["peer_group"])
            & (pl.col("bank_code") != card["bank_code"])
        )
        mine = self._now.filter(pl.col("bank_code") == card["bank_code"]).to_dicts()[0]
        statistics = []
        for measure, label, unit in PEER_MEASURES:
            values = others[measure].drop_nulls().cast(pl.Float64)
            quartiles = None
            if values.len() >= MIN_OTHER_BANKS:
                quartiles = tuple(
                    float(values.quantile(q, interpolation="linear")) for q in (0.25, 0.5, 0.75)
                )
            value = mine[measure]
            statistics.append(
                PeerStatistic(
                    measure,
                    label,
                    unit,
                    None if value is None else float(value),
                    values.len(),
                    quartiles,
                )
            )
        return statistics


def read_frame(con, sql: str, params: list | None = None) -> pl.DataFrame:
    """A query's result as a Polars frame."""
    return pl.from_arrow(con.sql(sql, params=params).to_arrow_table())


def _months_before(period: date, months: int) -> date:
    index = period.year * 12 + period.month - 1 - months
    year, month = divmod(index, 12)
    return date(year, month + 1, calendar.monthrange(year, month + 1)[1])
