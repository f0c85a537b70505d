"""The lean reference: what one month costs with DuckDB alone on this machine — read every
bank file, the gate's checks as plain SQL, the metric SQL, publish by atomic rename. No
ledger, no findings report, no orchestration: the floor the product is measured against.

    python -m bench.lean DATA_DIR WORK_DIR
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

READ = """
create table loans as
select * from read_csv('{data}/loans_*.{ext}', all_varchar = true, filename = true,
                       header = true)
"""
READ_PARQUET = """
create table loans as
select *, filename from read_parquet('{data}/loans_*.parquet', filename = true)
"""

TYPED = """
create table typed as
select
    filename, bank_code, report_period, loan_id, borrower_uscc, borrower_name,
    upper(industry_code) as industry_code,
    regexp_extract(industry_code, '^[A-T]?([0-9]{2})', 1) as division,
    enterprise_scale, guarantee_type, currency, five_class,
    try_cast(issue_date as date) as issue_date,
    try_cast(maturity_date as date) as maturity_date,
    last_day(try_cast(report_period || '-01' as date)) as period,
    try_cast(balance as decimal(18, 2)) as balance,
    try_cast(balance_cny as decimal(18, 2)) as balance_cny,
    try_cast(interest_rate as double) as interest_rate
from loans
"""

CHECKS = """
select filename,
    count(*) filter (where loan_id is null or borrower_name is null or issue_date is null
                     or maturity_date is null or balance is null) as missing,
    count(*) filter (where not regexp_full_match(borrower_uscc, '[{alphabet}]{{18}}')
                     or substr(borrower_uscc, 18, 1) <> substr('{alphabet}',
                        cast(1 + (31 - list_sum(list_transform(range(17), lambda j:
                            (instr('{alphabet}', substr(borrower_uscc, j + 1, 1)) - 1)
                            * {weights}[j + 1])) % 31) % 31 as bigint), 1)) as bad_uscc,
    count(*) filter (where division not in (select division_code from divisions))
        as bad_division,
    count(*) filter (where enterprise_scale not in ('CS01', 'CS02', 'CS03', 'CS04', 'CS05'))
        as bad_scale,
    count(*) filter (where issue_date > period) as issued_late,
    count(*) filter (where maturity_date <= issue_date) as bad_maturity,
    count(*) filter (where balance < 0 or balance_cny < 0) as negative,
    count(*) filter (where left(guarantee_type, 1) not in ('A', 'B', 'C', 'D', 'E', 'Z'))
        as bad_guarantee,
    count(*) filter (where currency not in (select currency from currencies)) as bad_currency,
    count(*) filter (where interest_rate <= 0 or interest_rate >= 36) as bad_rate,
    count(*) - count(distinct loan_id) as repeated_ids,
    count(distinct bank_code) as banks,
    count(distinct period) as periods,
    count(*) filter (where bank_code not in (select bank_code from banks)) as unknown_bank
from typed
group by filename
"""

METRICS = """
create table bank_loan_metrics as
with sums as (
    select t.bank_code, t.period,
        sum(coalesce(t.balance_cny, t.balance)) as corporate,
        sum(coalesce(t.balance_cny, t.balance)) filter (where d.is_manufacturing) as mfg,
        sum(coalesce(t.balance_cny, t.balance)) filter (
            where d.is_manufacturing and t.maturity_date > t.issue_date + interval 1 year)
            as mfg_mlt,
        sum(coalesce(t.balance_cny, t.balance)) filter (
            where d.is_manufacturing and left(t.guarantee_type, 1) = 'D') as mfg_credit
    from typed as t
    left join divisions as d on d.division_code = t.division
    group by all
),
totals as (
    select bank_code, last_day(try_cast(report_period || '-01' as date)) as period,
        try_cast(total_loans as decimal(18, 2)) as total_loans,
        try_cast(corporate_loans as decimal(18, 2)) as corporate_loans
    from {totals}
)
select s.bank_code, s.period, t.total_loans, s.mfg, s.mfg_mlt, s.mfg_credit,
    s.mfg / nullif(t.total_loans, 0) as mfg_loan_share,
    s.mfg_mlt / nullif(s.mfg, 0) as mfg_mlt_share,
    s.mfg_credit / nullif(s.mfg, 0) as mfg_credit_share,
    abs(s.corporate / nullif(t.corporate_loans, 0) - 1) as reconcile_gap
from sums as s left join totals as t using (bank_code, period)
"""


def run(data: Path, work: Path, ext: str = "csv") -> dict[str, float]:
    """One month through the lean path; the seconds of each step."""
    work.mkdir(parents=True, exist_ok=True)
    build = work / "lean_build.duckdb"
    build.unlink(missing_ok=True)
    seconds = {}
    clock = time.perf_counter()
    con = duckdb.connect(str(build))
    for name in ("banks", "currencies", "gbt4754_divisions"):
        table = "divisions" if name == "gbt4754_divisions" else name
        con.execute(
            f"create table {table} as select * from read_csv('{SEEDS_DIR / name}.csv', "
            "all_varchar = true)"
        )
    con.execute(
        "create or replace table divisions as select division_code, "
        "is_manufacturing = 'true' as is_manufacturing from divisions"
    )
    read = READ_PARQUET if ext == "parquet" else READ
    con.execute(read.format(data=data, ext=ext))
    seconds["read"] = time.perf_counter() - clock
    clock = time.perf_counter()
    con.execute(TYPED)
    con.sql(CHECKS.format(alphabet=ALPHABET, weights=WEIGHTS)).fetchall()
    seconds["checks"] = time.perf_counter() - clock
    clock = time.perf_counter()
    totals = (
        f"read_parquet('{data}/loan_totals_*.parquet')"
        if ext == "parquet"
        else f"read_csv('{data}/loan_totals_*.csv', all_varchar = true, header = true)"
    )
    con.execute(METRICS.format(totals=totals))
    seconds["metrics"] = time.perf_counter() - clock
    clock = time.perf_counter()
    published = work / "lean_published.duckdb"
    partial = work / "lean_published.duckdb.partial"
    partial.unlink(missing_ok=True)
    con.execute(f"attach '{partial}' as pub")
    con.execute("create table pub.bank_loan_metrics as select * from bank_loan_metrics")
    con.execute("detach pub")
    con.close()
    os.replace(partial, published)
    seconds["publish"] = time.perf_counter() - clock
    return seconds


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
