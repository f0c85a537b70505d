"""A bank's scorecard pack as XLSX: the scorecard, indicator trends with native Excel
charts, the bank against its peer group's quartiles, and each indicator's 口径."""

from __future__ import annotations

from pathlib import Path

import xlsxwriter

from exports.formatting import MISSING, number_format, sheet_value
from exports.labels import columns
from exports.safety import XLSX_OPTIONS
from exports.scorecard import INDICATORS, MIN_OTHER_BANKS, Pack

TITLE = "重庆市制造业金融服务督导评价得分卡"
# (column, header, unit): the trend sheet left to right, and the balances table.
TREND_COLUMNS = columns("mfg_loans", "total_loans", "mfg_loans_yoy_growth",
                        "total_loans_yoy_growth", "growth_gap", "mfg_loan_share",
                        "mfg_mlt_share", "mfg_credit_share")
BALANCES = columns("mfg_loans", "mfg_mlt_loans", "mfg_credit_loans", "total_loans",
                   "mfg_loans_ytd_increment", "mfg_loans_yoy_growth", "total_loans_yoy_growth")


class Styles:
    """The workbook's cell formats, made once per workbook."""

    def __init__(self, book: xlsxwriter.Workbook):
        self.book = book
        self.title = book.add_format({"bold": True, "font_size": 14})
        self.header = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1,
                                       "text_wrap": True, "valign": "vcenter"})
        self.label = book.add_format({"bold": True})
        self.text = book.add_format({"text_wrap": True, "valign": "top"})
        self._numbers: dict[str, object] = {}

    def number(self, unit: str):
        """The format for a number in `unit`."""
        if unit not in self._numbers:
            self._numbers[unit] = self.book.add_format({"num_format": number_format(unit)})
        return self._numbers[unit]

    def write(self, sheet, row: int, col: int, value, unit: str = "") -> None:
        """Text as inert text, numbers with their unit's format, a missing value as a dash."""
        if value is None:
            sheet.write_string(row, col, MISSING)
        elif isinstance(value, str):
            sheet.write_string(row, col, value)
        else:
            sheet.write_number(row, col, sheet_value(value, unit), self.number(unit))

    def header_row(self, sheet, row: int, headers: list[str], widths: list[int]) -> None:
        for col, (header, width) in enumerate(zip(headers, widths, strict=True)):
            sheet.write_string(row, col, header, self.header)
            sheet.set_column(col, col, width)


def write_pack_xlsx(pack: Pack, path: Path) -> None:
    """Write the bank's pack to `path`."""
    book = xlsxwriter.Workbook(str(path), XLSX_OPTIONS)
    styles = Styles(book)
    _scorecard_sheet(book.add_worksheet("得分卡"), pack, styles)
    _trend_sheet(book, book.add_worksheet("指标趋势"), pack, styles)
    _peer_sheet(book.add_worksheet("同组比较"), pack, styles)
    _definitions_sheet(book.add_worksheet("指标口径"), pack, styles)
    book.close()


def indicator_names(pack: Pack) -> dict[str, str]:
    """indicator code → its Chinese name in the weights version used."""
    return dict(zip(pack.weights["indicator"], pack.weights["indicator_name"], strict=True))


def _scorecard_sheet(sheet, pack: Pack, styles: Styles) -> None:
    card, head = pack.card, pack.headline
    sheet.write_string(0, 0, TITLE, styles.title)
    facts = (
        ("机构", f"{card['bank_name']}（{card['bank_code']}）"),
        ("报告期", f"{pack.period:%Y-%m}"),
        ("同组", card["peer_group"]),
        ("综合得分", head["composite_score"]),
        ("等级", head["grade"] or "未评级"),
        ("同组排名", _rank(head["rank_in_peer_group"], head["peer_group_size"])),
        ("全市排名", _rank(head["rank_city"], head["banks_ranked"])),
        ("评价说明", pack.evaluation_note),
        ("未评级原因", card["not_graded_reason"]),
        ("权重版本", card["weights_version"]),
        ("缺失指标（已重新加权）", _missing(pack)),
        ("本行文件缺失或被退回、计 0 分的指标", _missing(pack, "zeroed_indicators")),
    )
    for row, (label, value) in enumerate(facts, start=2):
        sheet.write_string(row, 0, label, styles.label)
        styles.write(sheet, row, 1, value, "分")
    top = len(facts) + 3
    names = indicator_names(pack)
    weights = dict(zip(pack.weights["indicator"], pack.weights["weight"], strict=True))
    styles.header_row(sheet, top, ["指标", "取值", "得分", "权重", "加权得分"],
                      [34, 16, 10, 8, 10])
    for row, indicator in enumerate(INDICATORS, start=top + 1):
        score = card[indicator.score_column]
        weight = weights.get(indicator.code)
        sheet.write_string(row, 0, names.get(indicator.code, indicator.code))
        styles.write(sheet, row, 1, card[indicator.value_column], indicator.unit)
        styles.write(sheet, row, 2, score, "分")
        styles.write(sheet, row, 3, weight, "分")
        styles.write(sheet, row, 4, None if score is None or weight is None
                     else score * weight / 100, "分")
    top = top + len(INDICATORS) + 2
    styles.header_row(sheet, top, ["余额与增速", "本行"], [34, 16])
    for row, (column, label, unit) in enumerate(BALANCES, start=top + 1):
        sheet.write_string(row, 0, label)
        styles.write(sheet, row, 1, pack.metrics.get(column), unit)
    sheet.freeze_panes(2, 0)


def _trend_sheet(book, sheet, pack: Pack, styles: Styles) -> None:
    headers = ["报告期"] + [header for _, header, _ in TREND_COLUMNS]
    styles.header_row(sheet, 0, headers, [12] + [16] * len(TREND_COLUMNS))
    rows = pack.trend.to_dicts()
    for r, row in enumerate(rows, start=1):
        sheet.write_string(r, 0, f"{row['period']:%Y-%m}")
        for c, (column, _, unit) in enumerate(TREND_COLUMNS, start=1):
            value = row[column]
            if value is not None:  # a chart gap, not a dash, where the data is missing
                styles.write(sheet, r, c, value, unit)
    sheet.freeze_panes(1, 1)
    last = max(len(rows), 1)
    column_of = {column: c for c, (column, _, _) in enumerate(TREND_COLUMNS, start=1)}

    def chart(title: str, columns: list[str], y_title: str, anchor: str) -> None:
        line = book.add_chart({"type": "line"})
        for column in columns:
            c = column_of[column]
            line.add_series({
                "name": ["指标趋势", 0, c],
                "categories": ["指标趋势", 1, 0, last, 0],
                "values": ["指标趋势", 1, c, last, c],
                "marker": {"type": "circle", "size": 3},
            })
        line.set_title({"name": title})
        line.set_y_axis({"name": y_title, "num_format": "0%"})
        line.set_legend({"position": "bottom"})
        line.show_blanks_as("gap")
        line.set_size({"width": 720, "height": 320})
        sheet.insert_chart(anchor, line)

    chart("制造业贷款与各项贷款同比增速", ["mfg_loans_yoy_growth", "total_loans_yoy_growth"],
          "同比增速", f"A{last + 3}")
    chart("制造业贷款占比、中长期占比、信用贷款占比",
          ["mfg_loan_share", "mfg_mlt_share", "mfg_credit_share"], "占比", f"A{last + 21}")


def _peer_sheet(sheet, pack: Pack, styles: Styles) -> None:
    styles.header_row(sheet, 0, ["指标", "本行", "同组其他机构数", "同组下四分位",
                                 "同组中位数", "同组上四分位", "说明"],
                      [22, 14, 14, 14, 14, 14, 44])
    for row, stat in enumerate(pack.peers, start=1):
        sheet.write_string(row, 0, stat.label)
        styles.write(sheet, row, 1, stat.bank_value, stat.unit)
        sheet.write_number(row, 2, stat.other_banks)
        if stat.quartiles is None:
            for col in (3, 4, 5):
                sheet.write_string(row, col, MISSING)
            sheet.write_string(row, 6, f"同组其他机构不足 {MIN_OTHER_BANKS} 家，不予披露")
        else:
            for col, value in enumerate(stat.quartiles, start=3):
                styles.write(sheet, row, col, value, stat.unit)
            sheet.write_string(row, 6, "同组其他机构的匿名统计")
    sheet.freeze_panes(1, 1)


def _definitions_sheet(sheet, pack: Pack, styles: Styles) -> None:
    sheet.write_string(0, 0, f"权重版本 {pack.card['weights_version']}", styles.title)
    styles.header_row(sheet, 1, ["指标", "权重", "计分方法", "口径"], [30, 8, 36, 90])
    methods = {
        "linear": "{base:g} 分起，每 1 个百分点 {points:+g} 分，0–100 截断",
        "peer_percentile": "同组百分位（0–100），同组仅一家时缺失",
        "data_quality": "{base:g} 分起，按被退回、重报、逾期、缺报扣分，不低于 0",
    }
    by_code = {i.code: i for i in INDICATORS}
    for row, weight in enumerate(pack.weights.to_dicts(), start=2):
        indicator = by_code.get(weight["indicator"])
        sheet.write_string(row, 0, weight["indicator_name"], styles.text)
        sheet.write_number(row, 1, weight["weight"])
        method = methods.get(weight["method"], weight["method"])
        sheet.write_string(row, 2, method.format(points=weight["points_per_pp"] or 0,
                                                  base=weight["base_score"] or 0),
                           styles.text)
        column = indicator.value_column if indicator else ""
        sheet.write_string(row, 3, pack.definitions.get(column, ""), styles.text)
    row = len(pack.weights) + 3
    sheet.write_string(row, 0, "综合得分：可得指标得分按权重加权平均；缺失指标的权重按比例分配给"
                       "其余指标，并在得分卡中标明。", styles.text)
    sheet.write_string(row + 1, 0, "等级：" + grade_rule(pack) + "（门槛随权重版本维护）。",
                       styles.text)
    sheet.freeze_panes(2, 0)


def grade_rule(pack: Pack) -> str:
    """'A ≥ 85，B ≥ 70，C ≥ 60，D ≥ 0' from the version's thresholds."""
    return "，".join(f"{grade} ≥ {floor:g}" for grade, floor in pack.grades)


def _rank(rank: int | None, of: int | None) -> str | None:
    return None if rank is None else f"{rank} / {of}"


def _missing(pack: Pack, column: str = "missing_indicators") -> str:
    codes = (pack.card[column] or "").split(",")
    names = indicator_names(pack)
    return "、".join(names.get(code, code) for code in codes if code) or "无"
