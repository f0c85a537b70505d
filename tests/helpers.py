"""Small hand-written submission files for tests."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

import pytest

# Real codes quoted in docs/domain.md (GB 32100-2015's own example and published registrations).
VALID_USCCS = (
    "91350100M000100Y43",
    "91100000100003962T",
    "911000001000013428",
    "9144030071526726XG",
)
BANK_A = "C1901150100001"  # registered sample bank: 神州工业银行重庆市分行, 国有大型商业银行
BANK_B = "C2901150200001"  # 海港银行重庆分行, 股份制商业银行

LOAN_HEADERS = [
    "bank_code",
    "report_period",
    "loan_id",
    "borrower_uscc",
    "borrower_name",
    "industry_code",
    "enterprise_scale",
    "product",
    "issue_date",
    "maturity_date",
    "guarantee_type",
    "currency",
    "balance",
    "balance_cny",
    "interest_rate",
    "five_class",
]
# The Chinese header of each loans column, as banks write them (contract §3.1), typed out
# here rather than taken from ingest/, so a test of the header mapping checks it.
LOAN_HEADERS_ZH = {
    "bank_code": "金融机构代码",
    "report_period": "报告期",
    "loan_id": "贷款借据号",
    "borrower_uscc": "借款人统一社会信用代码",
    "borrower_name": "借款人名称",
    "industry_code": "借款人行业",
    "enterprise_scale": "企业规模",
    "product": "贷款产品",
    "issue_date": "贷款发放日期",
    "maturity_date": "贷款到期日期",
    "guarantee_type": "担保方式",
    "currency": "币种",
    "balance": "贷款余额",
    "balance_cny": "贷款余额折人民币",
    "interest_rate": "执行利率(%)",
    "five_class": "五级分类",
}

TOTAL_HEADERS = [
    "bank_code",
    "report_period",
    "total_loans",
    "total_mlt_loans",
    "total_credit_loans",
    "corporate_loans",
    "mfg_loans_reported",
]


def loan(**overrides: str) -> dict[str, str]:
    """A valid loan line; override any field."""
    row = {
        "bank_code": BANK_A,
        "report_period": "2026-10",
        "loan_id": "L0001",
        "borrower_uscc": VALID_USCCS[0],
        "borrower_name": "重庆甲乙机械有限公司",
        "industry_code": "C3612",
        "enterprise_scale": "CS02",
        "product": "",
        "issue_date": "2025-01-15",
        "maturity_date": "2027-01-15",
        "guarantee_type": "D",
        "currency": "CNY",
        "balance": "1000000.00",
        "balance_cny": "1000000.00",
        "interest_rate": "3.50",
        "five_class": "正常",
    }
    row.update(overrides)
    return row


def totals(**overrides: str) -> dict[str, str]:
    """A valid loan_totals line; override any field."""
    row = {
        "bank_code": BANK_A,
        "report_period": "2026-10",
        "total_loans": "10000000.00",
        "total_mlt_loans": "6000000.00",
        "total_credit_loans": "3000000.00",
        "corporate_loans": "7000000.00",
        "mfg_loans_reported": "1000000.00",
    }
    row.update(overrides)
    return row


def write_csv(
    path: Path,
    rows: list[dict[str, str]],
    headers: list[str] | None = None,
    encoding: str = "utf-8",
    delimiter: str = ",",
) -> Path:
    """Write `rows` as a CSV file with the given headers (default: the rows' keys)."""
    headers = headers or list(rows[0])
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding=encoding) as handle:
        writer = csv.writer(handle, delimiter=delimiter)
        writer.writerow(headers)
        for row in rows:
            writer.writerow([row.get(h, "") for h in headers])
    return path


def totals_matching(rows: list[dict[str, str]]) -> dict[str, str]:
    """A loan_totals line that agrees with `rows` (CNY lines with readable balances):
    corporate loans = their sum, manufacturing = the lines in section C; all loans twice that."""
    from decimal import Decimal, InvalidOperation

    corporate = manufacturing = Decimal(0)
    for row in rows:
        try:
            amount = Decimal(row.get("balance_cny") or row["balance"])
        except (InvalidOperation, KeyError):
            continue
        if row.get("currency", "CNY") != "CNY" or amount < 0:
            continue
        corporate += amount
        code = row.get("industry_code", "").lstrip("C")
        if code[:2].isdigit() and 13 <= int(code[:2]) <= 43:
            manufacturing += amount
    first = rows[0]
    return totals(
        bank_code=first["bank_code"],
        report_period=first["report_period"],
        total_loans=f"{corporate * 2:.2f}",
        total_mlt_loans="0.00",
        total_credit_loans="0.00",
        corporate_loans=f"{corporate:.2f}",
        mfg_loans_reported=f"{manufacturing:.2f}",
    )


# Six banks at two quarter-ends, small enough to score by hand (tests/dbt_project/
# test_bank_scorecard.py works every number out). Five share the 国有大型商业银行 peer group;
# the sixth is alone in 股份制商业银行. Per bank: 2025-09 and 2026-09 lines as
# (loan id, balance, medium/long-term?, guarantee), and all loans (T) each month.
SCORECARD_BANKS = {
    "C1901150100001": {
        "2025-09": ([("a1", "1000", True, "D")], "10000"),
        "2026-09": ([("a1", "1200", True, "D")], "11000"),
    },
    "C1902150100002": {
        "2025-09": ([("b1", "1000", True, "D")], "10000"),
        "2026-09": ([("b1", "800", True, "D"), ("b2", "200", False, "C")], "10000"),
    },
    "C1903150100003": {
        "2025-09": ([("c1", "900", True, "D"), ("c2", "100", False, "D")], "10000"),
        "2026-09": ([("c1", "1100", True, "D")], "10000"),
    },
    "C1904150100004": {
        "2025-09": ([("d1", "1000", True, "D")], "10000"),
        "2026-09": ([("d1", "900", True, "D")], "10000"),
    },
    "C1905150100005": {
        "2025-09": ([("e1", "1000", True, "D")], "10000"),
        "2026-09": ([("e1", "1040", True, "D"), ("e2", "10", True, "C")], "10000"),
    },
    "C2901150200001": {
        "2025-09": ([("f1", "1000", True, "D")], "10000"),
        "2026-09": ([("f1", "1000", True, "D")], "10000"),
    },
}
# Bank 5 sends its 2026-09 loans on 20 October, after the due day (the 15th).
SCORECARD_LATE = ("C1905150100005", "2026-09")


def arrived(path: Path, at: datetime) -> None:
    """Say that `path`, in a home's inbox, was first seen there at `at` (UTC) — what the
    inbox sensor records when a file comes in (warehouse.arrivals)."""
    from warehouse import arrivals
    from warehouse.home import Home
    from warehouse.received import sha256_of

    arrivals.note(Home(path.parent.parent), sha256_of(path), at)


def write_scorecard_quarter(inbox: Path) -> None:
    """The scorecard fixture's files, into `inbox` (a home's)."""

    for bank, months in SCORECARD_BANKS.items():
        for period, (lines, total) in months.items():
            rows = [
                loan(
                    bank_code=bank,
                    report_period=period,
                    loan_id=loan_id,
                    borrower_uscc=VALID_USCCS[index % len(VALID_USCCS)],
                    balance=balance,
                    balance_cny=balance,
                    guarantee_type=guarantee,
                    issue_date="2024-03-01" if long else f"{period[:4]}-03-01",
                    maturity_date="2028-03-01" if long else f"{period[:4]}-12-01",
                )
                for index, (loan_id, balance, long, guarantee) in enumerate(lines)
            ]
            loans = write_csv(inbox / f"loans_{bank}_{period}.csv", rows, LOAN_HEADERS)
            corporate = sum(int(balance) for _, balance, _, _ in lines)
            loan_totals = write_csv(
                inbox / f"totals_{bank}_{period}.csv",
                [
                    totals(
                        bank_code=bank,
                        report_period=period,
                        total_loans=total,
                        total_mlt_loans="0",
                        total_credit_loans="0",
                        corporate_loans=str(corporate),
                        mfg_loans_reported=str(corporate),
                    )
                ],
                TOTAL_HEADERS,
            )
            # Each file arrived on the 10th of the next month (the sensor saw it then), on
            # time; one came on the 20th. Its modification time says nothing to the warehouse.
            year, month = int(period[:4]), int(period[5:])
            on_time, late = datetime(year, month + 1, 10, 1), datetime(year, month + 1, 20, 1)
            arrived(loans, late if (bank, period) == SCORECARD_LATE else on_time)
            arrived(loan_totals, on_time)


# Clean rows of the five registers (contract §3.3); override any field.
def bond(**overrides: str) -> dict[str, str]:
    """A valid bonds line."""
    return {
        "filing_id": "B2026100001",
        "issuer_uscc": VALID_USCCS[0],
        "issuer_name": "重庆甲乙机械有限公司",
        "bond_name": "26甲乙MTN001",
        "bond_type": "中期票据",
        "labels": "科技创新",
        "market": "银行间",
        "issue_date": "2026-10-12",
        "term_years": "3",
        "amount": "500000000",
        "currency": "CNY",
        "coupon_rate": "2.35",
        "lead_underwriter": "重庆银行",
        **overrides,
    }


def ipo(**overrides: str) -> dict[str, str]:
    """A valid ipos line."""
    return {
        "event_id": "E1",
        "enterprise_uscc": VALID_USCCS[0],
        "enterprise_name": "重庆甲乙机械有限公司",
        "stage": "辅导备案",
        "stage_date": "2026-10-09",
        "exchange": "",
        "board": "",
        "stock_code": "",
        "amount_raised": "",
        **overrides,
    }


def fund(**overrides: str) -> dict[str, str]:
    """A valid fund_investments line."""
    return {
        "deal_id": "D1",
        "fund_name": "重庆产业投资母基金",
        "fund_type": "市级母基金",
        "fund_manager": "重庆产业引导股权投资基金有限责任公司",
        "investee_uscc": VALID_USCCS[0],
        "investee_name": "重庆甲乙机械有限公司",
        "invest_date": "2026-10-20",
        "amount": "30000000",
        "is_return_investment": "是",
        **overrides,
    }


def engagement(**overrides: str) -> dict[str, str]:
    """A valid engagements line."""
    return {
        "event_id": "M1",
        "event_date": "2026-10-15",
        "event_type": "银企对接会",
        "organizer": "市经济信息委",
        "enterprise_uscc": VALID_USCCS[0],
        "bank_code": BANK_A,
        "outcome": "签约",
        "amount": "10000000",
        **overrides,
    }


def enterprise(**overrides: str) -> dict[str, str]:
    """A valid enterprises line."""
    return {
        "uscc": VALID_USCCS[0],
        "name": "重庆甲乙机械有限公司",
        "district": "两江新区",
        "industry_code": "C3612",
        "cluster_33618": "智能网联新能源汽车",
        "designations": "专精特新、高新技术企业",
        "listed": "否",
        "whitelist": "是",
        "as_of": "2026-10-31",
        **overrides,
    }


# A guarantor of 技改专项贷 projects (a valid USCC, distinct from the borrowers').
GUARANTOR_USCC = "91500000685782032G"


def subsidy_claim(**overrides: str) -> dict[str, str]:
    """A valid subsidy_claims line: an interest claim on `loan()` as a 技改专项贷."""
    return {
        "claim_id": "SC1",
        "year": "2026",
        "enterprise_uscc": VALID_USCCS[0],
        "enterprise_name": "重庆甲乙机械有限公司",
        "project_name": "智能化产线技术改造",
        "bank_code": BANK_A,
        "loan_id": "L0001",
        "loan_amount": "1000000.00",
        "actual_rate": "3.50",
        "interest_paid": "35000.00",
        "guarantor_uscc": "",
        "guarantor_name": "",
        "guarantee_fee_rate": "",
        "guarantee_fee_paid": "",
        **overrides,
    }


def bridge_loan(**overrides: str) -> dict[str, str]:
    """A valid bridge_loans line."""
    return {
        "bridge_id": "BR1",
        "enterprise_uscc": VALID_USCCS[0],
        "bank_code": BANK_A,
        "amount": "20000000.00",
        "start_date": "2026-10-10",
        "end_date": "2026-10-20",
        "fee_rate": "3.65",
        "fee_charged": "20000.00",
        **overrides,
    }


def compensation(**overrides: str) -> dict[str, str]:
    """A valid guarantee_compensations line, on `loan()`."""
    return {
        "case_id": "GC1",
        "bank_code": BANK_A,
        "loan_id": "L0001",
        "enterprise_uscc": VALID_USCCS[0],
        "direct_guarantor": "重庆三峡融资担保集团股份有限公司",
        "compensation_date": "2026-11-20",
        "loss_amount": "10000000.00",
        **overrides,
    }


def whitelist_push(**overrides: str) -> dict[str, str]:
    """A valid whitelist_pushes line."""
    return {
        "push_id": "WP1",
        "enterprise_uscc": VALID_USCCS[0],
        "bank_code": BANK_A,
        "push_date": "2026-10-05",
        "status": "已推送",
        "status_date": "2026-10-05",
        "amount": "",
        **overrides,
    }


def known_loans(root: Path, *rows: dict[str, str]):
    """The gate's loan lookup (`warehouse.raw.loan_lookup`) over a raw store under `root`
    holding `rows` (loan() lines) as accepted loans files, one per bank and month, read and
    normalised by the ingest code itself."""
    import polars as pl

    from ingest.submission import read_submission
    from quality.crossfile import AGGREGATE_SCHEMA
    from warehouse.home import Home
    from warehouse.raw import kind_dir, loan_lookup, raw_schema

    home = Home(root).ensure()
    kind_dir(home, "loans").mkdir(parents=True, exist_ok=True)
    files: dict[tuple[str, str], list[dict[str, str]]] = {}
    for row in rows:
        files.setdefault((row["bank_code"], row["report_period"]), []).append(row)
    known = []
    for sid, lines in enumerate(files.values(), start=1):
        path = write_csv(root / "sent" / f"loans_{sid}.csv", lines, LOAN_HEADERS)
        data = read_submission(path).data.with_columns(submission_id=pl.lit(sid, pl.Int64))
        data.select(list(raw_schema("loans"))).write_parquet(
            kind_dir(home, "loans") / f"{sid}.parquet"
        )
        known.append((sid, "loans", lines[0]["bank_code"], data["report_period"][0], 0.0, 0.0))
    return loan_lookup(
        home,
        pl.DataFrame(
            [dict(zip(AGGREGATE_SCHEMA, k, strict=True)) for k in known], schema=AGGREGATE_SCHEMA
        ),
    )


def rows_of(con, sql: str, params=()) -> list[dict]:
    """The rows of a query on a DuckDB connection, as dicts by column name."""
    cursor = con.execute(sql, list(params))
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def other_writer(home, seconds: float):
    """Another process holding `home`'s writer lock for `seconds` (returned once it holds)."""
    import subprocess
    import sys
    import textwrap

    code = textwrap.dedent(f"""
        import time
        from pathlib import Path
        from warehouse.database import writer_lock
        from warehouse.home import Home
        with writer_lock(Home(Path({str(home.root)!r}))):
            print("held", flush=True)
            time.sleep({seconds})
    """)
    other = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert other.stdout.readline().strip() == "held"
    return other


def every_rule(rules: Iterable) -> list:
    """Parameters for a test run once per rule: the first rule of each file kind and level
    stays in the quick tier; the rest are marked `integration` (CI and a plain `pytest` run
    them all). One GX validation of a small file costs ~0.1 s, and a sweep makes hundreds."""
    seen, params = set(), []
    for rule in rules:
        group = (rule.kind, rule.level)
        marks = [pytest.mark.integration] if group in seen else []
        seen.add(group)
        params.append(pytest.param(rule, id=rule.rule_id, marks=marks))
    return params
