"""Read a submitted file — CSV (UTF-8, UTF-8 with BOM, GBK/GB18030), XLSX or Parquet — into
text columns (a Parquet file's dates and numbers keep their types), keeping the row numbers
the bank sees in its own file."""

from __future__ import annotations

import csv
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from ingest.containers import check_csv_lines, check_parquet, check_xlsx
from ingest.headers import KNOWN_HEADERS, header_key, unit_note
from ingest.limits import ReadLimits
from ingest.unreadable import UnreadableFile

CSV_SUFFIXES = {".csv", ".txt"}
XLSX_SUFFIXES = {".xlsx", ".xlsm"}
PARQUET_SUFFIXES = {".parquet", ".pq"}
SUPPORTED_SUFFIXES = CSV_SUFFIXES | XLSX_SUFFIXES | PARQUET_SUFFIXES
_TITLE_ROWS_SCANNED = 30
_DELIMITERS = (",", "\t", ";", "|")
# Nothing but white space and byte-order-mark bytes; nothing but white space from a position.
_BLANK_FILE = re.compile(rb"\s*[\xef\xbb\xbf]*\s*\Z")
_BLANK_REST = re.compile(rb"\s*\Z")


@dataclass
class RawFile:
    """A file's header texts and its rows as text (a Parquet file's dates and numbers as they
    are), in the file's own column order."""

    container: str
    headers: list[str]
    frame: pl.DataFrame
    row_numbers: pl.Series
    encoding: str | None = None
    unit: int | None = None


def read_file(path: Path, limits: ReadLimits | None = None) -> RawFile:
    """Read `path` by its container once it is within `limits`; raise UnreadableFile with
    the reason when impossible."""
    limits = limits or ReadLimits()
    suffix = path.suffix.lower()
    if suffix in CSV_SUFFIXES:
        return read_csv(path, limits)
    if suffix in XLSX_SUFFIXES:
        return read_xlsx(path, limits)
    if suffix in PARQUET_SUFFIXES:
        return read_parquet(path, limits)
    raise UnreadableFile(
        "FL-E-001",
        f"不支持的文件类型“{path.suffix}”（支持 CSV、XLSX、Parquet）",
        f"unsupported file type '{path.suffix}' (CSV, XLSX and Parquet are accepted)",
    )


def read_csv(path: Path, limits: ReadLimits | None = None) -> RawFile:
    """Read a delimited text file of any accepted encoding, every column as text."""
    limits = limits or ReadLimits()
    data = path.read_bytes()
    check_csv_lines(data, limits)
    # The csv module (header and last line) stops at 128 KB a field unless told: the line
    # limit is the bound that matters.
    csv.field_size_limit(max(csv.field_size_limit(), limits.max_csv_line_bytes))
    if b"\x00" in data[:65536]:
        raise UnreadableFile(
            "FL-E-001",
            "文件不是文本格式的 CSV（含二进制内容）",
            "the file is not a text CSV (it holds binary content)",
        )
    if _BLANK_FILE.match(data):
        raise UnreadableFile("FL-E-002", "文件为空", "the file is empty")
    try:
        return _read_csv_bytes(data, "utf-8")
    except UnicodeError:
        pass
    try:
        # GB18030 is a superset of GBK; polars reads UTF-8 only, so re-encode once.
        return _read_csv_bytes(data.decode("gb18030").encode("utf-8"), "gb18030")
    except UnicodeError as exc:
        raise UnreadableFile(
            "FL-E-001",
            "文件编码无法识别（应为 UTF-8 或 GBK/GB18030）",
            "the file's text encoding is neither UTF-8 nor GBK/GB18030",
        ) from exc


def _read_csv_bytes(data: bytes, encoding: str) -> RawFile:
    end = data.find(b"\n")
    first_line = (data if end < 0 else data[:end]).decode("utf-8-sig").rstrip("\r")
    delimiter = max(_DELIMITERS, key=first_line.count)
    headers = _fields(first_line, delimiter)
    names = [f"c{i}" for i in range(len(headers))]
    _check_last_line(data, delimiter, len(headers))
    if end < 0 or _BLANK_REST.match(data, end + 1):
        frame = pl.DataFrame(schema=dict.fromkeys(names, pl.String))
    else:
        try:
            frame = pl.read_csv(
                data,
                has_header=False,
                skip_rows=1,
                new_columns=names,
                separator=delimiter,
                infer_schema=False,
                raise_if_empty=False,
            )
        except pl.exceptions.PolarsError as exc:
            if "utf-8" in str(exc).lower() or "utf8" in str(exc).lower():
                raise UnicodeError(str(exc)) from exc
            raise UnreadableFile(
                "FL-E-003",
                f"CSV 结构错误，无法逐行读取：{_first_line(exc)}",
                f"the CSV is malformed and cannot be read row by row: {_first_line(exc)}",
            ) from exc
    # Line 1 is the header, so the first data row is line 2 in the bank's own editor.
    row_numbers = pl.Series("row_number", range(2, frame.height + 2), dtype=pl.Int64)
    return RawFile("csv", headers, frame, row_numbers, encoding=encoding)


def _check_last_line(data: bytes, delimiter: str, width: int) -> None:
    """A file cut off in transfer ends mid-row: its last line has fewer fields than the
    header. (Polars would quietly fill the missing fields with nulls.)"""
    # Positions, not slices: a copy of a 200 MB file per check costs more than the check.
    stop = len(data)
    while stop and data[stop - 1] in b"\r\n":
        stop -= 1
    start = data.rfind(b"\n", 0, stop)
    if start < 0:
        return
    last = data[start + 1 : stop].decode("utf-8", "replace")
    fields = _fields(last, delimiter)
    if 0 < len(fields) < width:
        raise UnreadableFile(
            "FL-E-003",
            f"最后一行不完整（{len(fields)} 个字段，表头有 {width} 个），文件可能被截断",
            f"the last line is incomplete ({len(fields)} fields, the header has {width}); "
            "the file may have been cut off",
        )


def _fields(line: str, delimiter: str) -> list[str]:
    """The fields of one CSV line (the header, or the last line checked for truncation)."""
    try:
        return next(csv.reader([line], delimiter=delimiter), [])
    except csv.Error as exc:
        raise UnreadableFile(
            "FL-E-003",
            f"CSV 结构错误，无法逐行读取：{_first_line(exc)}",
            f"the CSV is malformed and cannot be read row by row: {_first_line(exc)}",
        ) from exc


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0][:200]


def _sheet_first_row(archive: zipfile.ZipFile, index: int) -> int:
    """The 1-based row number of the first non-empty row of sheet `index` (calamine drops
    leading empty rows, so the bank's row numbers need this offset)."""
    try:
        workbook = archive.read("xl/workbook.xml").decode("utf-8", "replace")
        rels = archive.read("xl/_rels/workbook.xml.rels").decode("utf-8", "replace")
        rid = re.findall(r"<sheet\b[^>]*\br:id=\"([^\"]+)\"", workbook)[index]
        target = re.search(
            rf"<Relationship\b[^>]*Id=\"{re.escape(rid)}\"[^>]*Target=\"([^\"]+)\"|"
            rf"<Relationship\b[^>]*Target=\"([^\"]+)\"[^>]*Id=\"{re.escape(rid)}\"",
            rels,
        )
        sheet = (target.group(1) or target.group(2)).lstrip("/")
        sheet = sheet if sheet.startswith("xl/") else f"xl/{sheet}"
        with archive.open(sheet) as handle:
            head = handle.read(1 << 16).decode("utf-8", "replace")
        return int(re.search(r"<row\b[^>]*\br=\"(\d+)\"", head).group(1))
    except (KeyError, AttributeError, ValueError, IndexError):
        return 1


def read_xlsx(path: Path, limits: ReadLimits | None = None) -> RawFile:
    """Read the first sheet that has a header row (a cover or notes sheet before the data
    is skipped). Title rows above the header are allowed, and a `单位：万元` note among them
    sets the file's unit; a header split over two rows by merged cells is joined."""
    import fastexcel

    check_xlsx(path, limits or ReadLimits())
    with zipfile.ZipFile(path) as archive:
        try:
            reader = fastexcel.read_excel(path)
            for index in range(len(reader.sheet_names)):
                grid = reader.load_sheet(index, header_row=None, dtypes="string").to_polars()
                grid = grid.rename({c: f"c{i}" for i, c in enumerate(grid.columns)})
                header_index = _find_header_row(grid)
                if header_index is not None:
                    first_row = _sheet_first_row(archive, index)
                    break
        except Exception as exc:  # noqa: BLE001 — calamine raises many types for broken files
            raise UnreadableFile(
                "FL-E-001",
                f"XLSX 无法读取：{_first_line(exc)}",
                f"the XLSX cannot be read: {_first_line(exc)}",
            ) from exc
    if header_index is None:
        raise UnreadableFile(
            "FL-E-005",
            f"各工作表前 {_TITLE_ROWS_SCANNED} 行中找不到表头行",
            f"no header row in the first {_TITLE_ROWS_SCANNED} rows of any sheet",
        )
    unit = None
    for row in grid.head(header_index).iter_rows():
        for cell in row:
            unit = unit or (unit_note(cell) if cell else None)
    header_cells = list(grid.row(header_index))
    body_start = header_index + 1
    if body_start < grid.height:
        joined = _join_two_row_header(header_cells, list(grid.row(body_start)))
        if joined is not None:
            header_cells, body_start = joined, body_start + 1
    keep = [i for i, h in enumerate(header_cells) if h is not None and str(h).strip()]
    headers = [str(header_cells[i]).strip() for i in keep]
    body = grid.slice(body_start).select([f"c{i}" for i in keep])
    body = body.rename({f"c{i}": f"c{n}" for n, i in enumerate(keep)})
    numbers = pl.Series(
        "row_number", range(first_row + body_start, first_row + grid.height), pl.Int64
    )
    text = pl.col(body.columns)
    not_blank = ~pl.all_horizontal(text.is_null() | (text.str.strip_chars() == ""))
    body = body.with_columns(numbers).filter(not_blank)
    return RawFile("xlsx", headers, body.drop("row_number"), body["row_number"], unit=unit)


def _find_header_row(grid: pl.DataFrame) -> int | None:
    for index, row in enumerate(grid.head(_TITLE_ROWS_SCANNED).iter_rows()):
        known = sum(1 for cell in row if cell and header_key(cell) in KNOWN_HEADERS)
        if known >= 2:
            return index
    return None


def _join_two_row_header(top: list, sub: list) -> list | None:
    """If `sub` is the second row of a header whose parents are merged cells (贷款余额 over
    原币 | 折人民币), the joined column names; else None. Every non-empty cell of `sub` must
    name a column, alone or joined to the parent above it — a data row never does."""
    names, parent, named = [], None, 0
    for upper, lower in zip(top, sub, strict=True):
        upper = str(upper).strip() if upper else ""
        lower = str(lower).strip() if lower else ""
        if upper:
            parent = upper
        if not lower:
            names.append(upper or None)
            continue
        for candidate in (f"{parent or ''}{lower}", lower):
            if header_key(candidate) in KNOWN_HEADERS:
                names.append(candidate)
                named += 1
                break
        else:
            return None
    return names if named else None


def read_parquet(path: Path, limits: ReadLimits | None = None) -> RawFile:
    """Read a Parquet file: dates, times and numbers keep their types (normalising takes them
    as they are where that is exact), every other column is turned to text."""
    check_parquet(path, limits or ReadLimits())
    try:
        frame = pl.read_parquet(path)
    except Exception as exc:  # noqa: BLE001 — arrow raises many types for broken files
        raise UnreadableFile(
            "FL-E-001",
            f"Parquet 无法读取：{_first_line(exc)}",
            f"the Parquet file cannot be read: {_first_line(exc)}",
        ) from exc
    headers = list(frame.columns)
    frame = frame.select(
        (pl.col(c) if _kept_typed(frame.schema[c]) else pl.col(c).cast(pl.String)).alias(f"c{i}")
        for i, c in enumerate(headers)
    )
    row_numbers = pl.Series("row_number", range(1, frame.height + 1), dtype=pl.Int64)
    return RawFile("parquet", headers, frame, row_numbers)


def _kept_typed(dtype: pl.DataType) -> bool:
    return dtype.is_numeric() or dtype == pl.Date or isinstance(dtype, pl.Datetime)
