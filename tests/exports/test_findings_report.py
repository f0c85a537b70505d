"""The findings report a bank receives: CSV with BOM and XLSX, counts and examples, inert."""

import csv
import io

import openpyxl
import polars as pl

from exports.findings_report import write_findings_report
from quality.gate import FINDINGS_SCHEMA

FINDINGS = pl.DataFrame(
    [
        {
            "submission_id": 1,
            "rule_id": "LN-E-011",
            "severity": "error",
            "row_number": 7,
            "column": "借款人统一社会信用代码",
            "value": '=HYPERLINK("http://x","y")',
            "message_zh": "统一社会信用代码无效",
            "message_en": "invalid USCC",
        },
        {
            "submission_id": 1,
            "rule_id": "LN-W-034",
            "severity": "warning",
            "row_number": None,
            "column": None,
            "value": "送达 sent 2026-11-20",
            "message_zh": "逾期报送",
            "message_en": "sent late",
        },
    ],
    schema=FINDINGS_SCHEMA,
)
COUNTS = {"LN-E-011": 1500, "LN-W-034": 1}


def test_csv_has_a_bom_one_line_per_finding_and_inert_values(tmp_path):
    csv_path, _ = write_findings_report(tmp_path / "f.csv", "对公贷款.csv", FINDINGS, COUNTS)
    raw = csv_path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0][:3] == ["文件 file", "行号 row", "列 column"]
    assert rows[1][:7] == [
        "对公贷款.csv",
        "7",
        "借款人统一社会信用代码",
        '\'=HYPERLINK("http://x","y")',
        "LN-E-011",
        "error",
        "1500",
    ]
    assert rows[2][4:7] == ["LN-W-034", "warning", "1"]
    assert len(rows) == 3


def test_xlsx_summary_counts_every_occurrence_and_values_stay_text(tmp_path):
    _, xlsx_path = write_findings_report(tmp_path / "f.csv", "f.csv", FINDINGS, COUNTS)
    book = openpyxl.load_workbook(xlsx_path)
    summary, detail = book["汇总 summary"], book["明细 findings"]
    assert [c.value for c in summary[2]][:4] == ["LN-E-011", "error", 1500, 1]
    cell = detail.cell(row=2, column=4)
    assert cell.value == '=HYPERLINK("http://x","y")'
    assert cell.data_type == "s"  # a string, never a formula
    assert detail.freeze_panes == "A2"


def test_the_report_prints_on_a4_one_page_wide_with_its_header_on_every_page(tmp_path):
    _, xlsx_path = write_findings_report(tmp_path / "f.csv", "f.csv", FINDINGS, COUNTS)
    for sheet in openpyxl.load_workbook(xlsx_path):
        assert sheet.page_setup.paperSize == 9, sheet.title  # A4
        assert sheet.page_setup.orientation == "landscape", sheet.title
        assert sheet.sheet_properties.pageSetUpPr.fitToPage, sheet.title
        assert sheet.page_setup.fitToHeight == 0, sheet.title  # as many pages tall as needed
        assert sheet.print_title_rows == "$1:$1", sheet.title
