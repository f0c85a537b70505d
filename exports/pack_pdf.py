"""A bank's scorecard pack as a one-to-two-page A4 PDF: grade and composite, the indicator
table, 24-month trend charts (drawn as vectors), and the bank against its peer group's
anonymised quartiles. Chinese is set in an embedded CJK font."""

from __future__ import annotations

import atexit
import logging
import math
import shutil
import string
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import date
from functools import cache
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTFont
from fpdf import FPDF
from fpdf.fonts import FontFace

from exports import formatting, pack_xlsx, scorecard
from exports.fonts import cjk_font
from exports.formatting import MISSING, text
from exports.pack_xlsx import BALANCES, TITLE, indicator_names
from exports.scorecard import INDICATORS, MIN_OTHER_BANKS, ExportError, Pack

FONT = "cjk"
PALETTE = ((31, 119, 180), (214, 39, 40), (44, 160, 44))
GREY = (150, 150, 150)
MARGIN = 15
WIDTH = 210 - 2 * MARGIN


def write_pack_pdf(pack: Pack, path: Path, font: Path | None = None) -> None:
    """Write the bank's pack to `path`, in `font` (by default a subset of the CJK font
    holding the pack's characters); never with a missing glyph."""
    missing = _render(pack, path, font or font_for(pack_texts(pack)))
    if missing:
        # A character outside the subset (it should not happen): set the pack again in the
        # whole font rather than print an empty box.
        missing = _render(pack, path, cjk_font())
    if missing:
        raise ExportError(
            f"字体 {cjk_font().name} 缺少字形：{missing} / the font "
            f"{cjk_font().name} has no glyph for: {missing}"
        )


def pack_texts(pack: Pack) -> list[str]:
    """Every piece of data text a pack can print."""
    texts = [str(v) for v in pack.card.values() if isinstance(v, str)]
    texts += [str(v) for row in pack.weights.rows() for v in row if isinstance(v, str)]
    texts += [grade for grade, _ in pack.grades]
    texts += [stat.label for stat in pack.peers]
    return [*texts, *pack.definitions.values(), pack.published_at]


def font_for(texts: Iterable[str]) -> Path:
    """A subset of the CJK font with the glyphs for `texts` and every label of the packs:
    parsing the whole font costs ~0.7 s per document, a subset a few milliseconds."""
    return _subset(cjk_font(), frozenset("".join(texts)) | _label_characters())


@cache
def _label_characters() -> frozenset[str]:
    # Every literal the packs print sits in these modules' source, so their characters are
    # a superset of the labels (and write_pack_pdf falls back to the whole font regardless).
    sources = (formatting, pack_xlsx, scorecard)
    labels = "".join(Path(module.__file__).read_text(encoding="utf-8") for module in sources)
    return frozenset(labels + Path(__file__).read_text(encoding="utf-8") + string.printable)


@cache
def _subset(font_path: Path, characters: frozenset[str]) -> Path:
    options = subset.Options()
    options.name_IDs = ["*"]
    options.notdef_outline = True
    options.layout_features = []
    font = TTFont(str(font_path), fontNumber=0, lazy=True)
    subsetter = subset.Subsetter(options)
    subsetter.populate(text="".join(sorted(characters)))
    logging.getLogger("fontTools.subset").setLevel(logging.ERROR)
    subsetter.subset(font)
    path = _font_dir() / f"subset-{len(list(_font_dir().iterdir()))}.ttf"
    font.save(str(path))
    return path


@cache
def _font_dir() -> Path:
    folder = Path(tempfile.mkdtemp(prefix="zhirong-fonts-"))
    atexit.register(shutil.rmtree, folder, True)
    return folder


@contextmanager
def _missing_glyphs() -> Iterator[list[str]]:
    """Collect fpdf2's 'missing the following glyphs' warnings while a document is set."""
    found: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            message = record.getMessage()
            if "missing the following glyphs" in message:
                found.append(message.split(":", 1)[-1].strip())

    logger = logging.getLogger("fpdf.output")
    handler = Collect()
    logger.addHandler(handler)
    propagate, logger.propagate = logger.propagate, False
    try:
        yield found
    finally:
        logger.removeHandler(handler)
        logger.propagate = propagate


def _render(pack: Pack, path: Path, font: Path) -> str:
    """Set the pack in `font`; return the characters the font lacked ('' when none)."""
    pdf = FPDF(orientation="P", unit="mm", format="A4")
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    pdf.set_auto_page_break(True, margin=MARGIN)
    pdf.add_font(FONT, fname=str(font))
    pdf.set_title(f"{TITLE} {pack.period:%Y-%m}")
    pdf.set_creator("Zhirong 智融")
    pdf.add_page()
    _heading(pdf, pack)
    _indicator_table(pdf, pack)
    _balances_table(pdf, pack)
    periods = [row["period"] for row in pack.trend.to_dicts()]
    column = pack.trend.get_column
    _line_chart(
        pdf,
        "制造业贷款与各项贷款同比增速（近 24 个月）",
        periods,
        [
            ("制造业贷款同比", column("mfg_loans_yoy_growth").to_list()),
            ("各项贷款同比", column("total_loans_yoy_growth").to_list()),
        ],
    )
    _line_chart(
        pdf,
        "制造业贷款占比、中长期占比、信用贷款占比（近 24 个月）",
        periods,
        [
            ("制造业贷款占比", column("mfg_loan_share").to_list()),
            ("中长期贷款占比", column("mfg_mlt_share").to_list()),
            ("信用贷款占比", column("mfg_credit_share").to_list()),
        ],
    )
    _peer_table(pdf, pack)
    _footnote(pdf, pack)
    with _missing_glyphs() as missing:
        pdf.output(str(path))
    return " ".join(missing)


def _heading(pdf: FPDF, pack: Pack) -> None:
    card, head = pack.card, pack.headline
    pdf.set_font(FONT, size=16)
    pdf.cell(WIDTH, 9, TITLE, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, size=11)
    pdf.cell(
        WIDTH,
        7,
        f"{card['bank_name']}（{card['bank_code']}）  报告期 {pack.period:%Y年%m月}"
        f"  同组 {card['peer_group']}",
        align="C",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.ln(2)
    boxes = (
        ("等级", head["grade"] or "未评级"),
        ("综合得分", text(head["composite_score"], "分")),
        ("同组排名", _rank(head["rank_in_peer_group"], head["peer_group_size"])),
        ("全市排名", _rank(head["rank_city"], head["banks_ranked"])),
        ("权重版本", card["weights_version"]),
    )
    box = WIDTH / len(boxes)
    top = pdf.get_y()
    for i, (label, value) in enumerate(boxes):
        x = MARGIN + i * box
        pdf.set_fill_color(235, 241, 250)
        pdf.rect(x + 1, top, box - 2, 16, style="F")
        pdf.set_xy(x + 1, top + 1)
        pdf.set_font(FONT, size=8)
        pdf.cell(box - 2, 5, label, align="C")
        pdf.set_xy(x + 1, top + 6)
        pdf.set_font(FONT, size=15 if label == "等级" else 12)
        pdf.cell(box - 2, 9, str(value), align="C")
    pdf.set_xy(MARGIN, top + 18)
    pdf.set_font(FONT, size=8)
    pdf.multi_cell(WIDTH, 4.5, pack.evaluation_note, new_x="LMARGIN", new_y="NEXT")
    if card["not_graded_reason"]:
        pdf.multi_cell(WIDTH, 4.5, card["not_graded_reason"], new_x="LMARGIN", new_y="NEXT")
    if card["zeroed_indicators"]:
        names = indicator_names(pack)
        pdf.multi_cell(
            WIDTH,
            4.5,
            "本行文件缺失或被退回、计 0 分的指标："
            + "、".join(names.get(code, code) for code in card["zeroed_indicators"].split(",")),
            new_x="LMARGIN",
            new_y="NEXT",
        )
    missing = card["missing_indicators"] or ""
    if missing:
        names = indicator_names(pack)
        pdf.set_font(FONT, size=8)
        pdf.multi_cell(
            WIDTH,
            4.5,
            "缺失指标（权重已按比例分配给其余指标）："
            + "、".join(names.get(code, code) for code in missing.split(",")),
            new_x="LMARGIN",
            new_y="NEXT",
        )


def _indicator_table(pdf: FPDF, pack: Pack) -> None:
    names = indicator_names(pack)
    weights = dict(zip(pack.weights["indicator"], pack.weights["weight"], strict=True))
    rows = [("指标", "取值", "得分", "权重", "加权得分")]
    for indicator in INDICATORS:
        score = pack.card[indicator.score_column]
        weight = weights.get(indicator.code)
        rows.append(
            (
                names.get(indicator.code, indicator.code),
                text(pack.card[indicator.value_column], indicator.unit),
                text(score, "分"),
                MISSING if weight is None else f"{weight:g}",
                MISSING if score is None or weight is None else f"{score * weight / 100:.2f}",
            )
        )
    _table(pdf, "督导评价指标", rows, (0.44, 0.16, 0.13, 0.11, 0.16))


def _balances_table(pdf: FPDF, pack: Pack) -> None:
    rows = [("余额与增速", "本行")]
    rows += [(label, text(pack.metrics.get(column), unit)) for column, label, unit in BALANCES]
    _table(pdf, "余额与增速", rows, (0.6, 0.4), width=WIDTH * 0.6)


def _peer_table(pdf: FPDF, pack: Pack) -> None:
    rows = [("指标", "本行", "同组下四分位", "同组中位数", "同组上四分位")]
    withheld = False
    for stat in pack.peers:
        if stat.quartiles is None:
            withheld = True
            quartiles = (MISSING,) * 3
        else:
            quartiles = tuple(text(v, stat.unit) for v in stat.quartiles)
        rows.append((stat.label, text(stat.bank_value, stat.unit), *quartiles))
    _table(pdf, "与同组比较（同组其他机构的匿名四分位）", rows, (0.32, 0.17, 0.17, 0.17, 0.17))
    if withheld:
        pdf.set_font(FONT, size=8)
        pdf.multi_cell(
            WIDTH,
            4.5,
            f"同组其他机构不足 {MIN_OTHER_BANKS} 家的统计量不予披露。",
            new_x="LMARGIN",
            new_y="NEXT",
        )


def _footnote(pdf: FPDF, pack: Pack) -> None:
    pdf.ln(2)
    pdf.set_font(FONT, size=7.5)
    pdf.set_text_color(90, 90, 90)
    pdf.multi_cell(
        WIDTH,
        4,
        (
            "口径：制造业指借款人行业属 GB/T 4754-2017 门类 C（13–43 大类）；"
            "中长期指原始合同期限超过一年；信用贷款指担保方式为信用（D）。"
            "增速差 = 制造业贷款同比 − 各项贷款同比。综合得分为可得指标的"
            f"加权平均（权重版本 {pack.card['weights_version']}）。"
            + (f"数据发布于 {pack.published_at}。" if pack.published_at else "")
        ),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.set_text_color(0, 0, 0)


def _table(
    pdf: FPDF, title: str, rows: list[tuple], shares: tuple[float, ...], width: float = WIDTH
) -> None:
    _make_room(pdf, 8 + 6 * len(rows))
    pdf.ln(2)
    pdf.set_font(FONT, size=10.5)
    pdf.cell(WIDTH, 7, title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, size=9)
    widths = tuple(round(share * width, 2) for share in shares)
    with pdf.table(
        col_widths=widths,
        width=width,
        align="LEFT",
        line_height=5.5,
        text_align=("LEFT",) + ("RIGHT",) * (len(shares) - 1),
        headings_style=FontFace(fill_color=(221, 235, 247)),
    ) as table:
        for row in rows:
            cells = table.row()
            for value in row:
                cells.cell(str(value))


def _line_chart(
    pdf: FPDF, title: str, periods: list[date], series: list[tuple[str, list]], height: float = 58
) -> None:
    """A line chart of fractions (shown in %) over the months, gaps where data is missing."""
    _make_room(pdf, height + 12)
    pdf.ln(2)
    pdf.set_font(FONT, size=10.5)
    pdf.cell(WIDTH, 7, title, new_x="LMARGIN", new_y="NEXT")
    top = pdf.get_y()
    left, plot_w, plot_h = MARGIN + 14, WIDTH - 16, height - 16
    values = [v for _, vs in series for v in vs if v is not None]
    low, high, step = _ticks(min(values, default=0.0), max(values, default=0.0))
    pdf.set_font(FONT, size=7)
    pdf.set_line_width(0.1)
    pdf.set_draw_color(*GREY)

    def y_of(value: float) -> float:
        return top + plot_h - (value - low) / (high - low) * plot_h

    def x_of(index: int) -> float:
        return left + (index + 0.5) * plot_w / max(len(periods), 1)

    tick = low
    while tick <= high + step / 2:
        pdf.line(left, y_of(tick), left + plot_w, y_of(tick))
        pdf.set_xy(MARGIN, y_of(tick) - 2)
        pdf.cell(13, 4, f"{tick * 100:.0f}%", align="R")
        tick += step
    for index, period in enumerate(periods):
        if index % 3 == len(periods) % 3 or index == len(periods) - 1:
            pdf.set_xy(x_of(index) - 6, top + plot_h + 1)
            pdf.cell(12, 4, f"{period:%y-%m}", align="C")
    pdf.set_line_width(0.5)
    for (_, points), colour in zip(series, PALETTE, strict=False):
        pdf.set_draw_color(*colour)
        run: list[tuple[float, float]] = []
        for index, value in enumerate([*points, None]):
            if value is None:
                if len(run) > 1:
                    pdf.polyline(run)
                elif len(run) == 1:
                    pdf.set_fill_color(*colour)
                    pdf.circle(run[0][0], run[0][1], 0.7, style="F")
                run = []
            else:
                run.append((x_of(index), y_of(float(value))))
    legend_y = top + plot_h + 7
    x = left
    for (label, _), colour in zip(series, PALETTE, strict=False):
        pdf.set_draw_color(*colour)
        pdf.line(x, legend_y + 2, x + 6, legend_y + 2)
        pdf.set_xy(x + 7, legend_y)
        pdf.cell(40, 4, label)
        x += 48
    pdf.set_line_width(0.2)
    pdf.set_draw_color(0, 0, 0)
    pdf.set_xy(MARGIN, top + height)


def _ticks(low: float, high: float) -> tuple[float, float, float]:
    """Round axis bounds and a step giving 4–8 grid lines."""
    if math.isclose(low, high):
        low, high = low - 0.01, high + 0.01
    raw = (high - low) / 5
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    return math.floor(low / step) * step, math.ceil(high / step) * step, step


def _make_room(pdf: FPDF, height: float) -> None:
    if pdf.get_y() + height > pdf.h - MARGIN:
        pdf.add_page()


def _rank(rank: int | None, of: int | None) -> str:
    return MISSING if rank is None else f"{rank} / {of}"
