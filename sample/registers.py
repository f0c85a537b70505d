"""The built-in sample's register files (contract §3.3): the enterprise register, bond issues,
listing-cultivation events, fund deals and engagement events, month by month from the
plan's start, for the sample's manufacturing enterprises. Sized so that some plan targets
are on track and some behind (bonds and engagements ahead of pace; fund investment,
hard-tech help and the listing reserve behind)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np
import polars as pl

from ingest import bonds, engagements, enterprises, fund_investments, ipos
from sample.population import DISTRICTS, Enterprises, write_table

PLAN_START = date(2024, 1, 31)
# Typical 33618 cluster of a manufacturing division, as a register would name it.
CLUSTER_OF_DIVISION = {
    "36": "智能网联新能源汽车",
    "39": "新一代电子信息制造业",
    "26": "先进材料",
    "30": "先进材料",
    "31": "先进材料",
    "32": "轻合金材料",
    "34": "智能装备及智能制造",
    "35": "智能装备及智能制造",
    "13": "食品及农产品加工",
    "14": "食品及农产品加工",
    "15": "食品及农产品加工",
    "27": "生物医药",
    "17": "轻纺",
    "18": "轻纺",
    "37": "高端摩托车",
    "38": "新能源及新型储能",
}
FUND_MANAGERS = (
    "重庆产业引导股权投资基金有限责任公司",
    "重庆科技创新投资管理有限公司",
    "两江新区产业发展基金管理有限公司",
)
FUND_NAMES = {
    FUND_MANAGERS[0]: ("重庆市产业引导基金", "市级母基金"),
    FUND_MANAGERS[1]: ("重庆种子天使基金", "天使"),
    FUND_MANAGERS[2]: ("两江智能制造专项子基金", "专项子基金"),
}
BOND_MARKET = {
    "中期票据": "银行间",
    "短期融资券": "银行间",
    "超短期融资券": "银行间",
    "定向工具": "银行间",
    "公司债": "上交所",
    "企业债": "银行间",
    "资产支持证券": "深交所",
    "境外债": "境外",
}
LISTING = (
    ("上交所", "主板"),
    ("上交所", "科创板"),
    ("深交所", "主板"),
    ("深交所", "创业板"),
    ("北交所", "北交所"),
)


@dataclass(frozen=True)
class Register:
    """The sample's manufacturing enterprises with what the register says of them."""

    uscc: np.ndarray
    name: np.ndarray
    district: np.ndarray
    industry_code: np.ndarray
    cluster: np.ndarray  # the register's own cluster, or "" (then the code decides)
    designations: np.ndarray
    whitelisted_from: list[date | None]


def register_of(firms: Enterprises, rng: np.random.Generator) -> Register:
    """The manufacturing part of the sample's enterprises as the commission registers it."""
    keep = np.flatnonzero(firms.is_mfg)
    division = firms.division[keep]
    own_cluster = rng.random(len(keep)) < 0.35
    cluster = np.array(
        [
            CLUSTER_OF_DIVISION.get(d, "") if own else ""
            for d, own in zip(division, own_cluster, strict=True)
        ]
    )
    titles = [
        [
            t
            for t, p in (
                ("专精特新", 0.25),
                ("高新技术企业", 0.4),
                ("瞪羚", 0.05),
                ("专精特新小巨人", 0.04),
                ("链主", 0.02),
            )
            if rng.random() < p
        ]
        for _ in keep
    ]
    # A few 独角兽 and 双百 enterprises for the plan's rewards and bridge-loan caps, picked by
    # position so that the random draws (and every other register fact) stay as they were.
    for j, held in enumerate(titles):
        if j % 89 == 7:
            held.append("独角兽")
        if j % 41 == 3:
            held.append("双百")
    months = month_ends(PLAN_START, date(2026, 10, 31))
    whitelisted = [
        months[int(rng.integers(0, len(months)))] if rng.random() < 0.2 else None for _ in keep
    ]
    return Register(
        uscc=firms.uscc[keep],
        name=firms.name[keep],
        district=np.array([DISTRICTS[u[2:8]] for u in firms.uscc[keep]]),
        industry_code=np.array([f"C{code}" for code in firms.industry_code[keep]]),
        cluster=cluster,
        designations=np.array(["、".join(t) for t in titles]),
        whitelisted_from=whitelisted,
    )


def generate_registers(
    out_dir: Path, firms: Enterprises, start: date, end: date, seed: int
) -> Iterator[Path]:
    """Every register file from the plan's start (or `start`, if later) to `end`."""
    rng = np.random.default_rng([seed, 33618])
    register = register_of(firms, rng)
    months = month_ends(max(start, PLAN_START), end)
    track = _ipo_track(register, months, rng)
    for period in months:
        month_rng = np.random.default_rng([seed, period.year, period.month])
        listed = {u for u, stage, when, *_ in track if stage == "上市" and when <= period}
        yield _write(
            out_dir,
            f"企业名录_{period:%Y%m}.csv",
            _register_frame(register, period, listed),
            period,
        )
        yield _write(
            out_dir,
            f"债券融资_{period:%Y%m}.xlsx",
            _bonds_frame(register, period, month_rng),
            period,
            "亿元",
        )
        events = [e for e in track if month_end_on(e[2]) == period]
        if events:
            yield _write(
                out_dir, f"上市培育_{period:%Y%m}.csv", _ipo_frame(events, register), period
            )
        for n, manager in enumerate(FUND_MANAGERS, start=1):
            frame = _fund_frame(register, period, manager, n, month_rng)
            if frame.height:
                yield _write(out_dir, f"基金投资_{n}_{period:%Y%m}.csv", frame, period)
        yield _write(
            out_dir,
            f"对接活动_{period:%Y%m}.csv",
            _engagement_frame(register, period, month_rng),
            period,
        )


def month_ends(first: date, last: date) -> list[date]:
    """Every month-end from `first`'s month to `last`."""
    out, current = [], month_end_on(first)
    while current <= last:
        out.append(current)
        current = month_end_on(current + timedelta(days=1))
    return out


def month_end_on(day: date) -> date:
    """The month-end of `day`'s month."""
    following = date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return following - timedelta(days=1)


def day_in(period: date, rng: np.random.Generator) -> date:
    """A random day of the month ending on `period`."""
    return period.replace(day=int(rng.integers(1, period.day + 1)))


def zh_frame(kind_columns, frame: dict[str, list]) -> pl.DataFrame:
    """Columns of text under the kind's Chinese headers, as the commission's files carry them."""
    zh = {c.name: c.zh for c in kind_columns}
    return pl.DataFrame(
        {zh[k]: v for k, v in frame.items()}, schema={zh[k]: pl.String for k in frame}
    )


def _register_frame(register: Register, period: date, listed: set[str]) -> pl.DataFrame:
    return zh_frame(
        enterprises.COLUMNS,
        {
            "uscc": list(register.uscc),
            "name": list(register.name),
            "district": list(register.district),
            "industry_code": list(register.industry_code),
            "cluster_33618": list(register.cluster),
            "designations": list(register.designations),
            "listed": ["是" if u in listed else "否" for u in register.uscc],
            "whitelist": [
                "是" if w is not None and w <= period else "否" for w in register.whitelisted_from
            ],
            "as_of": [f"{period:%Y-%m-%d}"] * len(register.uscc),
        },
    )


def _bonds_frame(register: Register, period: date, rng: np.random.Generator) -> pl.DataFrame:
    rows = []
    types = list(BOND_MARKET)
    for n in range(int(rng.integers(3, 6))):
        i = int(rng.integers(0, len(register.uscc)))
        kind = types[int(rng.choice(len(types), p=[0.3, 0.08, 0.1, 0.1, 0.2, 0.07, 0.1, 0.05]))]
        labels = [x for x, p in (("科技创新", 0.25), ("绿色", 0.15)) if rng.random() < p]
        amount_yi = round(float(rng.uniform(0.5, 3.5)), 2)
        currency = "USD" if kind == "境外债" else "CNY"
        rows.append(
            {
                "filing_id": f"BD{period:%Y%m}{n + 1:03d}",
                "issuer_uscc": register.uscc[i],
                "issuer_name": register.name[i],
                "bond_name": f"{period:%y}{register.name[i][2:4]}{kind[:2]}{n + 1:03d}",
                "bond_type": kind,
                "labels": "、".join(labels),
                "market": BOND_MARKET[kind],
                "issue_date": f"{day_in(period, rng):%Y-%m-%d}",
                "term_years": str(int(rng.choice([1, 2, 3, 3, 5, 5, 7, 10]))),
                # 境外债 amounts are in USD: a seventh of the CNY size keeps the money alike.
                "amount": f"{amount_yi / (7 if currency == 'USD' else 1):.4f}",
                "currency": currency,
                "coupon_rate": f"{rng.uniform(1.8, 4.6):.2f}",
                "lead_underwriter": str(
                    rng.choice(["重庆银行", "中信证券", "西南证券", "招商银行"])
                ),
            }
        )
    return zh_frame(bonds.COLUMNS, {k: [r[k] for r in rows] for k in rows[0]})


def _ipo_track(register: Register, months: list[date], rng: np.random.Generator) -> list[tuple]:
    """(uscc, stage, date, exchange, board, code, raised) for enterprises that set out on the
    IPO track, each stage some months after the one before; a few list."""
    events = []
    starters = rng.choice(len(register.uscc), size=min(150, len(register.uscc)), replace=False)
    for i in starters:
        when = day_in(months[int(rng.integers(0, len(months)))], rng)
        if rng.random() < 0.15:
            events.append(
                (register.uscc[i], str(rng.choice(ipos.SIDE_TRACKS)), when, None, None, None, None)
            )
            continue
        exchange, board = LISTING[int(rng.integers(0, len(LISTING)))]
        for stage in ipos.IPO_TRACK:
            if when > months[-1]:
                break
            listing = stage == "上市"
            events.append(
                (
                    register.uscc[i],
                    stage,
                    when,
                    exchange if listing else None,
                    board if listing else None,
                    _stock_code(exchange, board, when, rng) if listing else None,
                    f"{rng.uniform(4, 20) * 1e8:.2f}" if listing else None,
                )
            )
            when = when + timedelta(days=int(rng.integers(60, 300)))
            if rng.random() < 0.25:
                break
    return events


def _stock_code(exchange: str, board: str, when: date, rng: np.random.Generator) -> str:
    if exchange == "北交所":
        prefix = "920" if when >= ipos.BSE_NEW_920 else "83" + str(int(rng.integers(0, 10)))
    else:
        prefix = str(rng.choice(ipos.A_SHARE_PREFIXES[(exchange, board)]))
    return f"{prefix}{int(rng.integers(0, 1000)):03d}"


def _ipo_frame(events: list[tuple], register: Register) -> pl.DataFrame:
    names = dict(zip(register.uscc, register.name, strict=True))
    ordered = sorted(events, key=lambda e: (e[2], e[0]))
    return zh_frame(
        ipos.COLUMNS,
        {
            "event_id": [f"IP{e[2]:%Y%m}{n:04d}" for n, e in enumerate(ordered, start=1)],
            "enterprise_uscc": [e[0] for e in ordered],
            "enterprise_name": [names[e[0]] for e in ordered],
            "stage": [e[1] for e in ordered],
            "stage_date": [f"{e[2]:%Y-%m-%d}" for e in ordered],
            "exchange": [e[3] or "" for e in ordered],
            "board": [e[4] or "" for e in ordered],
            "stock_code": [e[5] or "" for e in ordered],
            "amount_raised": [e[6] or "" for e in ordered],
        },
    )


def _fund_frame(
    register: Register, period: date, manager: str, n: int, rng: np.random.Generator
) -> pl.DataFrame:
    deals = int(rng.poisson(2.5))
    fund_name, fund_type = FUND_NAMES[manager]
    picks = rng.integers(0, len(register.uscc), deals)
    return zh_frame(
        fund_investments.COLUMNS,
        {
            "deal_id": [f"FI{n}{period:%Y%m}{k + 1:03d}" for k in range(deals)],
            "fund_name": [fund_name] * deals,
            "fund_type": [fund_type] * deals,
            "fund_manager": [manager] * deals,
            "investee_uscc": [register.uscc[i] for i in picks],
            "investee_name": [register.name[i] for i in picks],
            "invest_date": [f"{day_in(period, rng):%Y-%m-%d}" for _ in range(deals)],
            # 万元 in the header: ~2亿 a deal, ~15亿 a month — behind the 1000亿 pace.
            "amount": [f"{rng.uniform(0.6, 3.4) * 1e4:.2f}" for _ in range(deals)],
            "is_return_investment": [str(rng.choice(["是", "否"])) for _ in range(deals)],
        },
    ).rename({"投资金额": "投资金额(万元)"})


def _engagement_frame(register: Register, period: date, rng: np.random.Generator) -> pl.DataFrame:
    rows = []
    sample_banks = ("C1901150100001", "C1903150100003", "C2901150200001", "")
    for event in range(10):
        hard_tech = event == 0
        kind = "硬科技帮扶" if hard_tech else str(rng.choice(engagements.EVENT_TYPES[:5]))
        day = day_in(period, rng)
        # ~95 家次 a month (on pace for 1000 a year); three hard-tech firms (behind 50).
        for i in rng.choice(
            len(register.uscc), 3 if hard_tech else int(rng.integers(7, 13)), replace=False
        ):
            outcome = str(rng.choice(engagements.OUTCOMES, p=[0.4, 0.3, 0.2, 0.1]))
            rows.append(
                {
                    "event_id": f"EG{period:%Y%m}{event + 1:02d}",
                    "event_date": f"{day:%Y-%m-%d}",
                    "event_type": kind,
                    "organizer": "市经济信息委",
                    "enterprise_uscc": register.uscc[i],
                    "bank_code": str(rng.choice(sample_banks)) if not hard_tech else "",
                    "outcome": outcome,
                    "amount": f"{rng.uniform(1, 50) * 1e6:.2f}"
                    if outcome in engagements.OUTCOMES_WITH_AMOUNT
                    else "",
                }
            )
    return zh_frame(engagements.COLUMNS, {k: [r[k] for r in rows] for k in rows[0]})


def _write(
    out_dir: Path, name: str, frame: pl.DataFrame, period: date, unit: str | None = None
) -> Path:
    path = out_dir / name
    if unit:
        _write_xlsx_with_unit(frame, path, period, unit, "发行金额")
    else:
        write_table(frame, path, "csv_bom_zh")
    # Sent on the 8th of the following month.
    sent = datetime.combine(period + timedelta(days=8), datetime.min.time(), UTC)
    os.utime(path, (sent.timestamp(), sent.timestamp()))
    return path


def _write_xlsx_with_unit(
    frame: pl.DataFrame, path: Path, period: date, unit: str, amount: str
) -> None:
    """The regulator's own layout: a title, a unit note, a blank row, then the table."""
    import xlsxwriter

    with xlsxwriter.Workbook(str(path), {"strings_to_numbers": False}) as book:
        # A fixed creation time: the same seed gives the same bytes.
        book.set_properties({"created": datetime(2024, 2, 21)})
        sheet = book.add_worksheet("债券融资")
        sheet.write_string(0, 0, f"制造业企业债券融资情况（{period.year}年{period.month}月）")
        sheet.write_string(1, 0, f"单位：{unit}")
        for c, header in enumerate(frame.columns):
            sheet.write_string(3, c, header)
        for r, row in enumerate(frame.iter_rows(), start=4):
            for c, (header, value) in enumerate(zip(frame.columns, row, strict=True)):
                if header == amount and value:
                    sheet.write_number(r, c, float(value))
                elif value:
                    sheet.write_string(r, c, value)
