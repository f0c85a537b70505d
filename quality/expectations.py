"""Great Expectations expectations for Chinese identifiers, computed by the same Polars
expressions ingest uses (GB 32100-2015 USCC, GB/T 4754-2017 industry codes)."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import polars as pl
from great_expectations.execution_engine import PandasExecutionEngine
from great_expectations.expectations.expectation import ColumnMapExpectation
from great_expectations.expectations.metrics import (
    ColumnMapMetricProvider,
    column_condition_partial,
)

from ingest.identifiers import industry_division_expr, uscc_is_valid_expr


def _evaluate(column: pd.Series, expr_for: Callable[[str], pl.Expr]) -> pd.Series:
    """Run a Polars expression over a pandas column; arrow-backed columns cross without a copy."""
    frame = pl.from_pandas(column.rename("v").to_frame(), include_index=False)
    result = frame.select(expr_for("v").fill_null(False).alias("v")).to_series().to_numpy()
    return pd.Series(result, index=column.index)


class ColumnValuesValidUscc(ColumnMapMetricProvider):
    """Each value is an 18-character USCC whose check characters are right."""

    condition_metric_name = "column_values.valid_uscc"

    @column_condition_partial(engine=PandasExecutionEngine)
    def _pandas(cls, column: pd.Series, **kwargs) -> pd.Series:
        return _evaluate(column, uscc_is_valid_expr)


class ExpectColumnValuesToBeValidUscc(ColumnMapExpectation):
    """Expect column values to be valid unified social credit codes (GB 32100-2015)."""

    map_metric = "column_values.valid_uscc"
    success_keys = ("mostly",)


class ColumnValuesGbt4754Industry(ColumnMapMetricProvider):
    """Each value is a GB/T 4754-2017 code whose division exists and whose letter fits it."""

    condition_metric_name = "column_values.gbt4754_industry"

    @column_condition_partial(engine=PandasExecutionEngine)
    def _pandas(cls, column: pd.Series, **kwargs) -> pd.Series:
        return _evaluate(column, lambda c: industry_division_expr(c).is_not_null())


class ExpectColumnValuesToBeGbt4754Industry(ColumnMapExpectation):
    """Expect column values to be GB/T 4754-2017 industry codes of a real division."""

    map_metric = "column_values.gbt4754_industry"
    success_keys = ("mostly",)
