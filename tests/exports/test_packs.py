"""Scorecard packs and the regulator workbook as a bank's officer and a regulator open them:
XLSX read back cell by cell and chart by chart, the PDF's text extracted, the CSV as Excel
reads it — on the six-bank fixture whose scores tests/dbt_project/test_bank_scorecard.py
works out by hand."""

import csv
import dataclasses
import re
import zipfile
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from pypdf import PdfReader

from exports.packs import write_packs
from exports.scorecard import ScorecardSource
from orchestration.cli import main
from tests.helpers import (
    BANK_A,
    LOAN_HEADERS,
    SCORECARD_BANKS,
    TOTAL_HEADERS,
    loan,
    totals_matching,
    write_csv,
)

pytestmark = pytest.mark.integration

A, F = "C1901150100001", "C2901150200001"
NAMES = {
    "C1901150100001": "神州工业银行重庆市分行",
    "C1902150100002": "九州农业银行重庆市分行",
    "C1903150100003": "长江建设银行重庆市分行",
    "C1904150100004": "中原交通银行重庆市分行",
    "C1905150100005": "华联储蓄银行重庆市分行",
    "C2901150200001": "海港银行重庆分行",
}
HOSTILE = '=HYPERLINK("http://x","y")'
# Composites of A's four peers (hand-computed in test_bank_scorecard.py): B 33, D 34,
# E 68.69 (composites are rounded to 2 decimals), C 92; quartiles by linear interpolation
# over the four.
E_SCORE = round((3000 + 1000 + 1200 + 20 * (60 + 20 * (1040 / 1050 - 1) * 100) + 850) / 100, 2)
PEERS = sorted([33.0, 34.0, E_SCORE, 92.0])
Q1 = PEERS[0] + 0.75 * (PEERS[1] - PEERS[0])
MEDIAN = (PEERS[1] + PEERS[2]) / 2
Q3 = PEERS[2] + 0.25 * (PEERS[3] - PEERS[2])


@pytest.fixture(scope="module")
def packs(scorecard_home, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("packs")
    code = main(
        [
            "--home",
            str(scorecard_home.root),
            "scorecard",
            "--period",
            "2026-09",
            "--all",
            "--out",
            str(out),
        ]
    )
    assert code == 0
    return out


def _files(folder: Path, bank: str) -> dict[str, Path]:
    return {p.suffix[1:]: p for p in folder.glob(f"2026-09_{bank}_*")}


def _pdf_text(path: Path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(path).pages)


def _xlsx_text(path: Path) -> str:
    book = openpyxl.load_workbook(path)
    return "\n".join(
        str(cell.value)
        for sheet in book
        for row in sheet.iter_rows()
        for cell in row
        if cell.value is not None
    )


def _peer_table(path: Path) -> dict[str, list]:
    """The scorecard sheet's peer table: label → the row's cells, from column B."""
    sheet = openpyxl.load_workbook(path)["得分卡"]
    top = next(r for r in range(1, 80) if sheet.cell(r, 1).value == "同组比较")
    assert [sheet.cell(top, c).value for c in range(2, 8)] == [
        "本行",
        "同组其他机构数",
        "同组下四分位",
        "同组中位数",
        "同组上四分位",
        "说明",
    ]
    return {
        sheet.cell(r, 1).value: [sheet.cell(r, c).value for c in range(2, 8)]
        for r in range(top + 1, top + 12)
        if sheet.cell(r, 1).value
    }


def test_all_writes_three_files_for_every_bank(packs):
    for bank in SCORECARD_BANKS:
        assert set(_files(packs, bank)) == {"xlsx", "pdf", "csv"}, bank
    assert not list(packs.glob(".*partial"))


def test_xlsx_scorecard_sheet_reads_back(packs):
    book = openpyxl.load_workbook(_files(packs, A)["xlsx"])
    assert book.sheetnames == ["得分卡", "指标趋势", "指标口径"]
    sheet = book["得分卡"]
    facts = {sheet.cell(r, 1).value: sheet.cell(r, 2) for r in range(1, 15)}
    assert facts["机构"].value == f"{NAMES[A]}（{A}）"
    assert facts["综合得分"].value == pytest.approx(79.0)
    assert facts["等级"].value == "B"
    assert facts["同组排名"].value == "2 / 5"
    # 26 banks ranked: the six that filed and 20 registered banks that sent nothing.
    assert facts["全市排名"].value == "2 / 26"
    assert facts["评价说明"].value.startswith("正式结果")  # 2026-09 is frozen (its cut-off passed)
    assert facts["权重版本"].value == "2024.1"
    assert sheet.freeze_panes == "A3"
    rows = {
        sheet.cell(r, 1).value: [sheet.cell(r, c) for c in range(2, 6)]
        for r in range(1, 40)
        if sheet.cell(r, 1).value
    }
    gap = rows["制造业贷款增速与各项贷款增速之差"]
    assert gap[0].value == pytest.approx(10.0)  # percentage points
    assert "pp" in gap[0].number_format
    assert [c.value for c in gap[1:]] == [pytest.approx(100), 30, pytest.approx(30)]
    share = rows["制造业贷款占比（同组百分位）"]
    assert share[0].value == pytest.approx(1200 / 11000)
    assert share[0].number_format == "0.00%"
    balance = rows["制造业贷款余额（亿元）"][0]
    assert balance.value == pytest.approx(1200 / 1e8)  # 1,200 元 in 亿元
    assert balance.number_format == "#,##0.00"


def test_xlsx_trend_sheet_has_native_line_charts_over_its_rows(packs):
    path = _files(packs, A)["xlsx"]
    sheet = openpyxl.load_workbook(path)["指标趋势"]
    assert sheet.freeze_panes == "B2"
    assert [sheet.cell(r, 1).value for r in (2, 3)] == ["2025-09", "2026-09"]
    assert sheet.cell(3, 4).value == pytest.approx(0.2)  # manufacturing growth 1000 → 1200
    with zipfile.ZipFile(path) as archive:
        charts = sorted(n for n in archive.namelist() if re.match(r"xl/charts/chart\d+\.xml", n))
        xml = [archive.read(n).decode() for n in charts]
    assert len(xml) == 2
    assert all("<c:lineChart>" in x for x in xml)
    growth = next(x for x in xml if "同比增速" in x)
    assert "指标趋势!$D$2:$D$3" in growth and "指标趋势!$E$2:$E$3" in growth
    shares = next(x for x in xml if "信用贷款占比" in x)
    assert shares.count("<c:ser>") == 3


def test_peers_appear_only_as_quartiles_and_no_other_bank_is_named(packs):
    files = _files(packs, A)
    composite = _peer_table(files["xlsx"])["综合得分"]
    assert composite[1] == 4
    assert composite[2:5] == [pytest.approx(Q1), pytest.approx(MEDIAN), pytest.approx(Q3)]
    texts = {
        "xlsx": _xlsx_text(files["xlsx"]),
        "pdf": _pdf_text(files["pdf"]),
        "csv": files["csv"].read_text(encoding="utf-8-sig"),
    }
    for fmt, body in texts.items():
        assert NAMES[A] in body, fmt
        for code, name in NAMES.items():
            if code != A:
                assert name not in body and code not in body, (fmt, name)


def test_a_group_of_fewer_than_three_other_banks_is_withheld(packs):
    files = _files(packs, F)
    peers = _peer_table(files["xlsx"])
    # F's five peers sent nothing: each has a composite (5.00) but no growth gap.
    composite, gap = peers["综合得分"], peers["增速差"]
    assert composite[1] == 5
    assert composite[2:5] == [5.0, 5.0, 5.0]
    assert gap[1] == 0
    assert gap[2:5] == ["—", "—", "—"]
    assert "不予披露" in gap[5]
    assert "不予披露" in _pdf_text(files["pdf"])
    lines = list(csv.reader(files["csv"].open(encoding="utf-8-sig")))
    gap_line = next(r for r in lines if r[4] == "制造业贷款增速与各项贷款增速之差")
    assert gap_line[9:12] == ["", "", ""]


def test_pdf_shows_bank_grade_numbers_and_charts_in_chinese(packs):
    path = _files(packs, A)["pdf"]
    reader = PdfReader(path)
    assert 1 <= len(reader.pages) <= 2
    text = _pdf_text(path)
    assert "神州工业银行重庆市分行" in text and "报告期 2026年09月" in text
    assert re.search(r"等级\s*B", text)
    assert "79.00" in text and "2 / 5" in text and "2 / 26" in text
    assert "+10.00 pp" in text  # the growth gap
    assert "10.91%" in text  # 1200 / 11000
    assert f"{MEDIAN:.2f}" in text and f"{Q1:.2f}" in text and f"{Q3:.2f}" in text
    assert "制造业贷款同比" in text and "信用贷款占比" in text  # chart legends
    # One font, embedded (so any reader shows the Chinese), and it is the CJK font.
    fonts = {
        font.get_object()["/BaseFont"]: font.get_object()
        for page in reader.pages
        for font in page["/Resources"]["/Font"].values()
    }
    assert len(fonts) == 1
    ((name, font),) = fonts.items()
    descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
    assert "/FontFile2" in descriptor
    assert "WenQuanYi" in name or "CJK" in name, name


def test_csv_has_bom_and_the_scorecard_in_rows(packs):
    path = _files(packs, A)["csv"]
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(path.open(encoding="utf-8-sig")))
    assert rows[0][:6] == ["机构代码", "机构名称", "报告期", "同组", "项目", "取值"]
    by_item = {row[4]: row for row in rows[1:]}
    assert float(by_item["综合得分"][5]) == pytest.approx(79.0)
    assert by_item["等级"][5] == "B"
    assert float(by_item["制造业贷款占比（同组百分位）"][5]) == pytest.approx(1200 / 110)
    assert by_item["制造业贷款占比（同组百分位）"][6] == "%"


def test_text_that_looks_like_a_formula_stays_inert_in_every_format(scorecard_home, tmp_path):
    source = ScorecardSource(scorecard_home.published_db, date(2026, 9, 30))
    original = source.pack
    source.pack = lambda code: dataclasses.replace(
        original(code), card={**original(code).card, "bank_name": HOSTILE}
    )
    written = write_packs(source, tmp_path, banks=[A])
    paths = {p.suffix[1:]: p for p in written[0].paths}
    book = openpyxl.load_workbook(paths["xlsx"])
    cells = [cell for sheet in book for row in sheet.iter_rows() for cell in row]
    assert not [c for c in cells if c.data_type == "f"]
    assert any(c.value == f"{HOSTILE}（{A}）" and c.data_type == "s" for c in cells)
    rows = list(csv.reader(paths["csv"].open(encoding="utf-8-sig")))
    assert {row[1] for row in rows[1:]} == {"'" + HOSTILE}
    assert HOSTILE in _pdf_text(paths["pdf"])


def test_unknown_bank_bad_period_and_bad_format_are_refused(scorecard_home, tmp_path, capsys):
    home = ["--home", str(scorecard_home.root)]
    # Not in the registry: a usage error, with the near miss suggested.
    assert main([*home, "scorecard", "--bank", "C190115010001", "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "C190115010001" in err and "C1901150100001 神州工业银行重庆市分行" in err
    assert "Traceback" not in err
    assert main([*home, "scorecard", "--all", "--period", "2026-13"]) == 2
    assert main([*home, "scorecard", "--all", "--format", "docx"]) == 2
    # Before any bank owed a scored month (the scheme starts 2024-01): nothing to write.
    assert main([*home, "scorecard", "--all", "--period", "2023-06"]) == 1
    assert not list(tmp_path.iterdir())


def test_a_missing_font_is_a_clear_refusal_not_empty_boxes(
    scorecard_home, tmp_path, monkeypatch, capsys
):
    from exports import fonts

    fonts.cjk_font.cache_clear()
    monkeypatch.setenv("ZHIRONG_CJK_FONT", str(tmp_path / "no-such-font.ttf"))
    try:
        code = main(
            [
                "--home",
                str(scorecard_home.root),
                "scorecard",
                "--bank",
                A,
                "--format",
                "pdf",
                "--out",
                str(tmp_path / "out"),
            ]
        )
    finally:
        fonts.cjk_font.cache_clear()
    assert code == 1
    assert "ZHIRONG_CJK_FONT" in capsys.readouterr().err
    assert not list((tmp_path / "out").glob("*.pdf"))


def test_a_borrower_named_like_a_formula_comes_out_inert_everywhere(tmp_path):
    home = tmp_path / "home"
    rows = [
        loan(report_period="2026-09", borrower_name=HOSTILE),
        loan(report_period="2026-09", loan_id="L2", borrower_name="+SUM(A1)"),
    ]
    write_csv(home / "inbox" / "loans_A_2026-09.csv", rows, LOAN_HEADERS)
    write_csv(home / "inbox" / "totals_A_2026-09.csv", [totals_matching(rows)], TOTAL_HEADERS)
    bad = [
        loan(
            report_period="2026-09", bank_code=BANK_A, borrower_name=HOSTILE, borrower_uscc=HOSTILE
        )
    ]
    write_csv(home / "inbox" / "loans_A_2026-09_bad.csv", bad, LOAN_HEADERS)
    assert main(["--home", str(home), "refresh"]) == 1  # the bad file is rejected
    out = tmp_path / "out"
    assert (
        main(["--home", str(home), "scorecard", "--period", "2026-09", "--all", "--out", str(out)])
        == 0
    )
    assert main(["--home", str(home), "workbook", "--period", "2026-09", "--out", str(out)]) == 0
    books = [*out.glob("*.xlsx"), *home.rglob("*.xlsx")]
    texts = [*out.glob("*.csv"), *home.rglob("*.findings.csv")]
    assert books and texts
    for path in books:
        cells = [
            c for sheet in openpyxl.load_workbook(path) for row in sheet.iter_rows() for c in row
        ]
        assert not [c for c in cells if c.data_type == "f"], path.name
    for path in texts:
        fields = [f for row in csv.reader(path.open(encoding="utf-8-sig")) for f in row]
        assert not [f for f in fields if f.startswith(("=", "+", "@"))], path.name
    report = next(home.rglob("*.findings.csv")).read_text(encoding="utf-8-sig")
    assert "'" + HOSTILE.replace('"', '""') in report
