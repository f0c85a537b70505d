"""One submitted file, read and normalised to its kind's canonical schema with Polars."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl

from ingest.headers import header_unit, match_headers
from ingest.limits import ReadLimits
from ingest.parsing import (
    parse_column,
    per_distinct_value,
    plain_amounts,
    repeats,
    typed_value,
)
from ingest.readers import RawFile, UnreadableFile, read_file
from ingest.schema import AMOUNT, CODE, DATE, PERIOD, Column, Kind


@dataclass
class Submission:
    """A readable file of a known kind.

    `text` holds the bank's own text per canonical column (for findings); `data` holds the
    typed canonical values once normalised; both carry `row_number` as the bank sees it."""

    path: Path
    kind: Kind
    raw: RawFile
    headers: dict[str, str]
    units: dict[str, int]
    text: pl.DataFrame
    missing: tuple[str, ...]
    unknown: tuple[str, ...]
    duplicated: tuple[str, ...]
    rows: int = 0
    data: pl.DataFrame | None = None

    @property
    def row_count(self) -> int:
        """Data rows in the file."""
        return self.rows

    def release(self) -> None:
        """Let go of the rows (text and typed); the facts about the file stay."""
        self.text = self.text.clear()
        self.data = None
        self.raw = None

    @property
    def structurally_sound(self) -> bool:
        """True when every required column is present exactly once."""
        return not self.missing and not self.duplicated


def read_submission(path: Path, limits: ReadLimits | None = None) -> Submission:
    """Read and normalise one file (see `read_text` and `normalise_submissions`)."""
    submission = read_text(path, limits)
    frames = normalise_submissions({0: submission})
    submission.data = frames[submission.kind.name].drop("submission_id")
    return submission


def read_text(path: Path, limits: ReadLimits | None = None) -> Submission:
    """Read `path` (within `limits`), detect its kind from its headers and map its columns,
    leaving values as the bank wrote them.

    Raises UnreadableFile when the file cannot be read or its kind cannot be told."""
    raw = read_file(path, limits)
    matched = match_headers(raw.headers)
    if matched.kind is None:
        raise UnreadableFile(
            "FL-E-006",
            "无法从表头判断报送类型（应为对公贷款借据或各项贷款等）；表头："
            + "、".join(raw.headers[:20]),
            "cannot tell the submission kind from the headers (expected loans, loan_totals …); "
            "headers: " + ", ".join(raw.headers[:20]),
        )
    kind = matched.kind
    first_of: dict[str, int] = {}
    for position, canonical in enumerate(matched.canonical):
        if canonical is not None and canonical not in first_of:
            first_of[canonical] = position
    headers = {c: raw.headers[i] for c, i in first_of.items()}
    text = raw.frame.select(
        *(
            pl.col(f"c{first_of[c.name]}").alias(c.name)
            if c.name in first_of
            else pl.lit(None, pl.String).alias(c.name)
            for c in kind.columns
        ),
        raw.row_numbers.alias("row_number"),
    )
    units = {
        c.name: header_unit(headers[c.name]) or raw.unit or 1
        for c in kind.columns
        if c.parse == AMOUNT and c.name in headers
    }
    return Submission(
        path=path,
        kind=kind,
        raw=raw,
        headers=headers,
        units=units,
        text=text,
        missing=matched.missing,
        unknown=matched.unknown,
        duplicated=matched.duplicated,
        rows=text.height,
    )


def normalise_submissions(submissions: dict[int, Submission]) -> dict[str, pl.DataFrame]:
    """The typed canonical rows of every submission, one frame per kind, each row tagged
    with its `submission_id`. Files of one kind and one set of units are normalised in a
    single Polars query (and one set of column types: a Parquet file keeps its own): per-file
    queries would spend more on planning than on work."""
    groups: dict[tuple, list[int]] = {}
    for sid, sub in submissions.items():
        key = (sub.kind.name, tuple(sorted(sub.units.items())), tuple(sub.text.dtypes))
        groups.setdefault(key, []).append(sid)
    frames: dict[str, list[pl.DataFrame]] = {}
    for (kind_name, *_), sids in groups.items():
        first = submissions[sids[0]]
        heights = [submissions[sid].text.height for sid in sids]
        stacked = pl.concat([submissions[sid].text for sid in sids], how="vertical")
        ids = pl.Series("submission_id", np.repeat(np.array(sids, dtype=np.int64), heights))
        normalised = normalise(stacked.with_columns(ids), first.kind, first.units)
        # The rows are already in memory: the in-memory engine beats streaming here.
        frames.setdefault(kind_name, []).append(normalised.collect(engine="in-memory"))
    return {kind: pl.concat(parts, how="vertical") for kind, parts in frames.items()}


def normalise(text: pl.DataFrame, kind: Kind, units: dict[str, int]) -> pl.LazyFrame:
    """Typed canonical columns from the text columns: generic parsing, then the kind's own
    vocabulary mapping. Dates and periods, and any column whose head repeats (bank, codes,
    vocabularies, rates), are parsed once per distinct text and put back by a column-wise
    lookup (no join of the frame); a Parquet file's typed dates and numbers are taken as
    they are where that is exact."""
    parsed = text.lazy().with_columns(_parsed(text, c, units.get(c.name, 1)) for c in kind.columns)
    # Parsed once here: the kind's own lookups read the distinct values of parsed columns.
    return kind.normalise(parsed.collect(engine="in-memory").lazy())


def _parsed(text: pl.DataFrame, column: Column, factor: int) -> pl.Expr:
    """One column's canonical value: taken as it is from a typed column where that is exact,
    else parsed from its text — once per distinct text for dates, periods and any column
    whose head repeats."""
    dtype = text.schema[column.name]
    if dtype != pl.String and (typed := typed_value(column, factor, dtype)) is not None:
        return typed
    if column.parse == AMOUNT and dtype == pl.String:
        # Amounts rarely repeat; written plainly (as most files write them), they are read
        # straight, and the full parse is kept for a file that needs it.
        plain = plain_amounts(text[column.name], factor)
        if plain is not None:
            return pl.lit(plain).alias(column.name)
    expr = parse_column(column, factor, dtype)
    # A code's clean-up is dear enough to be worth a look at the whole column.
    if column.parse in (DATE, PERIOD) or repeats(text, column.name, whole=column.parse == CODE):
        return per_distinct_value(text, column.name, expr)
    return expr
