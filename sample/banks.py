"""The sample banks' monthly `loans` and `loan_totals` files, written the way banks really
send them (UTF-8 and GBK CSV, XLSX with a title block and 万元, Parquet).

Each bank owns a book of loans issued month by month; a month's file is the snapshot of the
loans alive at its month-end. Banks differ on purpose: some raise their manufacturing share,
some let it fall; medium/long-term and credit shares drift; a few loans are in foreign
currency."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import numpy as np
import polars as pl

from ingest.loan_totals import COLUMNS as TOTAL_COLUMNS
from ingest.loans import COLUMNS as LOAN_COLUMNS
from ingest.reference import load_reference
from sample.config import SampleConfig
from sample.population import SUFFIX, Enterprises, write_table

log = logging.getLogger(__name__)

PRODUCTS = ["技改专项贷", "知识产权贷", "订单贷", "专精特新贷", "商业价值信用贷", "渝链贷"]
GUARANTEE_CODES = ["A", "B01", "B99", "C01", "C99", "E", "Z"]
GUARANTEE_WEIGHTS = [0.10, 0.22, 0.10, 0.08, 0.32, 0.15, 0.03]
GUARANTEE_WORD_OF = {"A": "质押", "B": "抵押", "C": "保证", "D": "信用", "E": "组合", "Z": "其他"}
SCALE_WORD_OF = {"CS01": "大型", "CS02": "中型", "CS03": "小型", "CS04": "微型"}
FOREIGN = ["USD", "EUR", "HKD", "JPY"]
# Relative book size by bank type.
TYPE_WEIGHT = {
    "国有大型商业银行": 1.5,
    "股份制商业银行": 1.1,
    "城市商业银行": 1.2,
    "农村商业银行": 1.0,
    "村镇银行": 0.5,
    "外资银行": 0.5,
}
# Typical loan size by bank type, 元: village banks lend small, big banks large.
TYPE_LOAN_SIZE = {
    "国有大型商业银行": 3.5e7,
    "股份制商业银行": 2.5e7,
    "城市商业银行": 2.0e7,
    "农村商业银行": 1.2e7,
    "村镇银行": 2.5e6,
    "外资银行": 2.0e7,
}
# How each bank sends its files, by position in the registry.
FORMATS = ("csv_en", "csv_bom_zh", "csv_gbk_zh", "xlsx_zh", "parquet_en")
SHORT_TERMS = np.array([3, 6, 6, 9, 12, 12, 12])
LONG_TERMS = np.array([18, 24, 24, 36, 36, 36, 48, 60, 60, 72, 84, 96, 120])


@dataclass(frozen=True)
class BankProfile:
    """How one fictional bank behaves over time."""

    code: str
    name: str
    bank_type: str
    format: str
    size: int
    mfg_start: float
    mfg_trend: float
    mlt_start: float
    mlt_trend: float
    credit_start: float
    credit_trend: float
    growth: float
    corporate_ratio: float
    foreign_share: float
    punctuality: float
    # The first month-end the registry expects the bank's files (seed banks.active_from).
    active_from: date | None = None


def bank_profiles(config: SampleConfig, rng: np.random.Generator) -> list[BankProfile]:
    """The first `config.banks` registered sample banks with their behaviours."""
    # Interleave bank types so that even a small sample spans every type.
    banks = (
        load_reference()
        .banks.filter(pl.col("is_sample") == "true")
        .with_columns(pl.int_range(pl.len()).over("bank_type").alias("_rank"))
        .sort("_rank", maintain_order=True)
    )
    if config.banks > banks.height:
        raise ValueError(
            f"样例最多 {banks.height} 家银行 / the sample has at most {banks.height} banks"
        )
    profiles = []
    for i, row in enumerate(banks.head(config.banks).iter_rows(named=True)):
        foreign = row["bank_type"] == "外资银行"
        profiles.append(
            BankProfile(
                code=row["bank_code"],
                name=row["bank_name"],
                bank_type=row["bank_type"],
                format=FORMATS[i % len(FORMATS)],
                size=max(
                    20,
                    int(
                        config.loans_per_bank
                        * TYPE_WEIGHT[row["bank_type"]]
                        * rng.uniform(0.8, 1.2)
                    ),
                ),
                mfg_start=rng.uniform(0.09, 0.24),
                # Alternate raisers and fallers so the sample shows both (plan 二、(二)).
                mfg_trend=rng.uniform(0.005, 0.025) if i % 3 != 1 else rng.uniform(-0.025, -0.005),
                # Issuance shares: long loans stay on the book far longer than short ones, so
                # ~20% of issuance makes ~50% of the manufacturing book medium/long-term.
                mlt_start=rng.uniform(0.12, 0.3),
                mlt_trend=rng.uniform(-0.02, 0.04),
                credit_start=rng.uniform(0.08, 0.25),
                credit_trend=rng.uniform(-0.02, 0.04),
                growth=rng.uniform(0.02, 0.12),
                corporate_ratio=rng.uniform(0.5, 0.72),
                foreign_share=0.15 if foreign else rng.choice([0.0, 0.01, 0.03]),
                punctuality=rng.choice([0.99, 0.95, 0.85]),
                active_from=date.fromisoformat(row["active_from"]) if row["active_from"] else None,
            )
        )
    return profiles


def _month_index(d: date) -> int:
    return d.year * 12 + d.month - 1


def loan_book(
    profile: BankProfile,
    enterprises: Enterprises,
    months: list[date],
    rng: np.random.Generator,
) -> pl.DataFrame:
    """Every loan the bank issued from ten years before the first month to the last."""
    last = _month_index(months[-1])
    first_issue = _month_index(months[0]) - 120
    issue_months = np.arange(first_issue, last + 1)
    mean_term = 0.45 * SHORT_TERMS.mean() + 0.55 * LONG_TERMS.mean()
    years_from_end = (issue_months - last) / 12
    intensity = profile.size / mean_term * (1 + profile.growth) ** years_from_end
    # Whole loans per month from the running total, so book size follows the trend without
    # Poisson noise; likewise the manufacturing, MLT and credit draws below are quasi-random
    # (Weyl sequences) so that a bank's shares move with its profile, not with dice.
    cumulative = np.floor(np.cumsum(intensity) + rng.uniform())
    counts = np.diff(np.concatenate([[0.0], cumulative])).astype(int)
    month_of = np.repeat(issue_months, counts)
    n = month_of.size
    k = np.arange(n)
    # Drifts are anchored at 2024-01, the plan's start, and clipped to stay believable.
    years = (month_of - (2024 * 12)) / 12
    mfg_p = np.clip(profile.mfg_start + profile.mfg_trend * years, 0.03, 0.6)
    is_mfg_loan = _weyl(k, 0.6180339887, rng) < mfg_p
    mlt_p = np.where(
        is_mfg_loan, np.clip(profile.mlt_start + profile.mlt_trend * years, 0.05, 0.6), 0.25
    )
    is_long = _weyl(k, 0.4142135623, rng) < mlt_p
    term = np.where(is_long, rng.choice(LONG_TERMS, n), rng.choice(SHORT_TERMS, n))
    credit_p = np.where(
        is_mfg_loan, np.clip(profile.credit_start + profile.credit_trend * years, 0.02, 0.8), 0.2
    )
    guarantee = np.where(
        _weyl(k, 0.7320508075, rng) < credit_p,
        "D",
        rng.choice(GUARANTEE_CODES, n, p=GUARANTEE_WEIGHTS),
    )
    mfg_pool = np.flatnonzero(enterprises.is_mfg)
    other_pool = np.flatnonzero(~enterprises.is_mfg)
    borrower = np.where(is_mfg_loan, rng.choice(mfg_pool, n), rng.choice(other_pool, n))
    day = rng.integers(1, 29, n)
    issue = pl.Series(
        [date(m // 12, m % 12 + 1, int(d)) for m, d in zip(month_of, day, strict=True)],
        dtype=pl.Date,
    )
    # A few loans of exactly one year and one day: medium/long-term by the calendar rule.
    extra_day = (term == 12) & (rng.random(n) < 0.05)
    amount = np.clip(
        rng.lognormal(np.log(TYPE_LOAN_SIZE[profile.bank_type]), 0.5, n), 1e5, 2e9
    ).round(2)
    foreign = rng.random(n) < profile.foreign_share
    currency = np.where(foreign, rng.choice(FOREIGN, n, p=[0.7, 0.15, 0.1, 0.05]), "CNY")
    rate = np.round(rng.normal(3.9, 0.6, n).clip(2.2, 7.5), 2)
    five = rng.choice(
        ["正常", "关注", "次级", "可疑", "损失"], n, p=[0.955, 0.03, 0.008, 0.005, 0.002]
    )
    product = pl.Series(
        np.where(is_mfg_loan & (rng.random(n) < 0.35), rng.choice(PRODUCTS, n), "")
    ).replace("", None)
    book = pl.DataFrame(
        {
            "loan_id": [
                f"{profile.code[-6:]}{m // 12}{m % 12 + 1:02d}{i:06d}"
                for i, m in enumerate(month_of)
            ],
            "issue_date": issue,
            "term": term,
            "extra_day": extra_day,
            "borrower": borrower,
            "guarantee": guarantee,
            "amount_cny": amount,
            "currency": currency,
            "interest_rate": rate,
            "five_class": five,
            "product": product,
        }
    )
    return book.with_columns(
        (
            pl.col("issue_date").dt.offset_by(pl.format("{}mo", pl.col("term")))
            + pl.duration(days=pl.col("extra_day").cast(pl.Int64))
        ).alias("maturity_date")
    )


def _weyl(k: np.ndarray, step: float, rng: np.random.Generator) -> np.ndarray:
    """An evenly spread sequence in [0, 1) with a random start."""
    return (rng.uniform() + k * step) % 1.0


def snapshot(
    book: pl.DataFrame,
    profile: BankProfile,
    enterprises: Enterprises,
    period: date,
    fx: pl.DataFrame,
) -> pl.DataFrame:
    """The loans alive at `period`'s month-end, with their month-end balances."""
    alive = book.filter((pl.col("issue_date") <= period) & (pl.col("maturity_date") > period))
    elapsed = (period.year * 12 + period.month) - (
        pl.col("issue_date").dt.year() * 12 + pl.col("issue_date").dt.month()
    )
    # Medium/long-term loans amortise; short-term loans are bullet.
    remaining = (
        pl.when(pl.col("term") > 12)
        .then((1 - 0.8 * elapsed / pl.col("term")).clip(0.2, 1.0))
        .otherwise(1.0)
    )
    at_issue = fx.rename({"period": "issue_month_end", "rate_to_cny": "rate_at_issue"})
    now = fx.filter(pl.col("period") == period).select(
        "currency", pl.col("rate_to_cny").alias("rate_now")
    )
    frame = (
        alive.with_columns(pl.col("issue_date").dt.month_end().alias("issue_month_end"))
        .join(at_issue, on=["currency", "issue_month_end"], how="left")
        .join(now, on="currency", how="left")
        .with_columns(
            pl.col("rate_at_issue").fill_null(1.0),
            pl.col("rate_now").fill_null(1.0),
        )
        .with_columns(
            (pl.col("amount_cny") / pl.col("rate_at_issue") * remaining).round(2).alias("balance")
        )
        .with_columns((pl.col("balance") * pl.col("rate_now")).round(2).alias("balance_cny"))
        .drop("issue_month_end", "rate_at_issue", "rate_now")
    )
    idx = frame["borrower"].to_numpy()
    return frame.with_columns(
        pl.lit(profile.code).alias("bank_code"),
        pl.lit(period).alias("report_period"),
        pl.Series("borrower_uscc", enterprises.uscc[idx]),
        pl.Series("borrower_name", enterprises.name[idx]),
        pl.Series("industry_code", enterprises.industry_code[idx]),
        pl.Series("division", enterprises.division[idx]),
        pl.Series("enterprise_scale", enterprises.scale[idx]),
    ).sort("loan_id")


def totals_for(
    loans: pl.DataFrame, profile: BankProfile, period: date, rng: np.random.Generator
) -> dict[str, float]:
    """The bank's own month-end aggregates, consistent with its loan-level file."""
    corporate = float(loans["balance_cny"].sum()) * (1 + rng.uniform(0, 0.002))
    mfg = float(
        loans.filter(pl.col("division").cast(pl.Int32).is_between(13, 43))["balance_cny"].sum()
    )
    years = (_month_index(period) - 2024 * 12) / 12
    ratio = profile.corporate_ratio * (1 + 0.01 * np.sin(years * 2.1 + len(profile.code)))
    total = corporate / ratio
    return {
        "total_loans": round(total, 2),
        "total_mlt_loans": round(total * rng.uniform(0.58, 0.66), 2),
        "total_credit_loans": round(total * rng.uniform(0.26, 0.34), 2),
        "corporate_loans": round(corporate, 2),
        "mfg_loans_reported": round(mfg * (1 + rng.uniform(-0.001, 0.001)), 2),
    }


def _headers(columns, chinese: bool) -> dict[str, str]:
    return {c.name: (c.zh if chinese else c.name) for c in columns}


def _two_decimals(column: str) -> pl.Expr:
    """A number as text with exactly two decimals, as banks' systems write money."""
    return pl.col(column).round(2).cast(pl.Decimal(20, 2)).cast(pl.String)


def render_loans(frame: pl.DataFrame, fmt: str) -> pl.DataFrame:
    """The loan snapshot as this bank writes it: its vocabulary, date style and headers."""
    guarantee = pl.col("guarantee")
    base = {
        "bank_code": pl.col("bank_code"),
        "report_period": pl.col("report_period").dt.strftime("%Y-%m"),
        "loan_id": pl.col("loan_id"),
        "borrower_uscc": pl.col("borrower_uscc"),
        "borrower_name": pl.col("borrower_name"),
        "industry_code": pl.concat_str(pl.lit("C"), pl.col("industry_code")),
        "enterprise_scale": pl.col("enterprise_scale"),
        "product": pl.col("product"),
        "issue_date": pl.col("issue_date").dt.strftime("%Y-%m-%d"),
        "maturity_date": pl.col("maturity_date").dt.strftime("%Y-%m-%d"),
        "guarantee_type": guarantee,
        "currency": pl.col("currency"),
        "balance": _two_decimals("balance"),
        "balance_cny": _two_decimals("balance_cny"),
        "interest_rate": _two_decimals("interest_rate"),
        "five_class": pl.col("five_class"),
    }
    section = pl.when(pl.col("division").cast(pl.Int32).is_between(13, 43)).then(pl.lit("C"))
    letters = section.otherwise(
        pl.col("division").replace_strict(_SECTION_OF, default="Z", return_dtype=pl.String)
    )
    base["industry_code"] = pl.concat_str(letters, pl.col("industry_code"))
    if fmt == "csv_bom_zh":
        base.update(
            issue_date=pl.col("issue_date").dt.strftime("%Y/%m/%d"),
            maturity_date=pl.col("maturity_date").dt.strftime("%Y/%m/%d"),
            guarantee_type=guarantee.str.slice(0, 1).replace_strict(GUARANTEE_WORD_OF),
            industry_code=pl.col("industry_code"),
            enterprise_scale=pl.col("enterprise_scale").replace_strict(SCALE_WORD_OF),
            # No Polars expression writes thousands separators; the sample is small.
            balance=pl.col("balance").map_elements(lambda v: f"{v:,.2f}", return_dtype=pl.String),
        )
        base.pop("balance_cny")
    elif fmt == "csv_gbk_zh":
        base.update(
            report_period=pl.col("report_period").dt.strftime("%Y%m"),
            issue_date=pl.col("issue_date").dt.strftime("%Y%m%d"),
            maturity_date=pl.col("maturity_date").dt.strftime("%Y%m%d"),
            industry_code=pl.concat_str(letters, pl.col("division")),
        )
    elif fmt == "parquet_en":
        base.update(
            issue_date=pl.col("issue_date"),
            maturity_date=pl.col("maturity_date"),
            balance=pl.col("balance").cast(pl.Decimal(18, 2)),
            balance_cny=pl.col("balance_cny").cast(pl.Decimal(18, 2)),
            interest_rate=pl.col("interest_rate"),
        )
    out = frame.select(expr.alias(name) for name, expr in base.items())
    chinese = fmt.endswith("_zh")
    return out.rename(_headers(LOAN_COLUMNS, chinese), strict=False)


_SECTION_OF = {
    "01": "A",
    "06": "B",
    "44": "D",
    "47": "E",
    "48": "E",
    "51": "F",
    "52": "F",
    "54": "G",
    "59": "G",
    "61": "H",
    "62": "H",
    "64": "I",
    "65": "I",
    "70": "K",
    "72": "L",
    "73": "M",
    "78": "N",
    "87": "R",
}


def _loans_for_xlsx(frame: pl.DataFrame) -> pl.DataFrame:
    """XLSX banks report amounts in 万元 and dates as real Excel dates."""
    return frame.with_columns(
        pl.col("贷款余额").cast(pl.Float64) / 10_000,
        pl.col("贷款余额折人民币").cast(pl.Float64) / 10_000,
        pl.col("执行利率(%)").cast(pl.Float64),
        pl.col("贷款发放日期").str.to_date(),
        pl.col("贷款到期日期").str.to_date(),
    )


def write_month(out_dir, profile, book, enterprises, period, fx, rng) -> Iterator[Path]:
    loans = snapshot(book, profile, enterprises, period, fx)
    totals = totals_for(loans, profile, period, rng)
    fmt = profile.format
    stamp = period.strftime("%Y%m")
    rendered = render_loans(loans, fmt)
    chinese = fmt.endswith("_zh")
    totals_frame = pl.DataFrame(
        {
            "bank_code": [profile.code],
            "report_period": [period.strftime("%Y-%m")],
            **{k: [f"{v:.2f}"] for k, v in totals.items()},
        }
    ).rename(_headers(TOTAL_COLUMNS, chinese))
    loans_name, totals_name = ("对公贷款借据", "各项贷款") if chinese else ("loans", "loan_totals")
    loans_path = out_dir / f"{loans_name}_{profile.code}_{stamp}{SUFFIX[fmt]}"
    totals_path = out_dir / f"{totals_name}_{profile.code}_{stamp}{SUFFIX[fmt]}"
    if fmt == "xlsx_zh":
        title = f"{profile.name}对公贷款借据明细（{period.year}年{period.month}月）"
        write_table(_loans_for_xlsx(rendered), loans_path, fmt, title, wan=True)
        # Aggregates carry their unit in each header instead of a note.
        wan_totals = totals_frame.with_columns(
            (pl.col(c).cast(pl.Float64) / 10_000) for c in totals_frame.columns[2:]
        ).rename({c: f"{c}(万元)" for c in totals_frame.columns[2:]})
        write_table(wan_totals, totals_path, fmt, f"{profile.name}各项贷款（{period:%Y-%m}）")
    else:
        write_table(rendered, loans_path, fmt)
        write_table(totals_frame, totals_path, fmt)
    sent = sent_at(period, profile, rng)
    for path in (loans_path, totals_path):
        os.utime(path, (sent.timestamp(), sent.timestamp()))
        yield path


def sent_at(period: date, profile: BankProfile, rng: np.random.Generator) -> datetime:
    """When the bank sent the month's files (the files' modification time): usually a few
    days into the following month, now and then after the 15th, the due day."""
    year, month = (period.year + 1, 1) if period.month == 12 else (period.year, period.month + 1)
    late = rng.random() > profile.punctuality
    day = int(rng.integers(16, 26) if late else rng.integers(3, 15))
    hour = int(rng.integers(1, 10))  # 09:00–18:00 Beijing time, in UTC
    return datetime(year, month, day, hour, int(rng.integers(0, 60)), tzinfo=UTC)
