"""Limits checked before any parser sees a file: what an XLSX really unpacks to, the cells a
sheet spans, the longest CSV line, a Parquet footer — each refusal with its rule."""

import os
import subprocess
import sys
import textwrap

import polars as pl
import pytest
import xlsxwriter

from ingest.batches import read_one
from ingest.containers import check_csv_lines, column_number
from ingest.limits import ReadLimits
from ingest.readers import UnreadableFile, read_file
from tests.helpers import LOAN_HEADERS, loan, write_csv
from tests.poison import (
    HEADER_CELLS,
    dimension_bomb,
    endless_line_csv,
    far_cell_bomb,
    lying_zip_bomb,
    sheet_xml,
    workbook,
)


def _refusal(path, limits=None) -> UnreadableFile:
    with pytest.raises(UnreadableFile) as refused:
        read_file(path, limits)
    return refused.value


def test_column_letters_count_like_a_spreadsheet():
    assert [column_number(x) for x in ("A", "Z", "AA", "AZ", "XFD")] == [1, 26, 27, 52, 16384]


def test_a_sheet_declaring_seventeen_billion_cells_is_refused_unread(tmp_path):
    refused = _refusal(dimension_bomb(tmp_path / "dim.xlsx"))
    assert refused.rule_id == "FL-E-011"
    assert "1,048,576 rows × 16,384 columns" in refused.message_en
    assert "declares" in refused.message_en


def test_a_far_cell_without_a_dimension_is_measured_and_refused(tmp_path):
    refused = _refusal(far_cell_bomb(tmp_path / "far.xlsx"))
    assert refused.rule_id == "FL-E-011"
    assert "reaches 1,048,576 rows × 16,384 columns" in refused.message_en


def test_a_cell_outside_the_declared_dimension_is_refused(tmp_path):
    refused = _refusal(far_cell_bomb(tmp_path / "liar.xlsx", dimension="A1:B2"))
    assert refused.rule_id == "FL-E-011"
    assert "outside its declared dimension" in refused.message_en


@pytest.mark.parametrize("attribute", ["r='C5'", 'r = "C5"', 't="s" r="C5"'])
def test_a_row_position_written_another_legal_way_is_still_seen(tmp_path, attribute):
    sheet = sheet_xml(HEADER_CELLS, "A1:B1").replace(
        b"</sheetData>", f'<row r="5"><c {attribute}><v>1</v></c></row></sheetData>'.encode()
    )
    assert _refusal(workbook(tmp_path / "odd.xlsx", sheet)).rule_id == "FL-E-011"


def test_a_sheet_within_its_dimension_reads(tmp_path):
    path = tmp_path / "fine.xlsx"
    with xlsxwriter.Workbook(path) as book:
        sheet = book.add_worksheet()
        sheet.write_row(0, 0, LOAN_HEADERS)
        sheet.write_row(1, 0, list(loan().values()))
    raw = read_file(path)
    assert raw.headers == LOAN_HEADERS
    assert raw.frame.height == 1


def test_zip_headers_that_understate_the_size_are_not_believed(tmp_path):
    bomb = lying_zip_bomb(tmp_path / "bomb.xlsx", unpacked_mib=64)
    assert bomb.stat().st_size < 200_000
    refused = _refusal(bomb, ReadLimits(max_xlsx_unpacked_bytes=32 << 20))
    assert refused.rule_id == "FL-E-004"
    assert "really unpacks to at least 33,554,432 bytes" in refused.message_en


def test_refusing_a_lying_bomb_takes_little_memory(tmp_path):
    """A child process inflates a 1.2 GiB bomb against the default 1 GiB limit; its peak
    memory (VmHWM: this process image's own, unlike ru_maxrss, which a child inherits from
    the test process) stays far below what parsing it would take (the parser took 2.1 GB)."""
    bomb = lying_zip_bomb(tmp_path / "bomb.xlsx", unpacked_mib=1200)
    code = textwrap.dedent(f"""
        import re
        from pathlib import Path
        from ingest.readers import UnreadableFile, read_file
        try:
            read_file(Path({str(bomb)!r}))
        except UnreadableFile as refused:
            status = Path("/proc/self/status").read_text()
            print(refused.rule_id, re.search(r"VmHWM:\\s+(\\d+) kB", status).group(1))
    """)
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=os.getcwd()
    )
    rule, peak_kib = done.stdout.split()
    assert rule == "FL-E-004"
    assert int(peak_kib) / 1024 < 600


def test_a_line_over_the_limit_is_refused_with_its_line_number(tmp_path):
    path = endless_line_csv(tmp_path / "long.csv", 100 << 20)
    refused = _refusal(path)
    assert refused.rule_id == "FL-E-010"
    assert refused.message_en.startswith("line 2 is 104,857,600 bytes long")


@pytest.mark.parametrize("length", [600, 999, 1000])
def test_lines_up_to_the_limit_pass_even_where_a_window_has_no_break(length):
    """With a 1,000-byte limit the check looks at 500-byte windows: a 600-byte line fills a
    window without a line break, is measured, and passes."""
    data = b"a,b\n" + b"x" * length + b"\n" + b"y\n"
    check_csv_lines(data, ReadLimits(max_csv_line_bytes=1000))


def test_a_line_one_byte_over_the_limit_is_refused():
    data = b"a,b\n" + b"x" * 1001 + b"\n"
    with pytest.raises(UnreadableFile) as refused:
        check_csv_lines(data, ReadLimits(max_csv_line_bytes=1000))
    assert "line 2 is 1,001 bytes" in refused.value.message_en


def test_a_long_field_within_the_line_limit_is_read(tmp_path):
    name = "重庆" * 70_000  # 420 KB of UTF-8, beyond the csv module's default field size
    path = write_csv(tmp_path / "wide.csv", [loan(borrower_name=name)], LOAN_HEADERS)
    assert read_file(path).frame["c4"][0] == name


def test_a_parquet_footer_over_the_cell_limit_is_refused(tmp_path):
    path = tmp_path / "big.parquet"
    pl.DataFrame({"a": range(1000), "b": range(1000)}).write_parquet(path)
    refused = _refusal(path, ReadLimits(max_parquet_cells=1999))
    assert refused.rule_id == "FL-E-011"
    assert "1,000 rows × 2 columns" in refused.message_en


def test_a_link_is_refused_without_reading_its_target(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    link = tmp_path / "loans.csv"
    link.symlink_to(fifo)
    # Opening the target would block forever; a refusal returns at once.
    refused = read_one(link, link.name, ReadLimits())
    assert refused.rule_id == "FL-E-007"
    assert "symbolic link" in refused.message_en


def test_a_pipe_is_refused_without_opening_it(tmp_path):
    fifo = tmp_path / "loans.csv"
    os.mkfifo(fifo)
    refused = read_one(fifo, fifo.name, ReadLimits())
    assert (refused.rule_id, "named pipe" in refused.message_en) == ("FL-E-007", True)


def test_a_name_over_the_limit_is_refused(tmp_path):
    path = write_csv(tmp_path / "loans.csv", [loan()], LOAN_HEADERS)
    refused = read_one(path, "贷" * 67 + ".csv", ReadLimits())  # 205 bytes of UTF-8
    assert refused.rule_id == "FL-E-008"
    assert "205 bytes long" in refused.message_en


def test_a_file_over_the_size_limit_is_refused_unread(tmp_path):
    path = tmp_path / "huge.csv"
    with open(path, "wb") as handle:
        handle.truncate((2 << 30) + 1)  # sparse: no disk used, never read
    refused = read_one(path, path.name, ReadLimits())
    assert refused.rule_id == "FL-E-009"


def test_any_exception_while_reading_becomes_a_reason_not_a_crash(tmp_path):
    path = tmp_path / "nested.parquet"
    pl.DataFrame({"bank_code": [["a", "b"]], "report_period": ["2026-10"]}).write_parquet(path)
    refused = read_one(path, path.name, ReadLimits())
    assert refused.rule_id == "FL-E-012"
    assert "reading the file failed" in refused.message_en
