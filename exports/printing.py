"""Every XLSX export prints: A4, landscape where the sheet is wide, fitted to the page
width, header rows repeated on every page, page numbers, and column widths measured in
display columns (a Chinese character takes two), so no code or name is cut off."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

A4 = 9  # Excel's paper code
# Excel's column width unit is one narrow digit; a little slack for the cell's padding.
PADDING = 2
NARROWEST, WIDEST = 6, 60
# Above this many width units a sheet goes landscape (A4 portrait holds about 90 at 100 %).
PORTRAIT_UNITS = 90
FOOTER = "&L&A&R第 &P 页，共 &N 页 / page &P of &N"


def display_width(text: str) -> int:
    """Columns `text` takes on screen or paper: CJK characters count two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def column_width(
    header: str, values: Iterable[str], widest: int = WIDEST, header_lines: int = 2
) -> int:
    """The width a column needs for its values in full, and for its header wrapped onto at
    most `header_lines` lines."""
    longest = max((display_width(v) for v in values), default=0)
    head = -(-display_width(header) // header_lines)
    return max(NARROWEST, min(widest, max(longest, head) + PADDING))


def wrapped_lines(text: str, width: int) -> int:
    """How many lines `text` takes wrapped in a column `width` units wide."""
    usable = max(1, width - PADDING)
    return sum(max(1, -(-display_width(part) // usable)) for part in text.split("\n"))


def set_up_page(
    sheet, width_units: float, header_rows: tuple[int, int] | None = None, one_page: bool = False
) -> None:
    """A4, fitted to one page wide (and one page tall if `one_page`), landscape when the
    sheet is wider than portrait holds; `header_rows` (first, last) repeat on every page."""
    sheet.set_paper(A4)
    if width_units > PORTRAIT_UNITS:
        sheet.set_landscape()
    else:
        sheet.set_portrait()
    sheet.fit_to_pages(1, 1 if one_page else 0)
    sheet.set_margins(left=0.5, right=0.5, top=0.6, bottom=0.6)
    sheet.center_horizontally()
    sheet.set_footer(FOOTER)
    if header_rows is not None:
        sheet.repeat_rows(*header_rows)
