"""The built-in sample's files of the plan's money and service mechanisms (contract §3.4):
yearly 技改专项贷 subsidy claims, monthly bridge loans, guarantee compensations and white-list
pushes. Claims and compensations name real loans of the sample banks' books, so they pass
the gate's loan checks; some exceed each cap and some are not eligible, so every branch of
the calculators shows in the demo."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np
import polars as pl

from ingest import bridge_loans, guarantee_compensations, subsidy_claims, whitelist_pushes
from ingest.subsidy_claims import TECH_LOAN
from sample.banks import BankProfile
from sample.population import Enterprises, make_uscc, write_table
from sample.registers import PLAN_START, Register, day_in, month_end_on, month_ends, zh_frame

# Guarantors of 技改专项贷 projects: the first takes the big projects (and reaches the
# 100万 cap a year); fee rates above 1 % are not eligible for the fee subsidy.
GUARANTORS = (
    "重庆三峡融资担保集团股份有限公司",
    "重庆进出口融资担保有限公司",
    "重庆市中小企业融资担保有限公司",
    "重庆兴农融资担保集团有限公司",
)
FEE_RATES = (0.5, 0.8, 1.0, 1.2, 1.5)
FEE_WEIGHTS = (0.2, 0.35, 0.2, 0.15, 0.1)
PROJECTS = ("智能化产线技术改造", "数字化车间改造", "绿色低碳技术改造", "设备更新")
# A year's claims are filed in January of the next; only whole years are claimed.
CLAIM_YEARS = (2024, 2025)
BRIDGE_FEE_RATE = 3.6  # % a year (about 0.1‰ a day)


@dataclass(frozen=True)
class BankBook:
    """A sample bank and every loan it issued (sample.banks.loan_book)."""

    profile: BankProfile
    book: pl.DataFrame


def generate_money(
    out_dir: Path,
    books: list[BankBook],
    firms: Enterprises,
    register: Register,
    months: list[date],
    seed: int,
) -> Iterator[Path]:
    """Every money file of the sample, from the plan's start to the last month."""
    rng = np.random.default_rng([seed, 4222])
    guarantor_uscc = [make_uscc(rng, "500000") for _ in GUARANTORS]
    filed = _filed_loans(books, months, firms)
    last = months[-1]
    for year in CLAIM_YEARS:
        if date(year, 12, 31) > last:
            continue
        frame = _claims(filed, year, guarantor_uscc, rng)
        if frame.height:
            yield _write(out_dir, f"技改专项贷贴息申请_{year}.csv", frame, date(year + 1, 1, 10))
    banks = [b.profile for b in books]
    for period in month_ends(max(months[0], PLAN_START), last):
        month_rng = np.random.default_rng([seed, 4222, period.year, period.month])
        frame = _bridges(register, banks, period, month_rng)
        if frame.height:
            yield _write(out_dir, f"应急转贷_{period:%Y%m}.csv", frame, period + timedelta(days=8))
        frame = _compensations(filed, period, month_rng)
        if frame.height:
            yield _write(out_dir, f"担保代偿_{period:%Y%m}.csv", frame, period + timedelta(days=8))
    for period, frame in _pushes(register, banks, last, rng):
        yield _write(out_dir, f"白名单推送_{period:%Y%m}.csv", frame, period + timedelta(days=8))


def _filed_loans(books: list[BankBook], months: list[date], firms: Enterprises) -> pl.DataFrame:
    """Every CNY loan whose issue month the bank filed, with the month-ends it was filed in:
    a loan filed at its issue month-end shows its full amount there (nothing amortised)."""
    parts = []
    for entry in books:
        profile, book = entry.profile, entry.book
        first = max(months[0], profile.active_from or months[0])
        issued = book.filter(
            (pl.col("currency") == "CNY")
            & (pl.col("issue_date").dt.month_end() >= first)
            & (pl.col("issue_date").dt.month_end() <= months[-1])
        )
        parts.append(
            issued.select(
                pl.lit(profile.code).alias("bank_code"),
                "loan_id",
                "borrower",
                "issue_date",
                "maturity_date",
                "amount_cny",
                "interest_rate",
                "product",
                "five_class",
            )
        )
    loans = pl.concat(parts)
    idx = loans["borrower"].to_numpy()
    return loans.with_columns(
        pl.Series("uscc", firms.uscc[idx]),
        pl.Series("name", firms.name[idx]),
    ).sort("bank_code", "loan_id")


def _claims(
    filed: pl.DataFrame, year: int, guarantor_uscc: list[str], rng: np.random.Generator
) -> pl.DataFrame:
    """A year's claims on 技改专项贷 loans issued that year: interest at the loan's rate for
    the months it ran, fees at the guarantor's rate. One claim is for a loan issued too late
    to pay interest (not eligible); one enterprise's major project passes the 1000万 cap,
    with the main guarantor passing its 100万 cap — its interest and fees are set high on
    purpose, since no sample loan is big enough to reach the caps on its own."""
    tech = filed.filter(
        (pl.col("product") == TECH_LOAN) & (pl.col("issue_date").dt.year() == year)
    ).sort("loan_id")
    if tech.height < 4:
        return pl.DataFrame()
    # The major project: an enterprise with two 技改专项贷 loans that year if there is one
    # (two claims share the cap), else a single large claim.
    counts = tech.group_by("uscc").len().filter(pl.col("len") >= 2).sort("uscc")
    major_uscc = counts["uscc"][0] if counts.height else tech["uscc"][0]
    major = tech.filter(pl.col("uscc") == major_uscc).head(2)
    others = tech.filter(pl.col("uscc") != major_uscc)
    picks = others.sample(n=min(12, others.height), seed=int(rng.integers(1 << 31)))
    rows = []
    for n, loan in enumerate(pl.concat([major, picks.sort("loan_id")]).iter_rows(named=True)):
        is_major = n < major.height
        ends = min(loan["maturity_date"], date(year, 12, 31))
        months = (ends.year - loan["issue_date"].year) * 12 + ends.month - loan["issue_date"].month
        interest = loan["amount_cny"] * loan["interest_rate"] / 100 * max(0, months) / 12
        project = PROJECTS[n % len(PROJECTS)]
        guaranteed = is_major or rng.random() < 0.5
        guarantor = 0 if is_major else int(rng.integers(0, len(GUARANTORS)))
        fee_rate = 0.8 if is_major else float(rng.choice(FEE_RATES, p=FEE_WEIGHTS))
        fee = loan["amount_cny"] * fee_rate / 100 * max(0, months) / 12
        if is_major:
            project = "整线智能化改造（重大项目）"
            interest, fee = 2.4e7 / major.height, 3.0e6 / major.height
        elif n == major.height:
            interest, fee = 0.0, 0.0  # issued late in the year: nothing paid yet
        rows.append(
            {
                "claim_id": f"SC{year}{n + 1:04d}",
                "year": str(year),
                "enterprise_uscc": loan["uscc"],
                "enterprise_name": loan["name"],
                "project_name": project,
                "bank_code": loan["bank_code"],
                "loan_id": loan["loan_id"],
                "loan_amount": f"{loan['amount_cny']:.2f}",
                "actual_rate": f"{loan['interest_rate']:.2f}",
                "interest_paid": f"{interest:.2f}",
                "guarantor_uscc": guarantor_uscc[guarantor] if guaranteed else "",
                "guarantor_name": GUARANTORS[guarantor] if guaranteed else "",
                "guarantee_fee_rate": f"{fee_rate:.2f}" if guaranteed else "",
                "guarantee_fee_paid": f"{fee:.2f}" if guaranteed else "",
            }
        )
    return zh_frame(subsidy_claims.COLUMNS, {k: [r[k] for r in rows] for k in rows[0]})


def _bridges(
    register: Register, banks: list[BankProfile], period: date, rng: np.random.Generator
) -> pl.DataFrame:
    """A month's bridge loans: most under 3000万; now and then a large one, within 8000万
    for a 双百 enterprise and over the cap for another; 专精特新 enterprises pay no fee, and
    one in five is charged all the same (what the mart flags)."""
    active = [b for b in banks if b.active_from is None or b.active_from <= period]
    count = int(rng.poisson(1.6))
    rows = []
    for k in range(count):
        i = int(rng.integers(0, len(register.uscc)))
        large = rng.random() < 0.12
        amount = float(rng.uniform(3.5e7, 9.0e7) if large else rng.lognormal(np.log(1.2e7), 0.6))
        start = day_in(period, rng)
        days = int(rng.integers(5, 31))
        waived = "专精特新" in register.designations[i]
        due = 0.0 if waived else amount * BRIDGE_FEE_RATE / 100 * days / 365
        charged = (
            amount * BRIDGE_FEE_RATE / 100 * days / 365 if waived and rng.random() < 0.2 else due
        )
        rows.append(
            {
                "bridge_id": f"BL{period:%Y%m}{k + 1:03d}",
                "enterprise_uscc": register.uscc[i],
                "bank_code": active[int(rng.integers(0, len(active)))].code,
                "amount": f"{amount:.2f}",
                "start_date": f"{start:%Y-%m-%d}",
                "end_date": f"{start + timedelta(days=days):%Y-%m-%d}",
                "fee_rate": f"{BRIDGE_FEE_RATE:.2f}",
                "fee_charged": f"{charged:.2f}",
            }
        )
    if not rows:
        return pl.DataFrame()
    return zh_frame(bridge_loans.COLUMNS, {k: [r[k] for r in rows] for k in rows[0]})


def _compensations(filed: pl.DataFrame, period: date, rng: np.random.Generator) -> pl.DataFrame:
    """A quarter's compensations (in its last month): loans graded 次级, 可疑 or 损失 that the
    bank filed before the month, part of the loan lost."""
    if period.month % 3:
        return pl.DataFrame()
    bad = filed.filter(
        pl.col("five_class").is_in(["次级", "可疑", "损失"])
        & (pl.col("issue_date").dt.month_end() < period)
        & (pl.col("maturity_date") > pl.col("issue_date").dt.month_end())
    )
    count = min(int(rng.integers(1, 4)), bad.height)
    if not count:
        return pl.DataFrame()
    rows = []
    for k, loan in enumerate(
        bad.sample(n=count, seed=int(rng.integers(1 << 31))).iter_rows(named=True)
    ):
        rows.append(
            {
                "case_id": f"GC{period:%Y%m}{k + 1:03d}",
                "bank_code": loan["bank_code"],
                "loan_id": loan["loan_id"],
                "enterprise_uscc": loan["uscc"],
                "direct_guarantor": GUARANTORS[int(rng.integers(0, len(GUARANTORS)))],
                "compensation_date": f"{day_in(period, rng):%Y-%m-%d}",
                "loss_amount": f"{loan['amount_cny'] * rng.uniform(0.3, 1.0):.2f}",
            }
        )
    return zh_frame(guarantee_compensations.COLUMNS, {k: [r[k] for r in rows] for k in rows[0]})


def _pushes(
    register: Register, banks: list[BankProfile], last: date, rng: np.random.Generator
) -> Iterator[tuple[date, pl.DataFrame]]:
    """Each white-listed enterprise pushed to a bank in the month it joined the list, then
    followed: most are contacted, about two in three of those approved and most of those
    lent to; one in ten found not eligible. Each month's file holds that month's changes."""
    events: list[dict] = []
    for i, joined in enumerate(register.whitelisted_from):
        if joined is None or joined > last:
            continue
        active = [b for b in banks if b.active_from is None or b.active_from <= joined]
        bank = active[int(rng.integers(0, len(active)))].code
        pushed = day_in(joined, rng)
        push = {"push_id": f"WP{pushed:%Y%m}{i:05d}", "uscc": register.uscc[i], "bank": bank}
        steps = [("已推送", pushed, None)]
        when = pushed + timedelta(days=int(rng.integers(3, 21)))
        if rng.random() < 0.85:
            steps.append(("已对接", when, None))
            when += timedelta(days=int(rng.integers(10, 41)))
            draw = rng.random()
            amount = float(rng.lognormal(np.log(1.0e7), 0.6))
            if draw < 0.1:
                steps.append(("不符合条件", when, None))
            elif draw < 0.75:
                steps.append(("已授信", when, amount))
                when += timedelta(days=int(rng.integers(5, 31)))
                if rng.random() < 0.85:
                    steps.append(("已放款", when, round(amount * rng.uniform(0.6, 1.0), 2)))
        events += [{**push, "status": s, "date": d, "amount": a} for s, d, a in steps if d <= last]
    by_month: dict[date, list[dict]] = {}
    for event in events:
        by_month.setdefault(month_end_on(event["date"]), []).append(event)
    for period in sorted(by_month):
        rows = sorted(by_month[period], key=lambda e: (e["date"], e["push_id"]))
        first = {e["push_id"]: e["date"] for e in events if e["status"] == "已推送"}
        yield (
            period,
            zh_frame(
                whitelist_pushes.COLUMNS,
                {
                    "push_id": [e["push_id"] for e in rows],
                    "enterprise_uscc": [e["uscc"] for e in rows],
                    "bank_code": [e["bank"] for e in rows],
                    "push_date": [f"{first[e['push_id']]:%Y-%m-%d}" for e in rows],
                    "status": [e["status"] for e in rows],
                    "status_date": [f"{e['date']:%Y-%m-%d}" for e in rows],
                    "amount": ["" if e["amount"] is None else f"{e['amount']:.2f}" for e in rows],
                },
            ),
        )


def _write(out_dir: Path, name: str, frame: pl.DataFrame, sent_on: date) -> Path:
    path = out_dir / name
    write_table(frame, path, "csv_bom_zh")
    sent = datetime.combine(sent_on, datetime.min.time(), UTC)
    os.utime(path, (sent.timestamp(), sent.timestamp()))
    return path
