"""A bank's scorecard pack as CSV: UTF-8 with a BOM so Excel opens the Chinese correctly,
one row per item, numbers in the unit the row names, text made inert."""

from __future__ import annotations

import csv
from pathlib import Path

from exports.formatting import yi
from exports.pack_xlsx import BALANCES, indicator_names
from exports.safety import inert
from exports.scorecard import INDICATORS, Pack

HEADER = (
    "机构代码",
    "机构名称",
    "报告期",
    "同组",
    "项目",
    "取值",
    "单位",
    "得分",
    "权重",
    "同组下四分位",
    "同组中位数",
    "同组上四分位",
    "权重版本",
)


def csv_number(value, unit: str) -> float | None:
    """A value in the unit its row names: % and pp as percent numbers, 亿元 from 元."""
    if value is None:
        return None
    if unit in ("%", "pp"):
        return round(float(value) * 100, 6)
    if unit == "亿元":
        return round(yi(value), 6)
    return round(float(value), 6)


def write_pack_csv(pack: Pack, path: Path) -> None:
    """Write the bank's pack to `path`."""
    card = pack.card
    names = indicator_names(pack)
    weights = dict(zip(pack.weights["indicator"], pack.weights["weight"], strict=True))
    quartiles = {stat.measure: stat.quartiles for stat in pack.peers}
    rows = []
    for indicator in INDICATORS:
        stat = quartiles.get(indicator.value_column) or (None, None, None)
        rows.append(
            (
                names.get(indicator.code, indicator.code),
                csv_number(card[indicator.value_column], indicator.unit),
                indicator.unit,
                csv_number(card[indicator.score_column], "分"),
                weights.get(indicator.code),
                *(csv_number(q, indicator.unit) for q in stat),
            )
        )
    composite = quartiles.get("composite_score") or (None, None, None)
    head = pack.headline
    rows.append(
        (
            "综合得分",
            csv_number(head["composite_score"], "分"),
            "分",
            None,
            None,
            *(csv_number(q, "分") for q in composite),
        )
    )
    rows.append(("等级", head["grade"] or "未评级", "", None, None, None, None, None))
    rows.append(
        (
            "同组排名",
            head["rank_in_peer_group"],
            f"共 {head['peer_group_size']} 家",
            None,
            None,
            None,
            None,
            None,
        )
    )
    rows.append(
        (
            "全市排名",
            head["rank_city"],
            f"共 {head['banks_ranked']} 家",
            None,
            None,
            None,
            None,
            None,
        )
    )
    rows.append(("评价说明", pack.evaluation_note, "", None, None, None, None, None))
    for column, label, unit in BALANCES:
        rows.append(
            (
                label.replace("（亿元）", ""),
                csv_number(pack.metrics.get(column), unit),
                unit,
                None,
                None,
                None,
                None,
                None,
            )
        )
    prefix = (card["bank_code"], card["bank_name"], f"{pack.period:%Y-%m}", card["peer_group"])
    with path.open("w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(HEADER)
        for row in rows:
            writer.writerow([inert(v) for v in (*prefix, *row, card["weights_version"])])
