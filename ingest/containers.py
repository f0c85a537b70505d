"""Checks on a file's container made before any parser opens it: the real inflated size of
every XLSX member (inflated here, never taken from the zip headers, which the sender
writes), the cells each sheet spans, the longest CSV line, and a Parquet footer's sizes.
Each failure is an `UnreadableFile` with the rule it breaks and the numbers."""

from __future__ import annotations

import re
import struct
import zipfile
import zlib
from pathlib import Path

import polars as pl

from ingest.limits import ReadLimits
from ingest.unreadable import UnreadableFile

# Compressed bytes read per step while inflating, and inflated bytes handled at once.
_STEP = 1 << 20
_BLOCK = 8 << 20
# The sheet's declared extent, e.g. <dimension ref="A1:P200003"/>, within its first bytes.
_DIMENSION = re.compile(
    rb"<(?:\w+:)?dimension\s+ref\s*=\s*[\"']([A-Za-z]+[0-9]+)?:?"
    rb"([A-Za-z]+)([0-9]+)[\"']"
)
# Any cell or row position: `r="XFD1048576"` on a cell, `r="1048576"` on a row.
_POSITION = re.compile(rb"\sr\s*=\s*[\"']([A-Za-z]*)([0-9]+)[\"']")
_ANY_POSITION = r"(?-u)\sr\s*=\s*[\x22\x27][A-Za-z]*[0-9]"
# Bytes kept from a block cut inside a tag: longer than any position attribute.
_OVERLAP = 64
_LOCAL_HEADER = struct.Struct("<4sHHHHHIIIHH")
_STORED, _DEFLATED = 0, 8


def column_number(letters: str) -> int:
    """A column's number from its letters: A → 1, Z → 26, AA → 27, XFD → 16384."""
    number = 0
    for letter in letters.upper():
        number = number * 26 + ord(letter) - ord("A") + 1
    return number


def check_csv_lines(data: bytes, limits: ReadLimits) -> None:
    """Refuse a CSV with a line longer than the limit. Every line longer than the limit
    contains an aligned window of half its length with no line break, so looking for a
    break in each window finds every such line with a few thousand searches, not one per
    line; a window without one is then measured exactly."""
    limit = limits.max_csv_line_bytes
    window = max(1, limit // 2)
    for start in range(0, len(data), window):
        if data.find(b"\n", start, start + window) >= 0:
            continue
        line_start = data.rfind(b"\n", 0, start) + 1
        line_end = data.find(b"\n", start)
        line_end = len(data) if line_end < 0 else line_end
        if line_end - line_start > limit:
            line = data.count(b"\n", 0, line_start) + 1
            raise UnreadableFile(
                "FL-E-010",
                f"第 {line} 行长 {line_end - line_start:,} 字节，超过每行 {limit:,} 字节的上限",
                f"line {line} is {line_end - line_start:,} bytes long, over the limit of "
                f"{limit:,} bytes a line",
            )


def check_xlsx(path: Path, limits: ReadLimits) -> None:
    """Inflate every member of the workbook, counting what it really unpacks to and
    stopping at the limit; on the way, make sure no sheet spans more cells than allowed,
    neither by its declared dimension nor by its outermost cell or row."""
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise UnreadableFile(
            "FL-E-001", "文件不是有效的 XLSX 工作簿", "the file is not a valid XLSX workbook"
        ) from exc
    with archive, open(path, "rb") as handle:
        packed = max(1, sum(i.compress_size for i in archive.infolist()))
        unpacked = 0
        for info in archive.infolist():
            budget = limits.max_xlsx_unpacked_bytes - unpacked
            unpacked += _inflate_member(handle, info, budget, limits)
        if unpacked / packed > limits.max_xlsx_ratio:
            raise _too_big(unpacked, f"{unpacked / packed:.0f} 倍", f"{unpacked / packed:.0f}×")


def _too_big(unpacked: int, ratio_zh: str = "", ratio_en: str = "") -> UnreadableFile:
    zh = f"（压缩比 {ratio_zh}）" if ratio_zh else ""
    en = f" ({ratio_en} its packed size)" if ratio_en else ""
    return UnreadableFile(
        "FL-E-004",
        f"XLSX 实际解压后至少 {unpacked:,} 字节{zh}，超过上限，拒绝解析",
        f"the XLSX really unpacks to at least {unpacked:,} bytes{en}, over the limit; "
        "refused before parsing",
    )


def _inflate_member(handle, info: zipfile.ZipInfo, budget: int, limits: ReadLimits) -> int:
    """Inflate one member from its own bytes, as a sheet parser would; return its size."""
    if info.compress_type not in (_STORED, _DEFLATED):
        raise UnreadableFile(
            "FL-E-001",
            f"XLSX 成员“{info.filename}”使用不支持的压缩方式",
            f"the XLSX member '{info.filename}' uses an unsupported compression method",
        )
    handle.seek(info.header_offset)
    header = handle.read(_LOCAL_HEADER.size)
    if len(header) < _LOCAL_HEADER.size or header[:4] != b"PK\x03\x04":
        raise UnreadableFile(
            "FL-E-001", "XLSX 压缩包结构损坏", "the XLSX's zip structure is damaged"
        )
    fields = _LOCAL_HEADER.unpack(header)
    handle.seek(fields[-2] + fields[-1], 1)
    inflater = zlib.decompressobj(-15) if info.compress_type == _DEFLATED else None
    scanner = _SheetScanner(info.filename, limits)
    left, size = info.compress_size, 0
    while left > 0:
        raw = handle.read(min(left, _STEP))
        if not raw:
            break
        left -= len(raw)
        pending = raw
        while pending:
            if inflater is None:
                out, pending = pending, b""
            else:
                # A bounded block per call, and never more than the budget (+1 to see it
                # passed): one compressed megabyte can inflate to a gigabyte.
                out = inflater.decompress(pending, max(1, min(_BLOCK, budget - size + 1)))
                pending = inflater.unconsumed_tail
            size += len(out)
            if size > budget:
                raise _too_big(limits.max_xlsx_unpacked_bytes)
            scanner.feed(out)
            if inflater is not None and inflater.eof:
                pending = b""
    scanner.finish()
    return size


class _SheetScanner:
    """Watches a member's XML for the cells it spans. A declared dimension must be within
    the limit, and one search per block (Rust regex, through Polars) looks for a position
    beyond it; without one, blocks that hold positions at all are read exactly and the
    extent computed."""

    def __init__(self, name: str, limits: ReadLimits):
        self.name = name
        self.limits = limits
        self.carry = b""
        self.started = False
        self.declared: tuple[int, int] | None = None
        self.pattern = _ANY_POSITION
        self.max_row = self.max_column = 0

    def feed(self, block: bytes) -> None:
        """Scan `block` up to its last tag start; the rest waits for the next block (a
        tag longer than a block is cut with an overlap that no position can span)."""
        text = self.carry + block
        cut = text.rfind(b"<")
        if cut > 0:
            self._scan(text[:cut])
            self.carry = text[cut:]
        elif len(text) < _STEP:
            self.carry = text
        else:
            self._scan(text)
            self.carry = text[-_OVERLAP:]

    def finish(self) -> None:
        """Scan what is left and judge the extent of a sheet without a dimension."""
        self._scan(self.carry)
        self.carry = b""
        if self.declared is None:
            self._check(self.max_row, self.max_column, declared=False)

    def _scan(self, text: bytes) -> None:
        if not text:
            return
        if not self.started:
            self.started = True
            found = _DIMENSION.search(text[: 1 << 16])
            if found:
                last_column, last_row = found.group(2).decode().upper(), found.group(3).decode()
                self.declared = (int(last_row), column_number(last_column))
                self._check(*self.declared, declared=True)
                self.pattern = _beyond(last_column, last_row)
        decoded = pl.Series([text], dtype=pl.Binary).cast(pl.String, strict=False)
        if decoded.null_count() == 0:
            if not decoded.str.contains(self.pattern).any():
                return
            if self.declared is not None:
                self._raise_outside()
        # Not UTF-8 (then read here), or positions without a declared extent: read them.
        for letters, digits in _POSITION.findall(text):
            row, column = int(digits), column_number(letters.decode())
            if self.declared is not None and (row > self.declared[0] or column > self.declared[1]):
                self._raise_outside()
            self.max_row = max(self.max_row, row)
            self.max_column = max(self.max_column, column)

    def _check(self, rows: int, columns: int, declared: bool) -> None:
        cells = rows * max(columns, 1)
        if cells <= self.limits.max_xlsx_cells:
            return
        how_zh, how_en = ("声明的范围", "declares") if declared else ("单元格位置", "reaches")
        raise UnreadableFile(
            "FL-E-011",
            f"工作表 {self.name} {how_zh}达 {rows:,} 行 × {columns:,} 列（{cells:,} 个单元格），"
            f"超过 {self.limits.max_xlsx_cells:,} 个单元格的上限",
            f"the sheet {self.name} {how_en} {rows:,} rows × {columns:,} columns ({cells:,} "
            f"cells), over the limit of {self.limits.max_xlsx_cells:,} cells",
        )

    def _raise_outside(self) -> None:
        raise UnreadableFile(
            "FL-E-011",
            f"工作表 {self.name} 有单元格位于其声明范围之外（文件结构被篡改或损坏）",
            f"the sheet {self.name} has cells outside its declared dimension (a crafted or "
            "damaged file)",
        )


def _greater_than(number: str) -> str:
    """A regex for decimal numbers greater than `number` (no leading zeros)."""
    number = number.lstrip("0") or "0"
    options = [f"[0-9]{{{len(number) + 1},}}"]
    for i, digit in enumerate(number):
        if digit != "9":
            rest = len(number) - i - 1
            options.append(
                number[:i] + f"[{int(digit) + 1}-9]" + (f"[0-9]{{{rest}}}" if rest else "")
            )
    return "(?:" + "|".join(options) + ")"


def _letters_after(letters: str) -> str:
    """A regex for column letters that come after `letters` (A < … < Z < AA < …)."""
    options = [f"[A-Za-z]{{{len(letters) + 1},}}"]
    for i, letter in enumerate(letters):
        if letter != "Z":
            rest = len(letters) - i - 1
            following = chr(ord(letter) + 1)
            options.append(
                letters[:i]
                + f"[{following}-Z{following.lower()}-z]"
                + (f"[A-Za-z]{{{rest}}}" if rest else "")
            )
    return "(?:" + "|".join(options) + ")"


def _beyond(last_column: str, last_row: str) -> str:
    """A regex for any position right of `last_column` or below `last_row`."""
    return (
        r"(?-u)\sr\s*=\s*[\x22\x27](?:"
        + _letters_after(last_column)
        + "[0-9]+|[A-Za-z]*"
        + _greater_than(last_row)
        + r")[\x22\x27]"
    )


def check_parquet(path: Path, limits: ReadLimits) -> None:
    """Refuse a Parquet file whose footer says it unpacks beyond the limits."""
    import pyarrow.parquet as pq

    try:
        meta = pq.ParquetFile(path).metadata
    except Exception as exc:  # noqa: BLE001 — arrow raises many types for broken files
        raise UnreadableFile(
            "FL-E-001",
            "Parquet 无法读取：文件尾部元数据损坏",
            "the Parquet file cannot be read: its footer is damaged",
        ) from exc
    cells = meta.num_rows * meta.num_columns
    if cells > limits.max_parquet_cells:
        raise UnreadableFile(
            "FL-E-011",
            f"Parquet 含 {meta.num_rows:,} 行 × {meta.num_columns:,} 列，超过 "
            f"{limits.max_parquet_cells:,} 个单元格的上限",
            f"the Parquet file holds {meta.num_rows:,} rows × {meta.num_columns:,} columns, "
            f"over the limit of {limits.max_parquet_cells:,} cells",
        )
    unpacked = sum(meta.row_group(i).total_byte_size for i in range(meta.num_row_groups))
    if unpacked > limits.max_parquet_unpacked_bytes:
        raise UnreadableFile(
            "FL-E-004",
            f"Parquet 解压后 {unpacked:,} 字节，超过上限，拒绝解析",
            f"the Parquet file unpacks to {unpacked:,} bytes, over the limit; refused "
            "before parsing",
        )
