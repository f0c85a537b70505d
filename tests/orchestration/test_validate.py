"""`zhirong validate`: what a bank runs before sending — the production rules, no writes,
a readable summary, exit 0 without errors and 1 with any."""

import io
import os
import zipfile
from pathlib import Path

import pytest
import xlsxwriter

from orchestration.cli import main
from tests.helpers import (
    LOAN_HEADERS,
    LOAN_HEADERS_ZH,
    TOTAL_HEADERS,
    loan,
    totals_matching,
    write_csv,
)


def _plain(path):
    return write_csv(
        path,
        [
            loan(loan_id="L1", balance="600000.00", balance_cny="600000.00"),
            loan(loan_id="L2", balance="400000.00", balance_cny="400000.00"),
        ],
        LOAN_HEADERS,
    )


def _empty(path):
    path.write_bytes(b"")
    return path


def _header_only(path):
    path.write_text(",".join(LOAN_HEADERS) + "\n", encoding="utf-8")
    return path


def _truncated(path):
    _plain(path)
    path.write_bytes(path.read_bytes()[:-30])
    return path


def _semicolons(path):
    return write_csv(path, [loan()], LOAN_HEADERS, delimiter=";")


def _junk(path):
    path.write_bytes(os.urandom(4096))
    return path


def _duplicate_header(path):
    return write_csv(path, [{**loan(), "x": "1"}], [*LOAN_HEADERS, "balance"])


def _extra_column(path):
    return write_csv(path, [{**loan(), "备注": "续贷"}], [*LOAN_HEADERS, "备注"])


def _missing_column(path):
    return write_csv(path, [loan()], [h for h in LOAN_HEADERS if h != "maturity_date"])


def _separators_and_full_width(path):
    return write_csv(
        path,
        [loan(balance="1,000,000.00", balance_cny="１００００００.００", interest_rate="３.５")],
        LOAN_HEADERS,
    )


def _date_styles(path):
    return write_csv(
        path,
        [
            loan(
                loan_id="A",
                issue_date="20250115",
                maturity_date="2027-01-15",
                balance="400000.00",
                balance_cny="400000.00",
            ),
            loan(
                loan_id="B",
                issue_date="2025/01/15",
                maturity_date="2027/1/15",
                balance="300000.00",
                balance_cny="300000.00",
            ),
            # Excel serials: 45672 = 2025-01-15, 46402 = 2027-01-15.
            loan(
                loan_id="C",
                issue_date="45672",
                maturity_date="46402",
                balance="300000.00",
                balance_cny="300000.00",
            ),
        ],
        LOAN_HEADERS,
    )


def _xlsx(path, sheets):
    with xlsxwriter.Workbook(path) as book:
        for build in sheets:
            build(book)
    return path


def _title_block(path):
    def sheet(book):
        s = book.add_worksheet("明细")
        s.merge_range(0, 0, 0, 15, "对公贷款借据（2026年10月）")
        s.write(1, 0, "单位：元")
        s.write_row(3, 0, [LOAN_HEADERS_ZH[h] for h in LOAN_HEADERS])
        s.write_row(4, 0, [loan()[h] for h in LOAN_HEADERS])

    return _xlsx(path.with_suffix(".xlsx"), [sheet])


def _several_sheets(path):
    def cover(book):
        book.add_worksheet("说明").write(0, 0, "填报说明")

    def data(book):
        s = book.add_worksheet("数据")
        s.write_row(0, 0, [LOAN_HEADERS_ZH[h] for h in LOAN_HEADERS])
        s.write_row(1, 0, [loan()[h] for h in LOAN_HEADERS])

    return _xlsx(path.with_suffix(".xlsx"), [cover, data])


def _bomb(path):
    target = path.with_suffix(".xlsx")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"<row/>" * (20 << 20))
    target.write_bytes(buffer.getvalue())
    return target


def _junk_xlsx(path):
    return _junk(path.with_suffix(".xlsx"))


# messy file → (exit code, the rule that decides it, or None when it passes cleanly)
CASES = {
    "plain": (_plain, 0, None),
    "empty file": (_empty, 1, "FL-E-002"),
    "header only": (_header_only, 1, "LN-E-003"),
    "truncated last line": (_truncated, 1, "FL-E-003"),
    "semicolon delimiter": (_semicolons, 0, None),
    "binary junk named .csv": (_junk, 1, "FL-E-001"),
    "binary junk named .xlsx": (_junk_xlsx, 1, "FL-E-001"),
    "duplicate header names": (_duplicate_header, 1, "LN-E-002"),
    "unknown extra column": (_extra_column, 0, "LN-W-001"),
    "missing required column": (_missing_column, 1, "LN-E-001"),
    "thousands separators, full-width digits": (_separators_and_full_width, 0, None),
    "YYYYMMDD, YYYY/MM/DD and Excel serial dates": (_date_styles, 0, None),
    "xlsx with a title block": (_title_block, 0, None),
    "xlsx with several sheets": (_several_sheets, 0, None),
    "xlsx with an absurd unpacked size": (_bomb, 1, "FL-E-004"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_messy_files_get_their_documented_outcome(case, tmp_path, capsys, monkeypatch):
    build, code, rule = CASES[case]
    work = tmp_path / "work"
    work.mkdir()
    path = build(work / "loans.csv")
    # The bank also sends its totals (for 1,000,000 of manufacturing loans, as every case
    # holds), so a clean file shows no cross-file warning.
    totals = write_csv(work / "totals.csv", [totals_matching([loan()])], TOTAL_HEADERS)
    before = sorted(p.name for p in work.iterdir())
    monkeypatch.chdir(tmp_path)
    exit_code = main(["--home", str(tmp_path / "home"), "validate", str(path), str(totals)])
    out = capsys.readouterr().out
    assert exit_code == code, out
    first_line = out.splitlines()[0]
    if rule:
        assert rule in out
    elif code == 0:
        assert "passes" in first_line and "0 warnings" in first_line, out
    # Nothing written anywhere: no home, nothing new beside the files or in the cwd.
    assert sorted(p.name for p in work.iterdir()) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["work"]


def test_validate_can_write_the_findings_report_on_request(tmp_path, capsys):
    bad = write_csv(
        tmp_path / "bad.csv", [loan(borrower_uscc='=HYPERLINK("http://x","y")')], LOAN_HEADERS
    )
    assert main(["validate", str(bad), "--report", str(tmp_path / "reports")]) == 1
    csv_report = tmp_path / "reports" / "bad.csv.findings.csv"
    text = csv_report.read_bytes()
    assert text.startswith(b"\xef\xbb\xbf")
    body = text.decode("utf-8-sig")
    assert "LN-E-011" in body and "'=HYPERLINK" in body
    assert (tmp_path / "reports" / "bad.csv.findings.xlsx").exists()


def test_missing_file_is_a_usage_error(tmp_path, capsys):
    assert main(["validate", str(tmp_path / "nope.csv")]) == 2
    assert "no such file" in capsys.readouterr().err


def test_validate_reads_every_sample_format(tmp_path, capsys):
    from sample.generate import SampleConfig, generate

    files = generate(
        tmp_path,
        SampleConfig(banks=5, start="2026-10", end="2026-10", loans_per_bank=30, enterprises=100),
    )
    assert {Path(f).suffix for f in files} == {".csv", ".xlsx", ".parquet"}
    assert main(["validate", *map(str, files)]) == 0
    out = capsys.readouterr().out
    # 5 banks × (loans + totals), and the month's registers.
    assert f"{len(files)} 个通过 passed, 0 个不通过 failed" in out
    for kind in ("bonds", "engagements", "enterprises", "fund_investments"):
        assert f" {kind} · " in out


def test_tolerances_come_from_the_environment_on_both_sides(tmp_path, capsys, monkeypatch):
    rows = [loan(), loan(loan_id="L2", industry_code="F5121")]
    loans = write_csv(tmp_path / "loans.csv", rows, LOAN_HEADERS)
    off = {**totals_matching(rows), "corporate_loans": "1980000.00"}  # loans 1% above
    sums = write_csv(tmp_path / "totals.csv", [off], TOTAL_HEADERS)
    assert main(["validate", str(loans), str(sums)]) == 0  # 1% is a warning by default
    assert "LN-W-030" in capsys.readouterr().out
    monkeypatch.setenv("ZHIRONG_RECONCILE_ERROR", "0.005")
    assert main(["validate", str(loans), str(sums)]) == 1
    assert "LN-E-030" in capsys.readouterr().out
    assert main(["rules"]) == 0
    assert "error 0.50%" in capsys.readouterr().out
