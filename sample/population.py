"""The sample's fictional enterprises (valid USCCs, GB/T 4754 divisions, scales) and the
month arithmetic and file writers every part of the sample shares."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import numpy as np
import polars as pl

from ingest.identifiers import USCC_ALPHABET, org_code_check_character, uscc_check_character

# Chongqing district codes (GB/T 2260, 5001xx) used as USCC region codes.
DISTRICTS = {
    "500101": "万州区",
    "500102": "涪陵区",
    "500103": "渝中区",
    "500104": "大渡口区",
    "500105": "江北区",
    "500106": "沙坪坝区",
    "500107": "九龙坡区",
    "500108": "南岸区",
    "500109": "北碚区",
    "500110": "綦江区",
    "500111": "大足区",
    "500112": "渝北区",
    "500113": "巴南区",
    "500115": "长寿区",
    "500116": "江津区",
    "500117": "合川区",
    "500118": "永川区",
    "500120": "璧山区",
    "500151": "铜梁区",
    "500153": "荣昌区",
    "500154": "开州区",
    "500155": "梁平区",
}
# Manufacturing divisions weighted towards Chongqing's 33618 clusters (autos, electronics,
# motorcycles, equipment, materials, food, medicine).
MFG_DIVISIONS = {
    "36": 16,
    "39": 14,
    "37": 7,
    "38": 8,
    "34": 7,
    "35": 6,
    "26": 5,
    "27": 5,
    "30": 4,
    "31": 3,
    "32": 4,
    "33": 5,
    "13": 3,
    "14": 3,
    "15": 3,
    "29": 3,
    "17": 1,
    "18": 1,
    "21": 1,
    "22": 1,
    "40": 2,
    "42": 1,
}
OTHER_DIVISIONS = {
    "51": 10,
    "52": 6,
    "47": 5,
    "48": 6,
    "70": 6,
    "65": 6,
    "44": 4,
    "54": 4,
    "72": 6,
    "59": 3,
    "64": 3,
    "73": 2,
    "01": 2,
    "06": 1,
    "78": 3,
    "61": 1,
    "62": 1,
    "87": 1,
}
DIVISION_WORDS = {
    "36": "汽车零部件",
    "39": "电子科技",
    "37": "摩托车",
    "38": "电气",
    "34": "机械",
    "35": "智能装备",
    "26": "化工",
    "27": "医药",
    "30": "建材",
    "31": "钢铁",
    "32": "铝业",
    "33": "金属制品",
    "13": "农产品加工",
    "14": "食品",
    "15": "酒业",
    "29": "塑胶",
    "17": "纺织",
    "18": "服饰",
    "21": "家具",
    "22": "纸业",
    "40": "仪器仪表",
    "42": "再生资源",
    "51": "商贸",
    "52": "商业连锁",
    "47": "建设",
    "48": "路桥",
    "70": "置业",
    "65": "软件",
    "44": "能源",
    "54": "物流",
    "72": "企业管理",
    "59": "仓储",
    "64": "网络科技",
    "73": "研究院",
    "01": "农业开发",
    "06": "矿业",
    "78": "市政",
    "61": "酒店",
    "62": "餐饮",
    "87": "文化传媒",
}
NAME_SYLLABLES = list("渝巴嘉鸿瑞博锦华宏恒卓创睿航远通达盛兴隆泰安欣朗晟铭润泓峰川江山城")


@dataclass(frozen=True)
class Enterprises:
    """The fictional borrowers."""

    uscc: np.ndarray
    name: np.ndarray
    division: np.ndarray
    industry_code: np.ndarray
    scale: np.ndarray
    is_mfg: np.ndarray


def month_end(year: int, month: int) -> date:
    """The last day of a month."""
    return date(year, month, calendar.monthrange(year, month)[1])


def months_between(start: str, end: str) -> list[date]:
    """Month-ends from `start` to `end` (both `YYYY-MM`), inclusive."""
    y, m = map(int, start.split("-"))
    y_end, m_end = map(int, end.split("-"))
    out = []
    while (y, m) <= (y_end, m_end):
        out.append(month_end(y, m))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def make_uscc(rng: np.random.Generator, region: str) -> str:
    """A valid enterprise USCC (registration 9, category 1) in `region`."""
    digits = "0123456789"
    if rng.random() < 0.5:
        body = "MA" + "".join(rng.choice(list(USCC_ALPHABET), 6))
    else:
        body = "".join(rng.choice(list(digits), 8))
    org = body + org_code_check_character(body)
    first17 = "91" + region + org
    return first17 + uscc_check_character(first17)


def make_enterprises(rng: np.random.Generator, count: int) -> Enterprises:
    """`count` fictional Chongqing enterprises, about 45% in manufacturing."""
    is_mfg = rng.random(count) < 0.45
    mfg_div = rng.choice(list(MFG_DIVISIONS), count, p=_weights(MFG_DIVISIONS))
    other_div = rng.choice(list(OTHER_DIVISIONS), count, p=_weights(OTHER_DIVISIONS))
    division = np.where(is_mfg, mfg_div, other_div)
    classes = rng.choice(["10", "11", "12", "20", "21", "30", "90"], count)
    industry = np.array([d + c for d, c in zip(division, classes, strict=True)])
    scale = rng.choice(["CS01", "CS02", "CS03", "CS04"], count, p=[0.08, 0.27, 0.45, 0.20])
    regions = rng.choice(list(DISTRICTS), count)
    names, usccs, used = [], [], set()
    for i in range(count):
        attempts = 0
        while True:
            # Two syllables make ~1,000 names per trade; a third once those run short.
            attempts += 1
            stem = "".join(rng.choice(NAME_SYLLABLES, 2 if attempts < 8 else 3))
            group = "（集团）" if scale[i] == "CS01" and rng.random() < 0.4 else ""
            name = f"重庆{stem}{DIVISION_WORDS[division[i]]}{group}有限公司"
            if name not in used:
                used.add(name)
                break
        names.append(name)
        usccs.append(make_uscc(rng, regions[i]))
    return Enterprises(np.array(usccs), np.array(names), division, industry, scale, is_mfg)


def _weights(table: dict[str, int]) -> np.ndarray:
    values = np.array(list(table.values()), dtype=float)
    return values / values.sum()


def write_table(
    frame: pl.DataFrame, path: Path, fmt: str, title: str | None = None, wan: bool = False
) -> None:
    """Write `frame` in one of the bank formats."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "csv_en":
        frame.write_csv(path)
    elif fmt == "csv_bom_zh":
        frame.write_csv(path, include_bom=True)
    elif fmt == "csv_gbk_zh":
        path.write_bytes(frame.write_csv().encode("gbk"))
    elif fmt == "parquet_en":
        frame.write_parquet(path)
    elif fmt == "xlsx_zh":
        _write_xlsx(frame, path, title or "", wan)
    else:
        raise ValueError(fmt)


def _write_xlsx(frame: pl.DataFrame, path: Path, title: str, wan: bool) -> None:
    import xlsxwriter

    with xlsxwriter.Workbook(path) as book:
        # A fixed creation time keeps the sample byte-identical for a seed.
        book.set_properties({"created": datetime(2024, 2, 21)})
        sheet = book.add_worksheet("数据")
        date_format = book.add_format({"num_format": "yyyy-mm-dd"})
        sheet.write(0, 0, title)
        sheet.write(1, 0, "单位：万元" if wan else "单位：元")
        sheet.write_row(3, 0, frame.columns)
        for r, row in enumerate(frame.iter_rows(), start=4):
            for c, value in enumerate(row):
                if isinstance(value, date):
                    sheet.write_datetime(r, c, value, date_format)
                elif value is not None:
                    sheet.write(r, c, value)


SUFFIX = {
    "csv_en": ".csv",
    "csv_bom_zh": ".csv",
    "csv_gbk_zh": ".csv",
    "xlsx_zh": ".xlsx",
    "parquet_en": ".parquet",
}
