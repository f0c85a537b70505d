"""The limits a file must keep before it is parsed at all: size on disk, length of its
name, length of a CSV line, what an XLSX really unpacks to, and how many cells its sheet
spans. A file past any of them is rejected with its reason; it never reaches a parser that
could exhaust the machine (a 1.5 KB workbook can ask a sheet parser for 512 GiB)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ReadLimits:
    """Bounds on one submitted file, checked before any parser sees it.

    The defaults let through the largest real filing by a wide margin (a bank's 1M-line
    month is ~200 MB of CSV, 16 columns; a 200,000-line XLSX unpacks to ~160 MB and spans
    3.2M cells) while holding the intake of any hostile file to a few hundred MB."""

    # Bytes on disk.
    max_file_bytes: int = 2 << 30
    # UTF-8 bytes of the name as sent: file systems stop at 255, and the kept copy carries
    # a prefix.
    max_name_bytes: int = 200
    # One CSV line (a loan line is ~200 bytes).
    max_csv_line_bytes: int = 1 << 20
    # What every member of an XLSX really inflates to, counted while streaming (the zip
    # headers' sizes are whatever the sender wrote), and its ratio to the packed size.
    max_xlsx_unpacked_bytes: int = 1 << 30
    max_xlsx_ratio: int = 200
    # Cells a sheet spans, declared (<dimension>) or by its outermost cell: the parser
    # allocates the whole rectangle, ~32 bytes a cell.
    max_xlsx_cells: int = 20_000_000
    # What a Parquet file's footer says its columns unpack to, and its rows × columns.
    max_parquet_unpacked_bytes: int = 4 << 30
    max_parquet_cells: int = 100_000_000
