"""Every rule in the catalogue has a file that triggers it and a clean file that does not,
and the rule document lists every rule."""

import io
import os
import zipfile
from datetime import date, datetime
from pathlib import Path

import polars as pl
import pytest
import xlsxwriter

from ingest.reference import load_reference
from quality.catalogue import render_markdown
from quality.crossfile import AGGREGATE_SCHEMA, GateContext
from quality.gate import Gate, gate_files
from quality.rules import MART_LEVEL, RULES
from tests.helpers import (
    BANK_A,
    BANK_B,
    GUARANTOR_USCC,
    LOAN_HEADERS,
    TOTAL_HEADERS,
    VALID_USCCS,
    bond,
    bridge_loan,
    compensation,
    engagement,
    enterprise,
    every_rule,
    fund,
    ipo,
    known_loans,
    loan,
    subsidy_claim,
    totals_matching,
    whitelist_push,
    write_csv,
)
from tests.poison import dimension_bomb, endless_line_csv

DOC = Path(__file__).resolve().parents[2] / "docs" / "rules.md"
ON_TIME = {1: datetime(2026, 11, 10, 2), 2: datetime(2026, 11, 10, 2)}


@pytest.fixture(scope="module")
def gate() -> Gate:
    return Gate(load_reference())


def _loans_first(tmp, rows=None, headers=LOAN_HEADERS, totals_row=None, totals_for=None):
    rows = rows or [loan()]
    matched = totals_row or totals_matching(totals_for or rows)
    return [
        write_csv(tmp / "loans.csv", rows, headers),
        write_csv(tmp / "totals.csv", [matched], TOTAL_HEADERS),
    ]


def _totals_first(tmp, totals_row=None, headers=TOTAL_HEADERS, rows=None):
    rows = rows or [loan()]
    return [
        write_csv(tmp / "totals.csv", [totals_row or totals_matching(rows)], headers),
        write_csv(tmp / "loans.csv", rows, LOAN_HEADERS),
    ]


def _raw(tmp, name, content: bytes):
    path = tmp / name
    path.write_bytes(content)
    return [path]


def _bomb(tmp):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"<row/>" * (20 << 20))
    return _raw(tmp, "bomb.xlsx", buffer.getvalue())


def _link(tmp):
    path = tmp / "loans.csv"
    path.symlink_to("/etc/passwd")
    return [path]


def _sparse(tmp):
    path = tmp / "huge.csv"
    with open(path, "wb") as handle:
        handle.truncate((2 << 30) + 1)  # over the 2 GiB limit without using the disk
    return [path]


def _nested_parquet(tmp):
    path = tmp / "nested.parquet"
    pl.DataFrame({"bank_code": [["x"]], "report_period": ["2026-10"]}).write_parquet(path)
    return [path]


def _cover_only(tmp):
    path = tmp / "cover.xlsx"
    with xlsxwriter.Workbook(path) as book:
        book.add_worksheet().write(0, 0, "本月无数据")
    return [path]


def _without(headers, name):
    return [h for h in headers if h != name]


def _t(**overrides):
    return {**totals_matching([loan()]), **overrides}


def _known(*rows):
    return pl.DataFrame(
        [dict(zip(AGGREGATE_SCHEMA, r, strict=True)) for r in rows], schema=AGGREGATE_SCHEMA
    )


REGISTERS = {
    "bonds": bond,
    "ipos": ipo,
    "fund_investments": fund,
    "engagements": engagement,
    "enterprises": enterprise,
    "subsidy_claims": subsidy_claim,
    "bridge_loans": bridge_loan,
    "guarantee_compensations": compensation,
    "whitelist_pushes": whitelist_push,
}
PREFIX = {
    "BD": "bonds",
    "IP": "ipos",
    "FI": "fund_investments",
    "EG": "engagements",
    "EN": "enterprises",
    "SC": "subsidy_claims",
    "BL": "bridge_loans",
    "GC": "guarantee_compensations",
    "WP": "whitelist_pushes",
}
# What the warehouse holds for the claims and compensations: `loan()` as a 技改专项贷.
TECH_LOAN = loan(product="技改专项贷")


def _known_loans(tmp, *lines):
    """A context whose raw store (under `tmp`) holds `lines`, by default the 技改专项贷."""
    return GateContext(
        received_at=ON_TIME, loans=known_loans(tmp / "store", *(lines or (TECH_LOAN,)))
    )


GUARANTEED = {
    "guarantor_uscc": GUARANTOR_USCC,
    "guarantor_name": "重庆三峡融资担保集团股份有限公司",
    "guarantee_fee_rate": "0.80",
    "guarantee_fee_paid": "8000.00",
}


def _register(tmp, kind, *rows, headers=None):
    rows = rows or (REGISTERS[kind](),)
    return [write_csv(tmp / f"{kind}.csv", list(rows), headers)]


def _register_file_rules(prefix):
    """The file-level rules every register shares, each with its triggering file."""
    kind = PREFIX[prefix]
    clean = REGISTERS[kind]()
    first = next(iter(clean))
    date_column = {
        "bonds": "issue_date",
        "ipos": "stage_date",
        "fund_investments": "invest_date",
        "engagements": "event_date",
        "enterprises": "as_of",
        "subsidy_claims": "year",
        "bridge_loans": "start_date",
        "guarantee_compensations": "compensation_date",
        "whitelist_pushes": "status_date",
    }[kind]
    second = {**clean, date_column: "2025" if kind == "subsidy_claims" else "2026-09-30"}
    if kind == "whitelist_pushes":
        second["push_date"] = "2026-09-01"
    if kind == "enterprises":
        second["uscc"] = "91100000100003962T"
    for key in ("filing_id", "event_id", "deal_id", "claim_id", "bridge_id", "case_id", "push_id"):
        if key in second:
            second[key] = second[key] + "-2"
    return {
        f"{prefix}-E-001": lambda t: _register(t, kind, headers=list(clean)[1:]),
        f"{prefix}-E-002": lambda t: [
            _raw_text(
                t, kind, ",".join([*clean, first]) + "\n" + ",".join([*clean.values(), "x"]) + "\n"
            )
        ],
        f"{prefix}-E-003": lambda t: [_raw_text(t, kind, ",".join(clean) + "\n")],
        f"{prefix}-E-005": lambda t: _register(t, kind, clean, second),
        f"{prefix}-W-001": lambda t: _register(t, kind, {**clean, "备注": "x"}),
    }


def _raw_text(tmp, kind, text):
    path = tmp / f"{kind}.csv"
    path.write_text(text, encoding="utf-8")
    return path


HEADER_LINE = ",".join(LOAN_HEADERS).encode()
TOTALS_LINE = ",".join(TOTAL_HEADERS).encode()
L = loan()

# rule id → builder(tmp) returning the files (the first is judged) and, if needed, what the
# warehouse already knows.
TRIGGERS = {
    "FL-E-001": lambda t: _raw(t, "junk.csv", os.urandom(2048).replace(b"\n", b"") + b"\x00"),
    "FL-E-002": lambda t: _raw(t, "empty.csv", b""),
    "FL-E-003": lambda t: _raw(t, "cut.csv", HEADER_LINE + b"\nC1901150100001,2026-10,L1\n"),
    "FL-E-004": _bomb,
    "FL-E-005": _cover_only,
    "FL-E-006": lambda t: _raw(t, "other.csv", b"name,age\nx,3\n"),
    "FL-E-007": _link,
    "FL-E-008": lambda t: [write_csv(t / ("x" * 201 + ".csv"), [L], LOAN_HEADERS)],
    "FL-E-009": _sparse,
    "FL-E-010": lambda t: [endless_line_csv(t / "long.csv", (1 << 20) + 1)],
    "FL-E-011": lambda t: [dimension_bomb(t / "dim.xlsx")],
    "FL-E-012": _nested_parquet,
    "LN-E-001": lambda t: _loans_first(t, headers=_without(LOAN_HEADERS, "loan_id")),
    "LN-E-002": lambda t: _loans_first(t, headers=[*LOAN_HEADERS, "balance"]),
    "LN-E-003": lambda t: _raw(t, "head.csv", HEADER_LINE + b"\n"),
    "LN-E-004": lambda t: _loans_first(
        t, [L, loan(loan_id="L2", bank_code=BANK_B)], totals_for=[L]
    ),
    "LN-E-005": lambda t: _loans_first(
        t, [L, loan(loan_id="L2", report_period="2026-09")], totals_for=[L]
    ),
    "LN-E-006": lambda t: _loans_first(t, [loan(bank_code="C9999999999999")]),
    "LN-W-001": lambda t: _loans_first(t, [{**L, "备注": "x"}], [*LOAN_HEADERS, "备注"]),
    "LN-E-010": lambda t: _loans_first(t, [loan(borrower_name="")]),
    "LN-E-011": lambda t: _loans_first(t, [loan(borrower_uscc="123456789012345678")]),
    "LN-E-012": lambda t: _loans_first(t, [loan(industry_code="F36")], totals_for=[L]),
    "LN-E-013": lambda t: _loans_first(t, [loan(enterprise_scale="巨型")]),
    "LN-E-014": lambda t: _loans_first(
        t, [loan(issue_date="2026-11-01", maturity_date="2027-11-01")]
    ),
    "LN-E-015": lambda t: _loans_first(t, [loan(maturity_date="2025-01-15")]),
    "LN-E-016": lambda t: _loans_first(t, [loan(balance="-0.01", balance_cny="")], totals_for=[L]),
    "LN-E-017": lambda t: _loans_first(t, [loan(guarantee_type="X")]),
    "LN-E-018": lambda t: _loans_first(t, [loan(currency="XYZ")], totals_for=[L]),
    "LN-E-019": lambda t: _loans_first(t, [loan(currency="AUD", balance_cny="")], totals_for=[L]),
    "LN-E-020": lambda t: _loans_first(t, [loan(interest_rate="36")]),
    "LN-E-021": lambda t: _loans_first(t, [loan(five_class="良好")]),
    "LN-E-022": lambda t: _loans_first(t, [L, L], totals_for=[L, L]),
    "LN-E-030": lambda t: _loans_first(t, totals_row=_t(corporate_loans="900000.00")),
    "LN-W-030": lambda t: _loans_first(t, totals_row=_t(corporate_loans="990000.00")),
    "LN-E-031": lambda t: _loans_first(t, totals_row=_t(mfg_loans_reported="900000.00")),
    "LN-W-031": lambda t: _loans_first(t, totals_row=_t(mfg_loans_reported="990000.00")),
    "LN-W-032": lambda t: (
        _loans_first(t),
        GateContext(
            known=_known((9, "loans", BANK_A, date(2026, 9, 30), 500_000.0, 500_000.0)),
            received_at=ON_TIME,
        ),
    ),
    "LN-W-033": lambda t: [write_csv(t / "loans.csv", [L], LOAN_HEADERS)],
    "LN-W-034": lambda t: (
        _loans_first(t),
        GateContext(received_at={1: datetime(2026, 11, 16, 2), 2: datetime(2026, 11, 10)}),
    ),
    "LT-E-001": lambda t: _totals_first(t, headers=_without(TOTAL_HEADERS, "total_loans")),
    "LT-E-002": lambda t: _totals_first(t, headers=[*TOTAL_HEADERS, "total_loans"]),
    "LT-E-003": lambda t: _raw(t, "head.csv", TOTALS_LINE + b"\n"),
    "LT-E-004": lambda t: [write_csv(t / "t.csv", [_t(), _t(bank_code=BANK_B)], TOTAL_HEADERS)],
    "LT-E-005": lambda t: [
        write_csv(t / "t.csv", [_t(), _t(report_period="2026-09")], TOTAL_HEADERS)
    ],
    "LT-E-006": lambda t: _totals_first(t, _t(bank_code="C9999999999999")),
    "LT-W-001": lambda t: _totals_first(t, {**_t(), "备注": "x"}, [*TOTAL_HEADERS, "备注"]),
    "LT-E-010": lambda t: _totals_first(t, _t(total_loans="")),
    "LT-E-011": lambda t: _totals_first(t, _t(total_credit_loans="-1")),
    "LT-E-012": lambda t: _totals_first(t, _t(total_mlt_loans="99999999999.00")),
    "LT-E-013": lambda t: [write_csv(t / "t.csv", [_t(), _t()], TOTAL_HEADERS)],
    "LT-E-030": lambda t: _totals_first(t, _t(corporate_loans="900000.00")),
    "LT-W-030": lambda t: _totals_first(t, _t(corporate_loans="990000.00")),
    "LT-E-031": lambda t: _totals_first(t, _t(mfg_loans_reported="900000.00")),
    "LT-W-031": lambda t: _totals_first(t, _t(mfg_loans_reported="990000.00")),
    "LT-W-033": lambda t: [write_csv(t / "t.csv", [_t()], TOTAL_HEADERS)],
    "LT-W-034": lambda t: (
        _totals_first(t),
        GateContext(received_at={1: datetime(2026, 11, 20), 2: datetime(2026, 11, 10)}),
    ),
    **{k: v for prefix in PREFIX for k, v in _register_file_rules(prefix).items()},
    "BD-E-010": lambda t: _register(t, "bonds", bond(issuer_name="")),
    "BD-E-011": lambda t: _register(t, "bonds", bond(issuer_uscc="123456789012345678")),
    "BD-E-012": lambda t: _register(t, "bonds", bond(bond_type="永续债")),
    "BD-E-013": lambda t: _register(t, "bonds", bond(bond_type="科技创新债券")),
    "BD-E-014": lambda t: _register(t, "bonds", bond(labels="科技创新、蓝色")),
    "BD-E-015": lambda t: _register(t, "bonds", bond(market="柜台")),
    "BD-E-016": lambda t: _register(t, "bonds", bond(currency="XYZ")),
    "BD-E-017": lambda t: _register(t, "bonds", bond(term_years="0")),
    "BD-E-018": lambda t: _register(t, "bonds", bond(coupon_rate="36")),
    "BD-E-019": lambda t: _register(t, "bonds", bond(), bond()),
    # The fx_rates seed runs to 2027-12: a Singapore-dollar bond of 2028-01 has no rate.
    "BD-E-020": lambda t: _register(
        t, "bonds", bond(currency="SGD", market="境外", bond_type="境外债", issue_date="2028-01-15")
    ),
    "IP-E-010": lambda t: _register(t, "ipos", ipo(enterprise_name="")),
    "IP-E-011": lambda t: _register(t, "ipos", ipo(enterprise_uscc="91350100M000100Y44")),
    "IP-E-012": lambda t: _register(t, "ipos", ipo(stage="路演")),
    "IP-E-013": lambda t: _register(
        t,
        "ipos",
        ipo(stage="申报受理", stage_date="2026-10-05"),
        ipo(event_id="E2", stage="辅导备案", stage_date="2026-10-20"),
    ),
    "IP-E-014": lambda t: _register(
        t, "ipos", ipo(stage="上市", exchange="上交所", board="科创板", stock_code="300123")
    ),
    "IP-E-015": lambda t: _register(t, "ipos", ipo(exchange="纳斯达克")),
    "IP-E-016": lambda t: _register(
        t, "ipos", ipo(), ipo(stage="签署IPO协议", stage_date="2026-10-01")
    ),
    "IP-E-017": lambda t: _register(t, "ipos", ipo(amount_raised="-1")),
    "FI-E-004": lambda t: _register(
        t, "fund_investments", fund(), fund(deal_id="D2", fund_manager="另一家管理人")
    ),
    "FI-E-010": lambda t: _register(t, "fund_investments", fund(is_return_investment="也许")),
    "FI-E-011": lambda t: _register(t, "fund_investments", fund(investee_uscc="X" * 18)),
    "FI-E-012": lambda t: _register(t, "fund_investments", fund(fund_type="对冲基金")),
    "FI-E-013": lambda t: _register(t, "fund_investments", fund(amount="0")),
    "FI-E-014": lambda t: _register(t, "fund_investments", fund(), fund()),
    "FI-E-015": lambda t: _register(t, "fund_investments", fund(currency="XYZ")),
    "FI-E-016": lambda t: _register(t, "fund_investments", fund(currency="AUD")),
    "EG-E-010": lambda t: _register(t, "engagements", engagement(organizer="")),
    "EG-E-011": lambda t: _register(
        t, "engagements", engagement(enterprise_uscc="123456789012345678")
    ),
    "EG-E-012": lambda t: _register(t, "engagements", engagement(event_type="茶话会")),
    "EG-E-013": lambda t: _register(t, "engagements", engagement(outcome="待定")),
    "EG-E-014": lambda t: _register(t, "engagements", engagement(bank_code="C9999999999999")),
    "EG-E-015": lambda t: _register(t, "engagements", engagement(outcome="放款", amount="")),
    "EG-E-016": lambda t: _register(t, "engagements", engagement(amount="-5")),
    "EG-E-017": lambda t: _register(t, "engagements", engagement(), engagement()),
    "EN-E-010": lambda t: _register(t, "enterprises", enterprise(whitelist="")),
    "EN-E-011": lambda t: _register(t, "enterprises", enterprise(uscc="123456789012345678")),
    "EN-E-012": lambda t: _register(t, "enterprises", enterprise(industry_code="C99")),
    "EN-E-013": lambda t: _register(t, "enterprises", enterprise(district="成都市")),
    "EN-E-014": lambda t: _register(t, "enterprises", enterprise(cluster_33618="元宇宙汽车")),
    "EN-E-015": lambda t: _register(t, "enterprises", enterprise(designations="百强企业")),
    "EN-E-016": lambda t: _register(t, "enterprises", enterprise(), enterprise()),
    "SC-E-010": lambda t: _register(t, "subsidy_claims", subsidy_claim(enterprise_name="")),
    "SC-E-011": lambda t: _register(
        t, "subsidy_claims", subsidy_claim(enterprise_uscc="123456789012345678")
    ),
    "SC-E-012": lambda t: _register(
        t, "subsidy_claims", subsidy_claim(**{**GUARANTEED, "guarantor_uscc": "X" * 18})
    ),
    "SC-E-013": lambda t: _register(t, "subsidy_claims", subsidy_claim(actual_rate="0")),
    "SC-E-014": lambda t: _register(t, "subsidy_claims", subsidy_claim(loan_amount="0")),
    "SC-E-015": lambda t: _register(
        t, "subsidy_claims", subsidy_claim(**{**GUARANTEED, "guarantee_fee_rate": "36"})
    ),
    "SC-E-016": lambda t: _register(
        t, "subsidy_claims", subsidy_claim(**{**GUARANTEED, "guarantee_fee_paid": ""})
    ),
    "SC-E-017": lambda t: _register(t, "subsidy_claims", subsidy_claim(), subsidy_claim()),
    "SC-E-018": lambda t: _register(t, "subsidy_claims", subsidy_claim(bank_code="C9999999999999")),
    "SC-E-020": lambda t: (
        _register(t, "subsidy_claims", subsidy_claim(loan_id="L9999")),
        _known_loans(t),
    ),
    "SC-E-021": lambda t: (
        _register(t, "subsidy_claims", subsidy_claim(loan_id="L0002")),
        _known_loans(t, TECH_LOAN, loan(loan_id="L0002", product="订单贷")),
    ),
    "SC-E-022": lambda t: (
        _register(t, "subsidy_claims", subsidy_claim(enterprise_uscc=VALID_USCCS[1])),
        _known_loans(t),
    ),
    "SC-W-023": lambda t: (
        _register(t, "subsidy_claims", subsidy_claim(loan_amount="1200000.00")),
        _known_loans(t),
    ),
    "BL-E-010": lambda t: _register(t, "bridge_loans", bridge_loan(fee_charged="")),
    "BL-E-011": lambda t: _register(t, "bridge_loans", bridge_loan(enterprise_uscc="X" * 18)),
    "BL-E-012": lambda t: _register(t, "bridge_loans", bridge_loan(amount="0")),
    "BL-E-013": lambda t: _register(t, "bridge_loans", bridge_loan(end_date="2026-10-10")),
    "BL-E-014": lambda t: _register(t, "bridge_loans", bridge_loan(fee_rate="36")),
    "BL-E-015": lambda t: _register(t, "bridge_loans", bridge_loan(), bridge_loan()),
    "BL-E-016": lambda t: _register(t, "bridge_loans", bridge_loan(bank_code="C9999999999999")),
    "GC-E-010": lambda t: _register(
        t, "guarantee_compensations", compensation(direct_guarantor="")
    ),
    "GC-E-011": lambda t: _register(
        t, "guarantee_compensations", compensation(enterprise_uscc="X" * 18)
    ),
    "GC-E-012": lambda t: _register(t, "guarantee_compensations", compensation(loss_amount="0")),
    "GC-E-013": lambda t: _register(t, "guarantee_compensations", compensation(), compensation()),
    "GC-E-014": lambda t: _register(
        t, "guarantee_compensations", compensation(bank_code="C9999999999999")
    ),
    "GC-E-020": lambda t: (
        _register(t, "guarantee_compensations", compensation(compensation_date="2026-09-30")),
        _known_loans(t),
    ),
    "GC-E-021": lambda t: (
        _register(t, "guarantee_compensations", compensation(enterprise_uscc=VALID_USCCS[1])),
        _known_loans(t),
    ),
    "WP-E-010": lambda t: _register(t, "whitelist_pushes", whitelist_push(push_date="")),
    "WP-E-011": lambda t: _register(
        t, "whitelist_pushes", whitelist_push(enterprise_uscc="X" * 18)
    ),
    "WP-E-012": lambda t: _register(t, "whitelist_pushes", whitelist_push(status="待定")),
    "WP-E-013": lambda t: _register(
        t, "whitelist_pushes", whitelist_push(status="已对接", push_date="2026-10-20")
    ),
    "WP-E-014": lambda t: _register(t, "whitelist_pushes", whitelist_push(status="已放款")),
    "WP-E-015": lambda t: _register(t, "whitelist_pushes", whitelist_push(), whitelist_push()),
    "WP-E-016": lambda t: _register(
        t, "whitelist_pushes", whitelist_push(bank_code="C9999999999999")
    ),
}


def _rules_of_first(gate, built):
    paths, context = built if isinstance(built, tuple) else (built, None)
    context = context or GateContext(received_at=ON_TIME)
    batch = gate_files(gate, [(n, p, p.name) for n, p in enumerate(paths, start=1)], context)
    return batch.result.verdicts[1].rules


FILE_RULES = [r for r in RULES if r.level != MART_LEVEL]  # mart rules: test_mart_gate.py


@pytest.mark.parametrize("rule", every_rule(FILE_RULES))
def test_every_rule_has_a_file_that_triggers_it(gate, tmp_path, rule):
    assert rule.rule_id in TRIGGERS, f"{rule.rule_id} has no triggering file in this table"
    assert rule.rule_id in _rules_of_first(gate, TRIGGERS[rule.rule_id](tmp_path))


@pytest.mark.parametrize("subject", ["loans", "loan_totals"])
def test_a_clean_pair_on_time_triggers_no_rule(gate, tmp_path, subject):
    built = _loans_first(tmp_path) if subject == "loans" else _totals_first(tmp_path)
    assert _rules_of_first(gate, built) == {}


CLEAN_REGISTERS = {
    "bonds": [
        bond(),
        bond(filing_id="B2", bond_type="公司债", labels="", market="上交所"),
        bond(filing_id="B3", bond_type="境外债", market="境外", currency="SGD"),
    ],
    "ipos": [
        ipo(),
        ipo(event_id="E2", stage="申报受理", stage_date="2026-10-28"),
        ipo(
            event_id="E3",
            enterprise_uscc="91100000100003962T",
            stage="上市",
            stage_date="2026-10-16",
            exchange="北交所",
            board="北交所",
            stock_code="920118",
            amount_raised="300000000",
        ),
    ],
    # A deal without a currency is in CNY; one in USD has the month's rate.
    "fund_investments": [
        fund(currency=""),
        fund(
            deal_id="D2",
            fund_type="天使",
            amount="1500000",
            is_return_investment="否",
            currency="CNY",
        ),
        fund(deal_id="D3", currency="USD"),
    ],
    "engagements": [
        engagement(),
        engagement(enterprise_uscc="91100000100003962T", bank_code="", outcome="意向", amount=""),
    ],
    "enterprises": [
        enterprise(),
        enterprise(
            uscc="91100000100003962T",
            name="重庆丙丁电子有限公司",
            industry_code="3973",
            cluster_33618="N01",
            designations="",
            whitelist="否",
        ),
    ],
    # An interest claim alone, and one with its guarantee fee, both on the known 技改专项贷.
    "subsidy_claims": [subsidy_claim(), subsidy_claim(claim_id="SC2", **GUARANTEED)],
    "bridge_loans": [bridge_loan(), bridge_loan(bridge_id="BR2", fee_rate="0", fee_charged="0")],
    "guarantee_compensations": [compensation()],
    "whitelist_pushes": [
        whitelist_push(),
        whitelist_push(status="已对接", status_date="2026-10-12"),
        whitelist_push(status="已放款", status_date="2026-10-30", amount="5000000"),
    ],
}


@pytest.mark.parametrize("kind", list(CLEAN_REGISTERS))
def test_a_clean_register_file_triggers_no_rule(gate, tmp_path, kind):
    built = (_register(tmp_path, kind, *CLEAN_REGISTERS[kind]), _known_loans(tmp_path))
    assert _rules_of_first(gate, built) == {}


def test_the_rule_document_is_current_and_lists_every_rule():
    text = DOC.read_text(encoding="utf-8")
    assert text == render_markdown(), "regenerate with: zhirong rules > docs/rules.md"
    for rule in RULES:
        assert f"| {rule.rule_id} |" in text


def test_a_foreign_amount_without_a_rate_names_the_currency_and_month(gate, tmp_path):
    paths = _register(
        tmp_path,
        "bonds",
        bond(currency="SGD", market="境外", bond_type="境外债", issue_date="2028-01-15"),
    )
    result = gate_files(
        gate, [(1, paths[0], paths[0].name)], GateContext(received_at=ON_TIME)
    ).result
    assert not result.verdicts[1].accepted
    finding = result.findings.filter(pl.col("rule_id") == "BD-E-020").row(0, named=True)
    assert finding["value"] == "SGD 2028-01" and finding["column"] == "currency"
    assert "SGD 2028-01" in finding["message_zh"] and "SGD 2028-01" in finding["message_en"]
    assert finding["row_number"] == 2  # the header is line 1
