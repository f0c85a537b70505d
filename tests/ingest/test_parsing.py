"""Turning the text banks send into typed values."""

from datetime import date
from decimal import Decimal

import polars as pl
import pytest

from ingest.parsing import (
    parse_amount,
    parse_code,
    parse_date,
    parse_period,
    parse_rate,
    per_distinct_value,
    plain_amounts,
    repeats,
)


def _one(expr, text):
    return pl.DataFrame({"v": [text]}, schema={"v": pl.String}).select(expr).item()


@pytest.mark.parametrize(
    "text",
    [
        "2024-02-29",
        "2024/02/29",
        "2024/2/29",
        "20240229",
        "45351",
        "2024-02-29 00:00:00",
        "２０２４-０２-２９",
    ],
)
def test_dates_in_every_accepted_form(text):
    # 45351 is the Excel serial of 2024-02-29 (day 1 = 1900-01-01, with Excel's 1900-02-29).
    assert _one(parse_date(pl.col("v")), text) == date(2024, 2, 29)


@pytest.mark.parametrize("text", ["2024-02-30", "29/02/2024", "soon", ""])
def test_unreadable_dates_are_null(text):
    assert _one(parse_date(pl.col("v")), text) is None


@pytest.mark.parametrize(
    "text", ["2026-10", "202610", "2026年10月", "2026-10-31", "20261031", "2026-10-15"]
)
def test_periods_become_the_month_end(text):
    assert _one(parse_period(pl.col("v")), text) == date(2026, 10, 31)


@pytest.mark.parametrize(
    ("text", "factor", "expected"),
    [
        ("1,234,567.89", 1, Decimal("1234567.89")),
        ("１２３４.５", 1, Decimal("1234.50")),
        ("¥1234.5", 1, Decimal("1234.50")),
        ("123.456789", 10_000, Decimal("1234567.89")),  # 万元 → 元
        ("1.5", 100_000_000, Decimal("150000000.00")),  # 亿元 → 元
        ("-5", 1, Decimal("-5.00")),
        ("abc", 1, None),
    ],
)
def test_amounts_in_yuan_with_two_decimals(text, factor, expected):
    assert _one(parse_amount(pl.col("v"), factor), text) == expected


def test_rates_accept_a_percent_sign():
    assert _one(parse_rate(pl.col("v")), "4.35%") == pytest.approx(4.35)


@pytest.mark.parametrize("tail", [0, 60_000])
def test_a_column_parsed_once_per_distinct_value_reads_every_row_as_parsing_it_would(tail):
    """Codes that repeat at a file's head (full-width digits, padded, lower case) and, below, one
    distinct value a row: the lookup (or its row-by-row fallback) gives each row its value."""
    head = ["c０１", " b02 ", None, "a03"] * 2_500
    below = [f"x{i}" for i in range(tail)]
    frame = pl.DataFrame({"v": head + below}, schema={"v": pl.String})
    assert repeats(frame, "v")
    got = frame.select(per_distinct_value(frame, "v", parse_code(pl.col("v"))))["v"].to_list()
    assert got == ["C01", "B02", None, "A03"] * 2_500 + [f"X{i}" for i in range(tail)]


def test_a_column_of_distinct_values_does_not_repeat():
    frame = pl.DataFrame({"v": [f"L{i}" for i in range(20_000)]})
    assert not repeats(frame, "v")


def test_a_column_whose_values_recur_below_its_head_repeats_on_a_whole_look():
    # 10,000 borrowers, each on eight loans, in an order that repeats none within the head.
    ids = [f"91500000ma{i:08d}" for i in range(10_000)] * 8
    frame = pl.DataFrame({"v": ids})
    assert not repeats(frame, "v")
    assert repeats(frame, "v", whole=True)
    got = frame.select(per_distinct_value(frame, "v", parse_code(pl.col("v"))))["v"]
    assert got.to_list() == [f"91500000MA{i:08d}" for i in range(10_000)] * 8
    # 40,000 distinct values in 70,000 rows: too few repeats to be worth a lookup.
    assert not repeats(
        pl.DataFrame({"v": ids[: 10_000 * 4] + [str(n) for n in range(30_000)]}), "v", whole=True
    )


def test_plain_amounts_are_read_straight_and_anything_else_is_left_to_the_full_parse():
    plain = pl.Series(["1234.5", "-0.25", "1e3", None, "0.125"])
    assert plain_amounts(plain, 1).to_list() == [
        Decimal("1234.50"),
        Decimal("-0.25"),
        Decimal("1000.00"),
        None,
        Decimal("0.12"),  # half to even, as parse_amount rounds
    ]
    assert plain_amounts(plain, 10_000).to_list()[:3] == [
        Decimal("12345000.00"),
        Decimal("-2500.00"),
        Decimal("10000000.00"),
    ]
    for needs_cleaning in ["1,000", " 12.5", "１２", "¥12", "12%", "", "abc"]:
        assert plain_amounts(pl.Series(["12.5", needs_cleaning]), 1) is None, needs_cleaning
