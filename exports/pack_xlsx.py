"""A bank's scorecard pack as XLSX: the scorecard with the bank against its peer group's
quartiles, indicator trends with native Excel charts, and each indicator's 口径 — three
sheets, each printing on one A4 page."""

from __future__ import annotations

from pathlib import Path

import xlsxwriter

from exports.formatting import MISSING, number_format, sheet_value, text
from exports.labels import columns
from exports.printing import column_width, set_up_page, wrapped_lines
from exports.safety import XLSX_OPTIONS
from exports.scorecard import INDICATORS, MIN_OTHER_BANKS, Pack

TITLE = "重庆市制造业金融服务督导评价得分卡"
# (column, header, unit): the trend sheet left to right, and the balances table.
TREND_COLUMNS = columns(
    "mfg_loans",
    "total_loans",
    "mfg_loans_yoy_growth",
    "total_loans_yoy_growth",
    "growth_gap",
    "mfg_loan_share",
    "mfg_mlt_share",
    "mfg_credit_share",
)
BALANCES = columns(
    "mfg_loans",
    "mfg_mlt_loans",
    "mfg_credit_loans",
    "total_loans",
    "mfg_loans_ytd_increment",
    "mfg_loans_yoy_growth",
    "total_loans_yoy_growth",
)


class Styles:
    """The workbook's cell formats, made once per workbook."""

    def __init__(self, book: xlsxwriter.Workbook):
        self.book = book
        self.title = book.add_format({"bold": True, "font_size": 14})
        self.header = book.add_format(
            {
                "bold": True,
                "bg_color": "#DDEBF7",
                "border": 1,
                "text_wrap": True,
                "valign": "vcenter",
            }
        )
        self.label = book.add_format({"bold": True})
        self.text = book.add_format({"text_wrap": True, "valign": "top"})
        self.fact = book.add_format({"text_wrap": True, "valign": "top", "align": "left"})
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

    def header_row(
        self, sheet, row: int, headers: list[str], widths: list[int] | None = None
    ) -> None:
        """Header cells; with `widths`, also the columns' widths."""
        for col, header in enumerate(headers):
            sheet.write_string(row, col, header, self.header)
            if widths is not None:
                sheet.set_column(col, col, widths[col])

    def wrapped(self, sheet, row: int, first: int, last: int, value: str, width: float) -> None:
        """Text across columns first..last (`width` units together), wrapped, with the row
        as tall as its lines (xlsxwriter cannot autofit, and LibreOffice prints an unsized
        wrapped row at one line, over the next)."""
        if last > first:
            sheet.merge_range(row, first, row, last, value, self.fact)
        else:
            sheet.write_string(row, first, value, self.fact)
        lines = wrapped_lines(value, int(width))
        if lines > 1:
            sheet.set_row(row, 15 * lines)


def write_pack_xlsx(pack: Pack, path: Path) -> None:
    """Write the bank's pack to `path`: three sheets, each printing on one A4 page."""
    # In memory: a pack is small, and xlsxwriter would write each part to a temporary file.
    book = xlsxwriter.Workbook(str(path), {**XLSX_OPTIONS, "in_memory": True})
    styles = Styles(book)
    _scorecard_sheet(book.add_worksheet("得分卡"), pack, styles)
    _trend_sheet(book, book.add_worksheet("指标趋势"), pack, styles)
    _definitions_sheet(book.add_worksheet("指标口径"), pack, styles)
    book.close()


def indicator_names(pack: Pack) -> dict[str, str]:
    """indicator code → its Chinese name in the weights version used."""
    return dict(zip(pack.weights["indicator"], pack.weights["indicator_name"], strict=True))


# The scorecard sheet's columns: labels, then the figures (peer quartiles the widest table).
SCORECARD_WIDTHS = [36, 16, 12, 12, 12, 12, 30]


def _scorecard_sheet(sheet, pack: Pack, styles: Styles) -> None:
    card, head = pack.card, pack.headline
    for col, width in enumerate(SCORECARD_WIDTHS):
        sheet.set_column(col, col, width)
    value_width = sum(SCORECARD_WIDTHS[1:])
    last_col = len(SCORECARD_WIDTHS) - 1
    sheet.merge_range(0, 0, 0, last_col, TITLE, styles.title)
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
        if isinstance(value, str) and wrapped_lines(value, SCORECARD_WIDTHS[1]) > 1:
            styles.wrapped(sheet, row, 1, last_col, value, value_width)
        else:
            styles.write(sheet, row, 1, value, "分")
    top = len(facts) + 3
    names = indicator_names(pack)
    weights = dict(zip(pack.weights["indicator"], pack.weights["weight"], strict=True))
    styles.header_row(sheet, top, ["指标", "取值", "得分", "权重", "加权得分"])
    for row, indicator in enumerate(INDICATORS, start=top + 1):
        score = card[indicator.score_column]
        weight = weights.get(indicator.code)
        sheet.write_string(row, 0, names.get(indicator.code, indicator.code))
        styles.write(sheet, row, 1, card[indicator.value_column], indicator.unit)
        styles.write(sheet, row, 2, score, "分")
        styles.write(sheet, row, 3, weight, "分")
        styles.write(
            sheet, row, 4, None if score is None or weight is None else score * weight / 100, "分"
        )
    top = top + len(INDICATORS) + 2
    styles.header_row(sheet, top, ["余额与增速", "本行"])
    for row, (column, label, unit) in enumerate(BALANCES, start=top + 1):
        sheet.write_string(row, 0, label)
        styles.write(sheet, row, 1, pack.metrics.get(column), unit)
    top = top + len(BALANCES) + 2
    _peer_table(sheet, top, pack, styles)
    sheet.freeze_panes(2, 0)
    set_up_page(sheet, sum(SCORECARD_WIDTHS), one_page=True)


PEER_HEADERS = [
    "同组比较",
    "本行",
    "同组其他机构数",
    "同组下四分位",
    "同组中位数",
    "同组上四分位",
    "说明",
]


def _peer_table(sheet, top: int, pack: Pack, styles: Styles) -> None:
    """The bank against its peer group: quartiles of the other banks only, never a name."""
    styles.header_row(sheet, top, PEER_HEADERS)
    for row, stat in enumerate(pack.peers, start=top + 1):
        sheet.write_string(row, 0, stat.label)
        styles.write(sheet, row, 1, stat.bank_value, stat.unit)
        sheet.write_number(row, 2, stat.other_banks)
        if stat.quartiles is None:
            for col in (3, 4, 5):
                sheet.write_string(row, col, MISSING)
            note = f"同组其他机构不足 {MIN_OTHER_BANKS} 家，不予披露"
        else:
            for col, value in enumerate(stat.quartiles, start=3):
                styles.write(sheet, row, col, value, stat.unit)
            note = "同组其他机构的匿名统计"
        sheet.write_string(row, 6, note, styles.text)
        lines = wrapped_lines(note, SCORECARD_WIDTHS[6])
        if lines > 1:
            sheet.set_row(row, 15 * lines)


def _trend_sheet(book, sheet, pack: Pack, styles: Styles) -> None:
    headers = ["报告期"] + [header for _, header, _ in TREND_COLUMNS]
    rows = pack.trend.to_dicts()
    widths = [10] + [
        column_width(header, (text(r[column], unit) for r in rows), widest=18)
        for column, header, unit in TREND_COLUMNS
    ]
    styles.header_row(sheet, 0, headers, widths)
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
            line.add_series(
                {
                    "name": ["指标趋势", 0, c],
                    "categories": ["指标趋势", 1, 0, last, 0],
                    "values": ["指标趋势", 1, c, last, c],
                    "marker": {"type": "circle", "size": 3},
                }
            )
        line.set_title({"name": title})
        line.set_y_axis({"name": y_title, "num_format": "0%"})
        line.set_legend({"position": "bottom"})
        line.show_blanks_as("gap")
        line.set_size({"width": 720, "height": 320})
        sheet.insert_chart(anchor, line)

    chart(
        "制造业贷款与各项贷款同比增速",
        ["mfg_loans_yoy_growth", "total_loans_yoy_growth"],
        "同比增速",
        f"A{last + 3}",
    )
    chart(
        "制造业贷款占比、中长期占比、信用贷款占比",
        ["mfg_loan_share", "mfg_mlt_share", "mfg_credit_share"],
        "占比",
        f"A{last + 21}",
    )
    # The charts sit under the table: one page tall, the table's width or the charts'.
    set_up_page(sheet, max(sum(widths), 110), header_rows=(0, 0), one_page=True)


DEFINITION_WIDTHS = [28, 8, 34, 80]


def _definitions_sheet(sheet, pack: Pack, styles: Styles) -> None:
    last_col = len(DEFINITION_WIDTHS) - 1
    sheet.merge_range(0, 0, 0, last_col, f"权重版本 {pack.card['weights_version']}", styles.title)
    styles.header_row(sheet, 1, ["指标", "权重", "计分方法", "口径"], DEFINITION_WIDTHS)
    methods = {
        "linear": "{base:g} 分起，每 1 个百分点 {points:+g} 分，0–100 截断",
        "peer_percentile": "同组百分位（0–100），同组仅一家时缺失",
        "data_quality": "{base:g} 分起，按被退回、重报、逾期、缺报扣分，不低于 0",
    }
    by_code = {i.code: i for i in INDICATORS}
    for row, weight in enumerate(pack.weights.to_dicts(), start=2):
        indicator = by_code.get(weight["indicator"])
        method = methods.get(weight["method"], weight["method"]).format(
            points=weight["points_per_pp"] or 0, base=weight["base_score"] or 0
        )
        column = indicator.value_column if indicator else ""
        definition = pack.definitions.get(column, "")
        sheet.write_string(row, 0, weight["indicator_name"], styles.text)
        sheet.write_number(row, 1, weight["weight"], styles.text)
        sheet.write_string(row, 2, method, styles.text)
        sheet.write_string(row, 3, definition, styles.text)
        lines = max(
            wrapped_lines(weight["indicator_name"], DEFINITION_WIDTHS[0]),
            wrapped_lines(method, DEFINITION_WIDTHS[2]),
            wrapped_lines(definition, DEFINITION_WIDTHS[3]),
        )
        if lines > 1:
            sheet.set_row(row, 15 * lines)
    row = len(pack.weights) + 3
    notes = (
        "综合得分：可得指标得分按权重加权平均；缺失指标的权重按比例分配给其余指标，并在得分卡"
        "中标明。",
        "等级：" + grade_rule(pack) + "（门槛随权重版本维护）。",
    )
    for offset, note in enumerate(notes):
        styles.wrapped(sheet, row + offset, 0, last_col, note, sum(DEFINITION_WIDTHS))
    sheet.freeze_panes(2, 0)
    set_up_page(sheet, sum(DEFINITION_WIDTHS), header_rows=(1, 1), one_page=True)


def grade_rule(pack: Pack) -> str:
    """'A ≥ 85，B ≥ 70，C ≥ 60，D ≥ 0' from the version's thresholds."""
    return "，".join(f"{grade} ≥ {floor:g}" for grade, floor in pack.grades)


def _rank(rank: int | None, of: int | None) -> str | None:
    return None if rank is None else f"{rank} / {of}"


def _missing(pack: Pack, column: str = "missing_indicators") -> str:
    codes = (pack.card[column] or "").split(",")
    names = indicator_names(pack)
    return "、".join(names.get(code, code) for code in codes if code) or "无"
