"""The strong lean reference: the floor the product is measured against. DuckDB alone,
written the way a careful engineer would write it for this one job —

- every column read with its declared type (a typed `read_csv`, DuckDB's rejects table
  naming the lines that would not parse; Parquet read as it is typed);
- every check on a repeating value (USCC check character, industry division, scale,
  guarantee type, currency, five-class, bank) decided once per distinct value, and the
  few bad values joined back to their files;
- one scan per file for all the row-level counts, one for the metric sums;
- publish by atomic rename.

It decides what the product's gate decides on a month of bank loan files (the row rules,
one bank and one period per file, registered bank, totals reconciling with the lines) and
computes the same `bank_loan_metrics` columns as the product's mart, which the benchmark
compares cell for cell. No ledger, no findings report, no orchestration.

    python -m bench.strong DATA_DIR WORK_DIR [--format parquet]
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

import duckdb

from ingest.reference import SEEDS_DIR

WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"

# The loans file's columns with the types the contract declares (amounts to the fen).
COLUMNS = {
    "bank_code": "varchar",
    "report_period": "varchar",
    "loan_id": "varchar",
    "borrower_uscc": "varchar",
    "borrower_name": "varchar",
    "industry_code": "varchar",
    "enterprise_scale": "varchar",
    "product": "varchar",
    "issue_date": "date",
    "maturity_date": "date",
    "guarantee_type": "varchar",
    "currency": "varchar",
    "balance": "decimal(18, 2)",
    "balance_cny": "decimal(18, 2)",
    "interest_rate": "double",
    "five_class": "varchar",
}
TOTALS = {
    "bank_code": "varchar",
    "report_period": "varchar",
    "total_loans": "decimal(18, 2)",
    "total_mlt_loans": "decimal(18, 2)",
    "total_credit_loans": "decimal(18, 2)",
    "corporate_loans": "decimal(18, 2)",
    "mfg_loans_reported": "decimal(18, 2)",
}

READ_CSV = """
create table loans as
select * from read_csv('{data}/loans_*.csv', header = true, filename = true,
                       columns = {columns}, store_rejects = true)
"""
READ_PARQUET = """
create table loans as
select * replace (cast(balance as decimal(18, 2)) as balance,
                  cast(balance_cny as decimal(18, 2)) as balance_cny)
from read_parquet('{data}/loans_*.parquet', filename = true)
"""

# Each repeating value judged once: the bad ones, by the rule they break.
BAD_VALUES = """
create table bad_values as
with uscc as (
    select distinct borrower_uscc as value from loans where borrower_uscc is not null
),
uscc_judged as (
    select value, 'uscc' as rule from uscc
    where not regexp_full_match(value, '[{alphabet}]{{18}}')
        or substr(value, 18, 1) <> substr('{alphabet}',
            cast(1 + (31 - list_sum(list_transform(range(17), lambda j:
                (instr('{alphabet}', substr(value, j + 1, 1)) - 1)
                * {weights}[j + 1])) % 31) % 31 as bigint), 1)
),
codes as (
    select distinct industry_code as value from loans where industry_code is not null
),
codes_judged as (
    select value, 'division' as rule from codes
    where regexp_extract(upper(value), '^[A-T]?([0-9]{{2}})', 1)
        not in (select division_code from divisions)
),
vocabulary as (
    select distinct enterprise_scale, guarantee_type, currency, five_class, bank_code
    from loans
)
select * from uscc_judged
union all select * from codes_judged
union all select distinct enterprise_scale, 'scale' from vocabulary
    where enterprise_scale not in ('CS01', 'CS02', 'CS03', 'CS04', 'CS05')
union all select distinct guarantee_type, 'guarantee' from vocabulary
    where left(guarantee_type, 1) not in ('A', 'B', 'C', 'D', 'E', 'Z')
union all select distinct currency, 'currency' from vocabulary
    where currency not in (select currency from currencies)
union all select distinct five_class, 'five_class' from vocabulary
    where five_class not in ('正常', '关注', '次级', '可疑', '损失')
union all select distinct bank_code, 'bank' from vocabulary
    where bank_code not in (select bank_code from banks)
"""

# The columns whose bad values `BAD_VALUES` names, by the rule they break.
JUDGED_BY_VALUE = {
    "uscc": "borrower_uscc",
    "division": "industry_code",
    "scale": "enterprise_scale",
    "guarantee": "guarantee_type",
    "currency": "currency",
    "five_class": "five_class",
    "bank": "bank_code",
}
# One scan for every row-level count of every file; the bad values come in as small sets.
CHECKS = (
    """
select filename,
    count(*) as row_count,
    count(*) filter (where loan_id is null or borrower_name is null or issue_date is null
                     or maturity_date is null or balance is null) as missing,
    count(*) filter (where issue_date > last_day(cast(report_period || '-01' as date)))
        as issued_late,
    count(*) filter (where maturity_date <= issue_date) as bad_maturity,
    count(*) filter (where balance < 0 or balance_cny < 0) as negative,
    count(*) filter (where interest_rate <= 0 or interest_rate >= 36) as bad_rate,
    count(*) - count(distinct loan_id) as repeated_ids,
    count(distinct bank_code) as banks,
    count(distinct report_period) as periods,
"""
    + "".join(
        f"    count(*) filter (where {column} in (select value from bad_values "
        f"where rule = '{rule}')) as bad_{rule},\n"
        for rule, column in JUDGED_BY_VALUE.items()
    )
    + """    sum(coalesce(balance_cny, balance)) as corporate
from loans
group by filename
"""
)

# The sums per bank and month by the classes the metrics need, in one scan; the divisions
# are looked up once per distinct industry code, not once per line.
METRICS = """
create table bank_loan_metrics as
with industries as (
    select distinct industry_code from loans
),
classified_codes as (
    select industry_code, coalesce(d.is_manufacturing, false) as is_manufacturing
    from industries
    left join divisions as d
        on d.division_code = regexp_extract(upper(industry_code), '^[A-T]?([0-9]{2})', 1)
),
sums as (
    select l.bank_code, last_day(cast(l.report_period || '-01' as date)) as period,
        sum(coalesce(l.balance_cny, l.balance)) filter (where c.is_manufacturing) as mfg,
        sum(coalesce(l.balance_cny, l.balance)) filter (
            where c.is_manufacturing and l.maturity_date > l.issue_date + interval 1 year)
            as mfg_mlt,
        sum(coalesce(l.balance_cny, l.balance)) filter (
            where c.is_manufacturing and l.guarantee_type = 'D') as mfg_credit
    from loans as l
    join classified_codes as c using (industry_code)
    group by all
)
select s.bank_code, s.period, t.total_loans,
    coalesce(s.mfg, 0) as mfg_loans,
    coalesce(s.mfg_mlt, 0) as mfg_mlt_loans,
    coalesce(s.mfg_credit, 0) as mfg_credit_loans,
    s.mfg / nullif(t.total_loans, 0) as mfg_loan_share,
    s.mfg_mlt / nullif(s.mfg, 0) as mfg_mlt_share,
    s.mfg_credit / nullif(s.mfg, 0) as mfg_credit_share
from sums as s
left join totals as t
    on t.bank_code = s.bank_code
        and last_day(cast(t.report_period || '-01' as date)) = s.period
"""


def run(data: Path, work: Path, ext: str = "csv") -> dict[str, float]:
    """One month through the strong lean path; the seconds of each step. Raises if any
    file breaks a rule (the benchmark month is clean: a failure means a wrong check)."""
    work.mkdir(parents=True, exist_ok=True)
    build = work / "strong_build.duckdb"
    build.unlink(missing_ok=True)
    seconds = {}
    clock = time.perf_counter()
    con = duckdb.connect(str(build))
    con.execute(
        f"create table banks as select bank_code from read_csv('{SEEDS_DIR}/banks.csv', "
        "all_varchar = true)"
    ).fetchall()
    con.execute(
        f"create table currencies as select currency from "
        f"read_csv('{SEEDS_DIR}/currencies.csv', all_varchar = true)"
    ).fetchall()
    con.execute(
        "create table divisions as select division_code, is_manufacturing = 'true' "
        f"as is_manufacturing from read_csv('{SEEDS_DIR}/gbt4754_divisions.csv', "
        "all_varchar = true)"
    ).fetchall()
    if ext == "parquet":
        con.execute(READ_PARQUET.format(data=data)).fetchall()
        con.execute(
            f"create table totals as select * from read_parquet('{data}/loan_totals_*.parquet')"
        ).fetchall()
        rejected = 0
    else:
        con.execute(READ_CSV.format(data=data, columns=_struct(COLUMNS))).fetchall()
        con.execute(
            f"create table totals as select * from read_csv('{data}/loan_totals_*.csv', "
            f"header = true, columns = {_struct(TOTALS)})"
        ).fetchall()
        rejected = con.execute("select count(*) from reject_errors").fetchone()[0]
    seconds["read"] = time.perf_counter() - clock
    clock = time.perf_counter()
    con.execute(BAD_VALUES.format(alphabet=ALPHABET, weights=WEIGHTS)).fetchall()
    per_file = con.sql(CHECKS).pl()
    seconds["checks"] = time.perf_counter() - clock
    failures = _failures(con, per_file, rejected)
    if failures:
        raise SystemExit("the strong reference found rule breaks: " + "; ".join(failures[:10]))
    clock = time.perf_counter()
    con.execute(METRICS).fetchall()
    seconds["metrics"] = time.perf_counter() - clock
    clock = time.perf_counter()
    # The month's lines stay in the build file, as the product keeps them in its raw store.
    con.execute("checkpoint").fetchall()
    seconds["store"] = time.perf_counter() - clock
    clock = time.perf_counter()
    published = work / "strong_published.duckdb"
    partial = work / "strong_published.duckdb.partial"
    partial.unlink(missing_ok=True)
    con.execute(f"attach '{partial}' as pub").fetchall()
    con.execute("create table pub.bank_loan_metrics as select * from bank_loan_metrics").fetchall()
    con.execute("detach pub").fetchall()
    con.close()
    os.replace(partial, published)
    seconds["publish"] = time.perf_counter() - clock
    return seconds


def _failures(con: duckdb.DuckDBPyConnection, per_file, rejected: int) -> list[str]:
    """What a gate would reject the month's files for: any row rule's count above zero,
    more than one bank or period in a file, totals off their lines by more than 0.5 %."""
    failures = [f"{rejected} lines would not parse"] if rejected else []
    counted = [c for c in per_file.columns if c not in ("filename", "row_count", "corporate")]
    for row in per_file.iter_rows(named=True):
        for column in counted:
            expected = 1 if column in ("banks", "periods") else 0
            if row[column] != expected:
                failures.append(f"{Path(row['filename']).name}: {column}={row[column]}")
    off = con.sql(
        """
        select t.bank_code, abs(f.corporate / nullif(t.corporate_loans, 0) - 1) as gap
        from totals as t
        join (select bank_code, sum(coalesce(balance_cny, balance)) as corporate
              from loans group by bank_code) as f using (bank_code)
        where abs(f.corporate / nullif(t.corporate_loans, 0) - 1) > 0.005
        """
    ).fetchall()
    failures += [f"{bank}: totals off the lines by {gap:.2%}" for bank, gap in off]
    return failures


def _struct(columns: dict[str, str]) -> str:
    return "{" + ", ".join(f"'{name}': '{kind}'" for name, kind in columns.items()) + "}"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("data", type=Path)
    parser.add_argument("work", type=Path)
    parser.add_argument("--format", choices=["csv", "parquet"], default="csv")
    args = parser.parse_args()
    seconds = run(args.data, args.work, args.format)
    print(" ".join(f"{k}={v:.1f}s" for k, v in seconds.items()))


if __name__ == "__main__":
    main()
