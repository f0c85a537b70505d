"""Polars expressions that turn the text a bank sent into typed canonical values.

Every parser returns null for text it cannot read; the gate then reports the original text."""

from __future__ import annotations

import polars as pl

from ingest.schema import AMOUNT, AMOUNT_DTYPE, CODE, DATE, FLAG, PERIOD, RATE, TEXT, Column

_FULL_WIDTH = [chr(0xFF10 + i) for i in range(10)] + ["．", "，", "－", "＋", "％", "　"]
_HALF_WIDTH = [str(i) for i in range(10)] + [".", ",", "-", "+", "%", " "]
# Excel's day 0 is 1899-12-30 once its phantom 1900-02-29 is allowed for.
_EXCEL_EPOCH = pl.date(1899, 12, 30)
_TRUE_WORDS = ["1", "Y", "YES", "TRUE", "T", "是", "√"]
_FALSE_WORDS = ["0", "N", "NO", "FALSE", "F", "否", ""]


def trim_text(expr: pl.Expr) -> pl.Expr:
    """Trim, and turn empty text into null (names and ids keep their characters)."""
    trimmed = expr.str.strip_chars()
    return pl.when(trimmed.str.len_bytes() == 0).then(None).otherwise(trimmed)


def clean_text(expr: pl.Expr) -> pl.Expr:
    """Fold full-width digits and punctuation (a Chinese input method's １２３．４５), trim, and
    turn empty text into null — for values that are read as numbers, dates or codes."""
    return trim_text(expr.str.replace_many(_FULL_WIDTH, _HALF_WIDTH))


def parse_code(expr: pl.Expr) -> pl.Expr:
    """An identifier or vocabulary code: cleaned, upper case."""
    return clean_text(expr).str.to_uppercase()


def parse_date(expr: pl.Expr) -> pl.Expr:
    """A date written YYYY-MM-DD, YYYY/MM/DD, YYYYMMDD, as an Excel serial, or as a
    timestamp whose time part is dropped."""
    text = clean_text(expr).str.split(" ").list.first().str.split("T").list.first()
    serial = text.str.extract(r"^(\d{5})(?:\.0+)?$", 1).cast(pl.Int64, strict=False)
    return pl.coalesce(
        text.str.to_date("%Y-%m-%d", strict=False),
        text.str.to_date("%Y/%m/%d", strict=False),
        text.str.to_date("%Y%m%d", strict=False),
        text.str.to_date("%Y.%m.%d", strict=False),
        pl.when(serial.is_between(20000, 80000)).then(_EXCEL_EPOCH + pl.duration(days=serial)),
    )


def parse_period(expr: pl.Expr) -> pl.Expr:
    """A reporting month written YYYY-MM, YYYYMM, YYYY年MM月 or as any date in it,
    as its month-end date."""
    text = clean_text(expr).str.replace(r"年", "-").str.replace(r"月$", "")
    month_text = text.str.extract(r"^(\d{4})[-/.]?(\d{1,2})$", 0)
    as_month = (
        text.str.extract(r"^(\d{4})", 1).cast(pl.Int32, strict=False),
        month_text.str.extract(r"^\d{4}[-/.]?(\d{1,2})$", 1).cast(pl.Int32, strict=False),
    )
    month_start = pl.when(month_text.is_not_null() & as_month[1].is_between(1, 12)).then(
        pl.date(as_month[0], as_month[1], 1)
    )
    return pl.coalesce(month_start, parse_date(expr)).dt.month_end()


def parse_number(expr: pl.Expr) -> pl.Expr:
    """A number with optional thousands separators, currency sign or percent sign, as text
    ready for a numeric cast."""
    return clean_text(expr).str.replace_many([",", " ", "¥", "￥", "%"], [""] * 5)


def parse_amount(expr: pl.Expr, factor: int) -> pl.Expr:
    """Money in 元 with two decimals, scaled from the unit the file declares."""
    return scaled_amount(parse_number(expr).cast(pl.Decimal(28, 6), strict=False), factor)


def scaled_amount(value: pl.Expr, factor: int) -> pl.Expr:
    """A decimal number in the file's unit as 元 with two decimals."""
    if factor != 1:
        value = value * pl.lit(factor, dtype=pl.Decimal(28, 0))
    return value.round(2).cast(AMOUNT_DTYPE, strict=False)


def plain_amounts(text: pl.Series, factor: int) -> pl.Series | None:
    """A text column of amounts read straight as decimals, when every cell that holds
    anything is a plain decimal literal (`1234.5`, `-0.25`, `1e3`); None when some cell
    needs `parse_amount`'s clean-up (full-width digits, separators, a currency sign, blanks).
    Where the straight read succeeds it gives exactly what `parse_amount` does — the clean-up
    changes nothing in a plain literal — without its passes over every row."""
    values = text.cast(pl.Decimal(28, 6), strict=False)
    if (values.is_null() & text.is_not_null()).any():
        return None
    return pl.DataFrame({"v": values}).select(scaled_amount(pl.col("v"), factor))["v"]


def parse_rate(expr: pl.Expr) -> pl.Expr:
    """A percentage such as `4.35` or `4.35%`, as the number of percent."""
    return parse_number(expr).cast(pl.Float64, strict=False)


def parse_flag(expr: pl.Expr) -> pl.Expr:
    """A yes/no flag in Chinese or English."""
    text = clean_text(expr).str.to_uppercase()
    return (
        pl.when(text.is_in(_TRUE_WORDS))
        .then(True)
        .when(text.is_in(_FALSE_WORDS))
        .then(False)
        .otherwise(None)
    )


def by_distinct_value(
    frame: pl.LazyFrame, column: str, outputs: dict[str, pl.Expr]
) -> pl.LazyFrame:
    """Set `outputs` — expressions of `column` alone — computing each once per distinct value
    and putting the results back column-wise (no join of the frame: that would copy every
    column). Dates, periods and codes repeat throughout a file, so this is many times
    cheaper than evaluating every row. An output may replace `column` itself. `frame` should
    be cheap to collect (its columns already computed): its distinct values are read first."""
    distinct = frame.select(pl.col(column).unique()).collect()
    if distinct.is_empty() or distinct.height > _MOST_LOOKED_UP:
        # (No rows: Polars keeps a replaced empty column as text. Too many: see below.)
        return frame.with_columns(expr.alias(name) for name, expr in outputs.items())
    computed = distinct.select(expr.alias(name) for name, expr in outputs.items())
    return frame.with_columns(
        pl.col(column)
        .replace_strict(distinct[column], computed[name], return_dtype=computed.schema[name])
        .alias(name)
        for name in outputs
    )


# Beyond this many distinct values a column is parsed row by row: Polars' replace_strict
# slows down steeply with the size of its mapping.
_MOST_LOOKED_UP = 50_000
# A column is looked up when the head of the frame repeats this much: at most this many
# distinct values in its first `_SAMPLED_ROWS` (cheap parses win only on few values).
_FEW_VALUES, _SAMPLED_ROWS = 500, 10_000


def repeats(frame: pl.DataFrame, column: str, whole: bool = False) -> bool:
    """Whether `column` of `frame` holds few distinct values, judged on its head — or, with
    `whole`, when the head does not say so, on the whole column: at most one distinct value
    in eight rows (a borrower's id recurs on each of its loans, though rarely within the
    head), within the lookup's limit."""
    if frame[column].head(_SAMPLED_ROWS).n_unique() <= _FEW_VALUES:
        return True
    if not whole:
        return False
    return frame[column].n_unique() <= min(_MOST_LOOKED_UP, frame.height // 8)


def per_distinct_value(frame: pl.DataFrame, column: str, expr: pl.Expr) -> pl.Expr:
    """`expr` — an expression of `column` alone — as a lookup computed once per distinct
    value of the rows already in `frame`: the eager form of `by_distinct_value`, which
    replaces the column in place instead of joining the whole frame."""
    if frame.is_empty():
        # (Polars 2.1 keeps a replaced column of no rows as text, whatever it is told.)
        return expr.alias(column)
    distinct = frame[column].unique()
    if distinct.len() > _MOST_LOOKED_UP:
        # A lookup this big costs far more than parsing each row (a file that repeats at
        # its head and not further down).
        return expr.alias(column)
    computed = pl.DataFrame({column: distinct}).select(expr.alias(column))
    return pl.col(column).replace_strict(
        distinct, computed[column], return_dtype=computed.schema[column]
    )


def parse_column(column: Column, factor: int, dtype: pl.DataType = pl.String) -> pl.Expr:
    """The typed canonical value of `column` from its text (a column of another `dtype` —
    a Parquet file's — cast to text first)."""
    expr = pl.col(column.name)
    if dtype != pl.String:
        expr = expr.cast(pl.String)
    parsed = {
        TEXT: lambda: trim_text(expr),
        CODE: lambda: parse_code(expr),
        DATE: lambda: parse_date(expr),
        PERIOD: lambda: parse_period(expr),
        AMOUNT: lambda: parse_amount(expr, factor),
        RATE: lambda: parse_rate(expr),
        FLAG: lambda: parse_flag(expr),
    }[column.parse]()
    return parsed.alias(column.name)


def typed_value(column: Column, factor: int, dtype: pl.DataType) -> pl.Expr | None:
    """The canonical value of a date, period, amount or rate column straight from a column
    already of type `dtype` (a Parquet file's), or None when its text must be parsed: each
    gives exactly what `parse_column` of its text would, without the clean-up passes."""
    expr = pl.col(column.name)
    parse = column.parse
    typed = _from_typed(expr, parse, factor, dtype)
    return None if typed is None else typed.alias(column.name)


def _from_typed(expr: pl.Expr, parse: str, factor: int, dtype: pl.DataType) -> pl.Expr | None:
    if parse in (DATE, PERIOD) and (dtype == pl.Date or isinstance(dtype, pl.Datetime)):
        day = expr if dtype == pl.Date else expr.dt.date()
        return day.dt.month_end() if parse == PERIOD else day
    # Exactly as their text would read: not a Float32 (4.35 is meant, not 4.349999904…).
    numeric = dtype == pl.Float64 or dtype.is_integer() or isinstance(dtype, pl.Decimal)
    if parse == AMOUNT and (numeric or dtype == pl.Float32):
        # Through the number's shortest text: exactly what the same text in a CSV gives,
        # its rounding included, without the text's clean-up passes.
        return scaled_amount(expr.cast(pl.String).cast(pl.Decimal(28, 6), strict=False), factor)
    if parse == RATE and numeric:
        return expr.cast(pl.Float64)
    return None


_TERM_SEPARATORS = r"[、,，;；/|\s]+"


def vocabulary_terms(column: str, vocabulary: tuple[str, ...]) -> dict[str, pl.Expr]:
    """A multi-valued vocabulary column such as `科技创新、绿色`: the known terms, sorted and
    joined with 、 (`column`), and the unknown ones (`unknown_<column>`, null when none)."""
    terms = trim_text(pl.col(column)).str.replace_all(_TERM_SEPARATORS, "、").str.split("、")
    kept = (
        terms.list.eval(pl.element().filter(pl.element().is_in(vocabulary)))
        .list.unique()
        .list.sort()
    )
    unknown = terms.list.eval(
        pl.element().filter(~pl.element().is_in(vocabulary) & (pl.element() != ""))
    )
    return {
        column: pl.when(kept.list.len() > 0).then(kept.list.join("、")),
        f"unknown_{column}": pl.when(unknown.list.len() > 0).then(unknown.list.join("、")),
    }


def month_end_of(column: str) -> pl.Expr:
    """The month-end of a date column: the reporting period of an event-register file."""
    return pl.col(column).dt.month_end()
