"""Row rules decided on the few rows that decide them. For each expectation of a kind's
row suite, a lossless reduction of the rows: a value judged once however often it recurs
(a USCC, an industry code, a currency), a file's smallest and largest amount, its line
where one date is closest to passing the date it must follow, the keys that repeat,
whether a column holds a null. GX runs the same expectations over these reductions — each
restricted to its own rows by a row condition on `_check` — once per batch instead of over
every line; a file that any of them fails is then validated line by line
(`quality.gate`), so its findings are exactly those of a full validation. On a month of
clean bank files, 10M lines come down to some twenty thousand rows, most of them the
borrowers' USCCs."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import polars as pl

from quality.rules import Check, Rule

CHECK = "_check"
PROBE = "_probe"
SID = "submission_id"

NULLS, VALUES, EXTREMES, PAIRS, REPEATS, ROWS = (
    "nulls",
    "values",
    "extremes",
    "pairs",
    "repeats",
    "rows",
)
_BY_EXPECTATION = {
    "ExpectColumnValuesToNotBeNull": NULLS,
    "ExpectColumnValuesToBeNull": NULLS,
    "ExpectColumnValuesToBeInSet": VALUES,
    "ExpectColumnValuesToBeValidUscc": VALUES,
    "ExpectColumnValuesToBeGbt4754Industry": VALUES,
    "ExpectColumnValuesToBeBetween": EXTREMES,
    "ExpectColumnPairValuesAToBeGreaterThanB": PAIRS,
    "ExpectCompoundColumnsToBeDistinct": REPEATS,
}


def numbered_checks(rules: Iterable[Rule]) -> list[tuple[Rule, Check]]:
    """Every check of `rules` in order: a check's position is its `_check` number, in the
    reduced frame and in the suite's row conditions alike."""
    return [(rule, check) for rule in rules for check in rule.checks]


def how_reduced(check: Check) -> str:
    """Which reduction keeps `check`'s verdict (`rows` — none — for an expectation this
    module does not know)."""
    return _BY_EXPECTATION.get(check.expectation, ROWS)


def _columns(check: Check) -> list[str]:
    kwargs = check.kwargs
    if "column_list" in kwargs:
        return list(kwargs["column_list"])
    if "column_A" in kwargs:
        return [kwargs["column_A"], kwargs["column_B"]]
    return [kwargs["column"]]


def reduce(check: Check, rows: pl.LazyFrame) -> pl.LazyFrame:
    """The rows of `rows` (one chunk, tagged with submission_id) that decide `check`, with
    submission_id and the columns the check reads. Every reduction keeps, for each file,
    a row on which the expectation fails whenever it fails on any of the file's rows."""
    how = how_reduced(check)
    columns = _columns(check)
    schema = rows.collect_schema()
    if how == NULLS:
        # Only null or not matters: at most two rows per file.
        (column,) = columns
        return (
            rows.select(SID, column)
            .with_columns(pl.col(column).is_null().alias("_null"))
            .unique([SID, "_null"], keep="any")
            .drop("_null")
        )
    if how == VALUES:
        # The verdict depends on the value alone (see `Compaction.frame`: judged once).
        return rows.select(SID, *columns).unique()
    if how == EXTREMES:
        # Within bounds everywhere ⟺ the smallest and the largest are; a NaN is kept
        # as it is, for GX to judge as it would among all the lines.
        (column,) = columns
        value = pl.col(column)
        per_file = rows.group_by(SID).agg(
            value.min().alias("_min"),
            value.max().alias("_max"),
            (value.is_nan().any() if schema[column].is_float() else pl.lit(False)).alias("_nan"),
        )
        kept = [
            per_file.select(SID, pl.col("_min").alias(column)),
            per_file.select(SID, pl.col("_max").alias(column)),
            per_file.filter("_nan").select(SID, pl.lit(float("nan")).alias(column)),
        ]
        return pl.concat(
            [k.cast({column: schema[column]}) for k in kept], how="vertical"
        ).drop_nulls(column)
    if how == PAIRS:
        a, b = columns
        if check.kwargs.get("ignore_row_if") != "either_value_is_missing":
            return rows.select(SID, a, b).unique()
        # A > B (or ≥) on every line ⟺ on the line where A − B is smallest. Lines with
        # either side missing are ignored by the expectation, so they go; a difference
        # that is not a number (∞ − ∞) keeps its line.
        present = pl.col(a).is_not_null() & pl.col(b).is_not_null()
        for column in (a, b):
            if schema[column].is_float():
                present = present & pl.col(column).is_not_nan()
        gap = pl.col(a) - pl.col(b)
        kept = rows.filter(present)
        closest = kept.group_by(SID).agg(pl.col(a).get(gap.arg_min()), pl.col(b).get(gap.arg_min()))
        undecided = kept.filter(gap.is_nan() if schema[a].is_float() else pl.lit(False))
        return pl.concat([closest, undecided.select(SID, a, b)], how="vertical_relaxed")
    if how == REPEATS:
        # Only lines whose key repeats within the chunk can be flagged, and all of them
        # are kept (a chunk is what one validation of the lines would see).
        return rows.filter(pl.struct(columns).is_duplicated()).select(
            *dict.fromkeys([SID, *columns])
        )
    return rows.select(*dict.fromkeys([SID, *columns]))


@dataclass
class Compaction:
    """The reduced rows of one kind across a batch's chunks, ready for one GX run."""

    checks: list[tuple[Rule, Check]]
    parts: dict[int, list[pl.DataFrame]] = field(default_factory=dict)

    def add(self, rows: pl.DataFrame) -> None:
        """Reduce a chunk's rows for every check and keep the result."""
        # One query plan for all the checks: Polars shares the scans and runs them together.
        lazy = rows.lazy()
        reduced = pl.collect_all([reduce(check, lazy) for _, check in self.checks])
        for number, frame in enumerate(reduced):
            self.parts.setdefault(number, []).append(frame)

    def mark(self) -> dict[int, int]:
        """Where the kept rows end now (to undo a chunk that failed half-way)."""
        return {n: len(p) for n, p in self.parts.items()}

    def reset(self, mark: dict[int, int]) -> None:
        """Drop what was added since `mark`."""
        self.parts = {n: p[: mark[n]] for n, p in self.parts.items() if n in mark}

    def _reduced(self, number: int) -> pl.DataFrame:
        return pl.concat(self.parts[number], how="vertical_relaxed")

    def frame(self) -> pl.DataFrame:
        """Every check's reduced rows in one frame, `_check` telling whose they are and
        `_probe` numbering them. A value check's values are judged once for the batch
        (submission_id null): a value breaks the rule in every file that holds it."""
        pieces = []
        for number, (_, check) in enumerate(self.checks):
            reduced = self._reduced(number)
            if how_reduced(check) == VALUES:
                reduced = reduced.drop(SID).unique().with_columns(pl.lit(None, pl.Int64).alias(SID))
            pieces.append(reduced.with_columns(pl.lit(number, pl.Int32).alias(CHECK)))
        frame = pl.concat(pieces, how="diagonal_relaxed")
        return frame.with_row_index(PROBE).with_columns(pl.col(PROBE).cast(pl.Int64))

    def failing_files(self, frame: pl.DataFrame, probes: Iterable[int]) -> set[int]:
        """The files with a line on which a failed probe's check fails."""
        failed = frame.filter(pl.col(PROBE).is_in(list(probes)))
        files = set(failed[SID].drop_nulls().to_list())
        for (number,), group in failed.filter(pl.col(SID).is_null()).group_by(CHECK):
            (_, check) = self.checks[number]
            columns = _columns(check)
            holders = self._reduced(number).join(
                group.select(columns).unique(), on=columns, how="semi", nulls_equal=True
            )
            files.update(holders[SID].to_list())
        return files


def probe_hits(hits: Iterator[tuple[dict, Rule, str | None]]) -> set[int]:
    """The probes GX found unexpected."""
    return {int(hit[PROBE]) for hit, _, _ in hits}
