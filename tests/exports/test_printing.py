"""The exports print: a bank's pack converted by LibreOffice is at most three A4 pages, the
regulator workbook prints one page wide with its headers on every page, and no bank code
or name is cut off by its column."""

import shutil
import subprocess
import unicodedata
from pathlib import Path

import openpyxl
import pytest
from pypdf import PdfReader

pytestmark = pytest.mark.integration

A4 = (595, 842)  # points, portrait
BANK, NAME = "C1901150100001", "神州工业银行重庆市分行"


def _soffice() -> str:
    found = shutil.which("soffice")
    assert found, "LibreOffice is part of the test set-up: run ./scripts/install-test-tools"
    return found


@pytest.fixture(scope="module")
def printed(scorecard_home, tmp_path_factory) -> dict[str, Path]:
    """The nightly job's pack for one bank and the regulator workbook, printed to PDF."""
    folder = scorecard_home.exports / "2026-09"
    pack = next(folder.glob(f"2026-09_{BANK}_*.xlsx"))
    workbook = folder / "2026-09_督导评价_监管汇总.xlsx"
    out = tmp_path_factory.mktemp("printed")
    profile = tmp_path_factory.mktemp("soffice-profile")
    subprocess.run(
        [
            _soffice(),
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(out),
            str(pack),
            str(workbook),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    return {
        "pack": out / f"{pack.stem}.pdf",
        "workbook": out / f"{workbook.stem}.pdf",
        "pack_xlsx": pack,
        "workbook_xlsx": workbook,
    }


def _size(page) -> tuple[int, int]:
    box = page.mediabox
    return round(float(box.width)), round(float(box.height))


def test_a_banks_pack_prints_on_at_most_three_a4_pages(printed):
    pages = PdfReader(printed["pack"]).pages
    assert len(pages) <= 3
    assert all(sorted(_size(p)) == sorted(A4) for p in pages)
    # The first page carries the bank's name and code whole.
    assert f"{NAME}（{BANK}）" in pages[0].extract_text().replace("\n", "")


def test_the_regulator_workbook_prints_one_page_wide_on_a4(printed):
    pages = PdfReader(printed["workbook"]).pages
    assert all(sorted(_size(p)) == sorted(A4) for p in pages)
    # Fifteen sheets, each fitted to the width: the ranking of 26 banks is one landscape page;
    # the money sheets of this fixture (no claims or bridges) are a page each.
    assert 15 <= len(pages) <= 24
    assert _size(pages[0]) == (842, 595)
    book = openpyxl.load_workbook(printed["workbook_xlsx"])
    for sheet in book:
        assert sheet.page_setup.paperSize == 9, sheet.title  # A4
        assert sheet.sheet_properties.pageSetUpPr.fitToPage, sheet.title
        # One page wide (1 is the file format's default, left out when written), any tall.
        assert sheet.page_setup.fitToWidth in (None, 1), sheet.title
        assert sheet.page_setup.fitToHeight == 0, sheet.title
    assert book["银行排名"].print_title_rows == "$1:$2"


def _display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


@pytest.mark.parametrize("sheet_name", ["银行排名", "数据质量", "报送完整性"])
def test_no_bank_code_or_name_is_cut_off(printed, sheet_name):
    sheet = openpyxl.load_workbook(printed["workbook_xlsx"])[sheet_name]
    header = {c.value: c.column_letter for c in sheet[2]}
    for title in ("机构代码", "机构名称"):
        letter = header[title]
        values = [c.value for c in sheet[letter][2:] if c.value]
        assert values, title
        width = sheet.column_dimensions[letter].width
        assert width >= max(_display_width(v) for v in values), (sheet_name, title, width)


def test_the_plan_progress_sheet_names_each_rows_unit(printed):
    sheet = openpyxl.load_workbook(printed["workbook_xlsx"])["规划进度"]
    header = [c.value for c in sheet[2]]
    rows = [
        dict(zip(header, (c.value for c in row), strict=True)) for row in sheet.iter_rows(min_row=3)
    ]
    units = {r["目标"]: r["单位"] for r in rows}
    assert {units[t] for t in units if "亿元" in t} == {"亿元"}
    assert {units[t] for t in units if "家（次）" in t} == {"家次"}
    assert {units[t] for t in units if "10%" in t} == {"%"}


def test_the_workbook_explains_its_sheets_and_columns(printed):
    sheet = openpyxl.load_workbook(printed["workbook_xlsx"])["口径说明"]
    cells = {str(c.value) for row in sheet.iter_rows() for c in row if c.value}
    assert {"银行排名", "全市指标", "规划进度", "数据质量", "报送完整性", "评价变更"} <= cells
    assert {"贴息", "担保费补助", "应急转贷", "风险分担", "奖励", "白名单推送"} <= cells
    assert "subsidy_due" in cells and any("万元" in c for c in cells)
    assert "mfg_loan_share" in cells
    assert any("亿元" in c for c in cells)
