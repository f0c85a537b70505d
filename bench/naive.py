"""The naive peer: how a typical first implementation would take in a month — pandas reads
each file, Great Expectations validates it with stock pandas expectations, pandas hands it
to DuckDB, then the dbt CLI builds the same models. Measured against the product to show
what the product's design buys.

    python -m bench.naive DATA_DIR WORK_DIR
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pandas as pd
import polars as pl

from ingest.kinds import BANK_KINDS, KINDS
from ingest.reference import load_reference
from warehouse import ledger as audit
from warehouse.raw import raw_schema

DBT_PROJECT = Path(__file__).resolve().parents[1] / "dbt_project"
REQUIRED = [
    "bank_code",
    "report_period",
    "loan_id",
    "borrower_uscc",
    "borrower_name",
    "industry_code",
    "enterprise_scale",
    "issue_date",
    "maturity_date",
    "guarantee_type",
    "currency",
    "balance",
    "interest_rate",
    "five_class",
]


def _suite(gx, context):
    reference = load_reference()
    suite = context.suites.add(gx.ExpectationSuite("loans"))
    e = gx.expectations
    for column in REQUIRED:
        suite.add_expectation(e.ExpectColumnValuesToNotBeNull(column=column))
    suite.add_expectation(
        e.ExpectColumnValuesToMatchRegex(column="borrower_uscc", regex=r"^[0-9A-HJ-NPQRTUWXY]{18}$")
    )
    suite.add_expectation(
        e.ExpectColumnValuesToBeInSet(
            column="enterprise_scale", value_set=["CS01", "CS02", "CS03", "CS04", "CS05"]
        )
    )
    suite.add_expectation(
        e.ExpectColumnValuesToBeInSet(
            column="guarantee_type", value_set=["A", "B", "C", "D", "E", "Z"]
        )
    )
    suite.add_expectation(
        e.ExpectColumnValuesToBeInSet(column="currency", value_set=sorted(reference.currencies))
    )
    suite.add_expectation(
        e.ExpectColumnValuesToBeInSet(column="bank_code", value_set=sorted(reference.bank_codes))
    )
    suite.add_expectation(e.ExpectColumnValuesToBeBetween(column="balance", min_value=0))
    suite.add_expectation(
        e.ExpectColumnValuesToBeBetween(
            column="interest_rate", min_value=0, max_value=36, strict_min=True, strict_max=True
        )
    )
    suite.add_expectation(
        e.ExpectColumnPairValuesAToBeGreaterThanB(column_A="maturity_date", column_B="issue_date")
    )
    suite.add_expectation(e.ExpectColumnValuesToBeUnique(column="loan_id"))
    return suite


def _normalise(frame: pd.DataFrame, sid: int) -> pd.DataFrame:
    frame = frame.copy()
    frame["submission_id"] = sid
    frame["row_number"] = range(2, len(frame) + 2)
    period = pd.to_datetime(frame["report_period"] + "-01") + pd.offsets.MonthEnd(0)
    frame["report_period"] = period.dt.date
    for column in ("issue_date", "maturity_date"):
        frame[column] = pd.to_datetime(frame[column], errors="coerce")
    for column in ("balance", "balance_cny", "interest_rate"):
        frame[column] = pd.to_numeric(frame[column], errors="coerce")
    digits = frame["industry_code"].str.extract(r"^[A-T]?(\d{2,4})$")[0]
    frame["industry_division"] = digits.str[:2]
    frame["guarantee_code"] = frame["guarantee_type"].where(frame["guarantee_type"].str.len() == 3)
    frame["guarantee_type"] = frame["guarantee_type"].str[:1]
    return frame


def run(data: Path, work: Path) -> dict[str, float]:
    """The month through the naive path; the seconds of each step."""
    import great_expectations as gx

    work.mkdir(parents=True, exist_ok=True)
    build = work / "naive_build.duckdb"
    build.unlink(missing_ok=True)
    seconds = {"read": 0.0, "validate": 0.0, "load": 0.0}
    context = gx.get_context(mode="ephemeral")
    batch = (
        context.data_sources.add_pandas("naive")
        .add_dataframe_asset("loans")
        .add_batch_definition_whole_dataframe("file")
    )
    validation = context.validation_definitions.add(
        gx.ValidationDefinition(name="loans", data=batch, suite=_suite(gx, context))
    )
    con = duckdb.connect(str(build))
    audit.ensure(con)
    con.execute("create schema if not exists raw")
    ledger = []
    for sid, path in enumerate(sorted(data.glob("loan*_*.csv")), start=1):
        clock = time.perf_counter()
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])
        kind = "loans" if path.name.startswith("loans_") else "loan_totals"
        seconds["read"] += time.perf_counter() - clock
        clock = time.perf_counter()
        if kind == "loans":
            frame = _normalise(frame, sid)
            result = validation.run(batch_parameters={"dataframe": frame})
            accepted = result.success
        else:
            frame["submission_id"] = sid
            frame["row_number"] = 2
            frame["report_period"] = (
                pd.to_datetime(frame["report_period"] + "-01") + pd.offsets.MonthEnd(0)
            ).dt.date
            accepted = True
        seconds["validate"] += time.perf_counter() - clock
        clock = time.perf_counter()
        if accepted:
            con.register("incoming", frame)
            table = f"raw.{kind}"
            exists = con.execute(
                "select count(*) from duckdb_tables() where schema_name = 'raw' and table_name = ?",
                [kind],
            ).fetchone()[0]
            if exists:
                con.execute(f"insert into {table} by name select * from incoming")
            else:
                con.execute(f"create table {table} as select * from incoming")
            con.unregister("incoming")
        ledger.append(
            (
                sid,
                path.name,
                kind,
                frame["bank_code"].iloc[0],
                frame["report_period"].iloc[0],
                "accepted" if accepted else "rejected",
            )
        )
        seconds["load"] += time.perf_counter() - clock
    clock = time.perf_counter()
    con.executemany(
        "insert into audit.submissions (submission_id, file_name, stored_path, sha256, "
        "size_bytes, kind, reporter, period, received_at, status, error_count, warning_count, "
        "ruleset_version) values (?, ?, '', '', 0, ?, ?, ?, now()::timestamp, ?, 0, 0, 'naive')",
        ledger,
    )
    # The project's other sources (the registers) exist, empty, as they would on day one.
    for kind in KINDS:
        if kind not in BANK_KINDS:
            con.register("empty", pl.DataFrame(schema=raw_schema(kind)).to_arrow())
            con.execute(f"create table raw.{kind} as select * from empty")
            con.unregister("empty")
    con.execute("alter table raw.loans alter column balance type decimal(18, 2)")
    con.execute("alter table raw.loans alter column balance_cny type decimal(18, 2)")
    for column in (
        "total_loans",
        "total_mlt_loans",
        "total_credit_loans",
        "corporate_loans",
        "mfg_loans_reported",
    ):
        con.execute(f"alter table raw.loan_totals alter column {column} type decimal(18, 2)")
    con.close()
    seconds["load"] += time.perf_counter() - clock
    clock = time.perf_counter()
    dbt = Path(sys.executable).with_name("dbt")
    subprocess.run(
        [
            str(dbt),
            "build",
            "--project-dir",
            str(DBT_PROJECT),
            "--profiles-dir",
            str(DBT_PROJECT),
            "--target-path",
            str(work / "dbt_target"),
            "--quiet",
        ],
        check=True,
        env={**os.environ, "ZHIRONG_BUILD_DB": str(build)},
    )
    seconds["dbt"] = time.perf_counter() - clock
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("data", type=Path)
    parser.add_argument("work", type=Path)
    args = parser.parse_args()
    seconds = run(args.data, args.work)
    print(" ".join(f"{k}={v:.1f}s" for k, v in seconds.items()))


if __name__ == "__main__":
    main()
