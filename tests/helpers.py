"""Small hand-written submission files for tests."""

from __future__ import annotations

import csv
from pathlib import Path

# Real codes quoted in DOMAIN.md (GB 32100-2015's own example and published registrations).
VALID_USCCS = ("91350100M000100Y43", "91100000100003962T", "911000001000013428",
               "9144030071526726XG")
BANK_A = "C1901150100001"  # registered sample bank: 神州工业银行重庆市分行, 国有大型商业银行
BANK_B = "C2901150200001"  # 海港银行重庆分行, 股份制商业银行

LOAN_HEADERS = [
    "bank_code", "report_period", "loan_id", "borrower_uscc", "borrower_name", "industry_code",
    "enterprise_scale", "product", "issue_date", "maturity_date", "guarantee_type", "currency",
    "balance", "balance_cny", "interest_rate", "five_class",
]
TOTAL_HEADERS = ["bank_code", "report_period", "total_loans", "total_mlt_loans",
                 "total_credit_loans", "corporate_loans", "mfg_loans_reported"]


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


def write_csv(path: Path, rows: list[dict[str, str]], headers: list[str] | None = None,
              encoding: str = "utf-8", delimiter: str = ",") -> Path:
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
    return totals(bank_code=first["bank_code"], report_period=first["report_period"],
                  total_loans=f"{corporate * 2:.2f}", total_mlt_loans="0.00",
                  total_credit_loans="0.00", corporate_loans=f"{corporate:.2f}",
                  mfg_loans_reported=f"{manufacturing:.2f}")
