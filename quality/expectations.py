"""Great Expectations expectations computed with Polars: Chinese identifiers (GB 32100-2015
USCC, GB/T 4754-2017 industry codes) by the same expressions ingest uses, and compound
uniqueness. GX's pandas engine would do these per value in Python, or hash Arrow strings
slowly; Polars takes the Arrow-backed columns without a copy."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import polars as pl
from great_expectations.execution_engine import PandasExecutionEngine
from great_expectations.expectations.expectation import (
    ColumnMapExpectation,
    MulticolumnMapExpectation,
)
from great_expectations.expectations.metrics import (
    ColumnMapMetricProvider,
    column_condition_partial,
)
from great_expectations.expectations.metrics.map_metric_provider import (
    MulticolumnMapMetricProvider,
    multicolumn_condition_partial,
)

from ingest.identifiers import industry_division_expr, uscc_is_valid_expr
from ingest.parsing import by_distinct_value


def _evaluate(column: pd.Series, expr_for: Callable[[str], pl.Expr]) -> pd.Series:
    """Run a Polars expression of one column over a pandas column, once per distinct value
    (the same borrower and industry recur across a bank's loans)."""
    frame = pl.from_pandas(column.rename("v").to_frame(), include_index=False).lazy()
    result = by_distinct_value(frame, "v", {"ok": expr_for("v").fill_null(False)})
    return pd.Series(result.collect()["ok"].to_numpy(), index=column.index)


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


class CompoundColumnsDistinct(MulticolumnMapMetricProvider):
    """No other row has the same values in all the given columns."""

    condition_metric_name = "compound_columns.distinct"
    condition_domain_keys = (
        "batch_id",
        "table",
        "column_list",
        "row_condition",
        "condition_parser",
        "ignore_row_if",
    )

    @multicolumn_condition_partial(engine=PandasExecutionEngine)
    def _pandas(cls, column_list: pd.DataFrame, **kwargs) -> pd.Series:
        frame = pl.from_pandas(column_list, include_index=False)
        repeated = frame.select(pl.struct(pl.all()).is_duplicated()).to_series().to_numpy()
        return pd.Series(~repeated, index=column_list.index)


class ExpectCompoundColumnsToBeDistinct(MulticolumnMapExpectation):
    """Expect each combination of the given columns to occur once (GX's compound uniqueness,
    computed with Polars: pandas factorises Arrow strings slowly)."""

    map_metric = "compound_columns.distinct"
    success_keys = ("ignore_row_if",)
    ignore_row_if: str = "never"
