"""Reading every container and encoding banks send, with their own row numbers."""

import io
import zipfile
from datetime import date, datetime
from decimal import Decimal

import polars as pl
import pytest
import xlsxwriter

from ingest.readers import UnreadableFile, read_file
from ingest.submission import read_submission
from tests.helpers import LOAN_HEADERS, LOAN_HEADERS_ZH, loan, write_csv


def _chinese_rows(rows):
    return [{LOAN_HEADERS_ZH[k]: v for k, v in row.items()} for row in rows]


def test_utf8_csv_with_english_headers(tmp_path):
    path = write_csv(tmp_path / "a.csv", [loan(), loan(loan_id="L0002")], LOAN_HEADERS)
    sub = read_submission(path)
    assert sub.kind.name == "loans"
    assert sub.data["loan_id"].to_list() == ["L0001", "L0002"]
    assert sub.data["row_number"].to_list() == [2, 3]


def test_gbk_csv_with_chinese_headers_and_bank_vocabulary(tmp_path):
    rows = _chinese_rows(
        [
            loan(
                guarantee_type="信用",
                enterprise_scale="中型",
                borrower_name="重庆某（集团）有限公司",
                industry_code="3612",
                issue_date="20250115",
                maturity_date="20270115",
                balance="1,000,000.00",
            )
        ]
    )
    path = write_csv(tmp_path / "gbk.csv", rows, encoding="gbk")
    sub = read_submission(path)
    assert sub.raw.encoding == "gb18030"
    row = sub.data.row(0, named=True)
    assert row["guarantee_type"] == "D"
    assert row["enterprise_scale"] == "CS02"
    assert row["borrower_name"] == "重庆某(集团)有限公司"
    assert row["industry_code"] == "C3612"
    assert row["industry_division"] == "36"
    assert row["issue_date"] == date(2025, 1, 15)
    assert row["balance"] == Decimal("1000000.00")


def test_utf8_bom_csv_and_guarantee_sub_codes(tmp_path):
    path = write_csv(
        tmp_path / "bom.csv", [loan(guarantee_type="B01")], LOAN_HEADERS, encoding="utf-8-sig"
    )
    row = read_submission(path).data.row(0, named=True)
    assert (row["guarantee_type"], row["guarantee_code"]) == ("B", "B01")


def test_semicolon_delimited_csv_is_read(tmp_path):
    path = write_csv(tmp_path / "semi.csv", [loan()], LOAN_HEADERS, delimiter=";")
    assert read_submission(path).data["loan_id"].to_list() == ["L0001"]


def test_codes_keep_their_leading_zeros(tmp_path):
    path = write_csv(
        tmp_path / "zeros.csv", [loan(industry_code="0111", loan_id="000123")], LOAN_HEADERS
    )
    row = read_submission(path).data.row(0, named=True)
    assert (row["loan_id"], row["industry_division"]) == ("000123", "01")


def _xlsx(path, title_rows, headers, rows, first_row=0):
    with xlsxwriter.Workbook(path) as book:
        sheet = book.add_worksheet("明细")
        for r, text in enumerate(title_rows, start=first_row):
            sheet.write(r, 0, text)
        header_row = first_row + len(title_rows)
        sheet.write_row(header_row, 0, headers)
        for r, row in enumerate(rows, start=header_row + 1):
            for c, value in enumerate(row):
                if isinstance(value, date):
                    sheet.write_datetime(r, c, value, book.add_format({"num_format": "yyyy-mm-dd"}))
                else:
                    sheet.write(r, c, value)
    return path


def test_xlsx_with_title_block_and_wan_yuan_unit(tmp_path):
    headers = [LOAN_HEADERS_ZH[h] for h in LOAN_HEADERS]
    values = loan()
    values.update(
        balance=123.4567,
        balance_cny=123.4567,
        interest_rate=3.5,
        issue_date=date(2024, 2, 29),
        maturity_date=date(2026, 2, 28),
    )
    path = _xlsx(
        tmp_path / "t.xlsx",
        ["某银行对公贷款借据明细", "单位：万元", ""],
        headers,
        [[values[h] for h in LOAN_HEADERS]],
    )
    sub = read_submission(path)
    row = sub.data.row(0, named=True)
    # 123.4567 万元 = 1,234,567.00 元
    assert row["balance"] == Decimal("1234567.00")
    assert row["issue_date"] == date(2024, 2, 29)
    # Title, unit, blank, header → the data is on Excel row 5.
    assert row["row_number"] == 5


def test_xlsx_row_numbers_count_leading_empty_rows(tmp_path):
    headers = [LOAN_HEADERS_ZH[h] for h in LOAN_HEADERS]
    path = _xlsx(
        tmp_path / "late.xlsx", ["标题"], headers, [[loan()[h] for h in LOAN_HEADERS]], first_row=2
    )
    # Rows 1–2 empty, title on row 3, header on row 4, data on row 5.
    assert read_submission(path).data["row_number"].to_list() == [5]


def test_header_unit_suffix_scales_that_column(tmp_path):
    path = write_csv(
        tmp_path / "totals.csv",
        [
            {
                "bank_code": "C1901150100001",
                "report_period": "2026-10",
                "各项贷款余额(万元)": "10",
                "中长期贷款余额(万元)": "6",
                "信用贷款余额(亿元)": "0.0003",
                "企事业单位贷款余额（万元）": "7",
                "制造业贷款余额(元)": "1000000",
            }
        ],
    )
    row = read_submission(path).data.row(0, named=True)
    assert row["total_loans"] == Decimal("100000.00")
    assert row["total_credit_loans"] == Decimal("30000.00")
    assert row["corporate_loans"] == Decimal("70000.00")
    assert row["mfg_loans_reported"] == Decimal("1000000.00")


def test_parquet_with_typed_columns(tmp_path):
    frame = pl.DataFrame([loan()]).with_columns(
        pl.col("issue_date").str.to_date(), pl.col("balance").cast(pl.Decimal(18, 2))
    )
    frame.write_parquet(tmp_path / "p.parquet")
    row = read_submission(tmp_path / "p.parquet").data.row(0, named=True)
    assert (row["issue_date"], row["balance"], row["row_number"]) == (
        date(2025, 1, 15),
        Decimal("1000000.00"),
        1,
    )


def test_parquet_dates_and_numbers_read_as_their_text_would(tmp_path):
    # Typed cells give what the same text would: 0.125 元 rounds half to even (0.12), as
    # the text 0.125 does; 2.675 万元 is 26,750.00 元; a Float32 rate of 4.35 is 4.35 (as a
    # double it would be 4.349999904632568); a period's date gives its month-end, a
    # maturity's time of day is dropped.
    frame = (
        pl.DataFrame([loan(), loan(loan_id="L0002")])
        .with_columns(
            pl.Series("report_period", [date(2026, 10, 15), date(2026, 10, 31)]),
            pl.Series("issue_date", [date(2024, 3, 1), date(2025, 1, 15)]),
            pl.Series("maturity_date", [datetime(2028, 3, 1, 12, 30), datetime(2027, 1, 15)]),
            pl.Series("balance", [2.675, 1.5]),
            pl.Series("balance_cny", [0.125, 20000000.12]),
            pl.Series("interest_rate", [4.35, 3.9], dtype=pl.Float32),
        )
        .rename({"balance": "贷款余额(万元)"})
    )
    frame.write_parquet(tmp_path / "typed.parquet")
    data = read_submission(tmp_path / "typed.parquet").data
    assert data["report_period"].to_list() == [date(2026, 10, 31)] * 2
    assert data["issue_date"].to_list() == [date(2024, 3, 1), date(2025, 1, 15)]
    assert data["maturity_date"].to_list() == [date(2028, 3, 1), date(2027, 1, 15)]
    assert data["balance"].to_list() == [Decimal("26750.00"), Decimal("15000.00")]
    assert data["balance_cny"].to_list() == [Decimal("0.12"), Decimal("20000000.12")]
    assert data["interest_rate"].to_list() == [4.35, 3.9]
    # …which is what the same values sent as text give.
    as_text = write_csv(
        tmp_path / "typed.csv",
        frame.with_columns(pl.all().cast(pl.String)).to_dicts(),
    )
    assert read_submission(as_text).data.drop("row_number").equals(data.drop("row_number"))


@pytest.mark.parametrize(
    ("name", "content", "rule"),
    [
        ("empty.csv", b"", "FL-E-002"),
        ("junk.csv", bytes(range(256)) * 4, "FL-E-001"),
        ("junk.xlsx", b"this is not a zip", "FL-E-001"),
        ("notes.docx", b"hello", "FL-E-001"),
    ],
)
def test_unreadable_files_say_why(tmp_path, name, content, rule):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(UnreadableFile) as caught:
        read_file(path)
    assert caught.value.rule_id == rule
    assert caught.value.message_zh and caught.value.message_en


def test_xlsx_that_unpacks_to_an_absurd_size_is_refused_before_parsing(tmp_path):
    path = tmp_path / "bomb.xlsx"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * (50 << 20))
    path.write_bytes(buffer.getvalue())
    with pytest.raises(UnreadableFile) as caught:
        read_file(path)
    assert caught.value.rule_id == "FL-E-004"


def test_unknown_kind_is_refused_with_the_headers(tmp_path):
    path = write_csv(tmp_path / "other.csv", [{"name": "x", "age": "3"}])
    with pytest.raises(UnreadableFile) as caught:
        read_submission(path)
    assert caught.value.rule_id == "FL-E-006"
    assert "name" in caught.value.message_en


def test_xlsx_header_split_over_two_rows_by_merged_cells(tmp_path):
    path = tmp_path / "merged.xlsx"
    top = [LOAN_HEADERS_ZH[h] for h in LOAN_HEADERS if h not in ("balance", "balance_cny")]
    values = loan()
    with xlsxwriter.Workbook(path) as book:
        sheet = book.add_worksheet()
        sheet.merge_range(0, 0, 0, 15, "对公贷款借据明细（2026年10月）")
        columns = [h for h in LOAN_HEADERS if h not in ("balance", "balance_cny")]
        balance_at = LOAN_HEADERS.index("balance")
        c = 0
        for h in LOAN_HEADERS:
            if h == "balance":
                sheet.merge_range(1, c, 1, c + 1, "贷款余额")
                sheet.write(2, c, "原币")
                sheet.write(2, c + 1, "折人民币")
                c += 2
            elif h == "balance_cny":
                continue
            else:
                sheet.merge_range(1, c, 2, c, LOAN_HEADERS_ZH[h])
                c += 1
        ordered = [values[h] for h in LOAN_HEADERS]
        sheet.write_row(3, 0, ordered)
    assert len(top) == len(columns) and balance_at == 12
    sub = read_submission(path)
    assert sub.missing == () and sub.unknown == ()
    row = sub.data.row(0, named=True)
    assert row["balance"] == Decimal("1000000.00") and row["balance_cny"] == Decimal("1000000.00")
    assert row["row_number"] == 4


def test_xlsx_data_on_a_later_sheet_after_a_cover_sheet(tmp_path):
    path = tmp_path / "sheets.xlsx"
    with xlsxwriter.Workbook(path) as book:
        cover = book.add_worksheet("封面")
        cover.write(0, 0, "填报说明：本表按月报送")
        data = book.add_worksheet("明细")
        data.write_row(0, 0, [LOAN_HEADERS_ZH[h] for h in LOAN_HEADERS])
        data.write_row(1, 0, [loan()[h] for h in LOAN_HEADERS])
        book.add_worksheet("备注").write(0, 0, "无")
    sub = read_submission(path)
    assert sub.data["loan_id"].to_list() == ["L0001"]
    assert sub.data["row_number"].to_list() == [2]


def test_xlsx_without_any_header_row_says_so(tmp_path):
    path = tmp_path / "cover_only.xlsx"
    with xlsxwriter.Workbook(path) as book:
        book.add_worksheet().write(0, 0, "本月无数据")
    with pytest.raises(UnreadableFile) as caught:
        read_file(path)
    assert caught.value.rule_id == "FL-E-005"


def test_unterminated_quote_is_a_malformed_csv(tmp_path):
    path = tmp_path / "broken.csv"
    path.write_text(
        ",".join(LOAN_HEADERS) + '\nC1901150100001,2026-10,"L1,unterminated\n', encoding="utf-8"
    )
    with pytest.raises(UnreadableFile) as caught:
        read_file(path)
    assert caught.value.rule_id == "FL-E-003"
