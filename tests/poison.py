"""Hostile files, crafted byte by byte: workbooks that ask a sheet parser for the moon, zip
members that lie about their size, a CSV with one endless line."""

from __future__ import annotations

import zipfile
import zlib
from pathlib import Path

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
    'package/2006/content-types"><Default Extension="rels" ContentType="application/'
    'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType='
    '"application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName='
    '"/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.'
    'spreadsheetml.worksheet+xml"/></Types>'
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats'
    '.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.'
    'openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/'
    'workbook.xml"/></Relationships>'
)
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/'
    'spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats'
    '.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.'
    'openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/'
    'sheet1.xml"/></Relationships>'
)
_PARTS = {
    "[Content_Types].xml": _CONTENT_TYPES,
    "_rels/.rels": _RELS,
    "xl/workbook.xml": _WORKBOOK,
    "xl/_rels/workbook.xml.rels": _WORKBOOK_RELS,
}
HEADER_CELLS = [("A1", "bank_code"), ("B1", "report_period")]


def sheet_xml(cells: list[tuple[str, str]], dimension: str | None = None) -> bytes:
    """A worksheet with inline-string `cells` (reference, text) — one row element per row
    number — and, if given, a declared `<dimension>`."""
    rows: dict[int, list[str]] = {}
    for ref, text in cells:
        number = int("".join(ch for ch in ref if ch.isdigit()))
        rows.setdefault(number, []).append(f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>')
    body = "".join(f'<row r="{n}">{"".join(c)}</row>' for n, c in sorted(rows.items()))
    declared = f'<dimension ref="{dimension}"/>' if dimension else ""
    return (
        '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.'
        f'openxmlformats.org/spreadsheetml/2006/main">{declared}<sheetData>{body}'
        "</sheetData></worksheet>"
    ).encode()


def workbook(path: Path, sheet: bytes) -> Path:
    """A minimal XLSX whose one sheet is `sheet`."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in _PARTS.items():
            archive.writestr(name, text)
        archive.writestr("xl/worksheets/sheet1.xml", sheet)
    return path


def dimension_bomb(path: Path) -> Path:
    """1.5 KB that declares A1:XFD1048576 — 17 billion cells."""
    return workbook(path, sheet_xml(HEADER_CELLS, "A1:XFD1048576"))


def far_cell_bomb(path: Path, dimension: str | None = None) -> Path:
    """Two header cells and one at XFD1048576: a sheet parser allocates the rectangle."""
    return workbook(path, sheet_xml([*HEADER_CELLS, ("XFD1048576", "x")], dimension))


def lying_zip_bomb(path: Path, unpacked_mib: int) -> Path:
    """A workbook whose sheet inflates to `unpacked_mib` MiB of blanks while its zip headers
    (local and central) say 4,096 bytes."""
    head = sheet_xml(HEADER_CELLS, "A1:B1")
    head, tail = head.split(b"</sheetData>")[0], b"</sheetData></worksheet>"
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    # After a full flush the compressor refers to nothing before it, so each MiB of blanks
    # packs to the same bytes: packed once and repeated (packing 1.2 GiB took 3.5 s).
    parts, crc = [packer.compress(head) + packer.flush(zlib.Z_FULL_FLUSH)], zlib.crc32(head)
    blank = b" " * (1 << 20)
    parts.append((packer.compress(blank) + packer.flush(zlib.Z_FULL_FLUSH)) * unpacked_mib)
    for _ in range(unpacked_mib):
        crc = zlib.crc32(blank, crc)
    parts += [packer.compress(tail), packer.flush()]
    crc = zlib.crc32(tail, crc)
    data = b"".join(parts)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in _PARTS.items():
            archive.writestr(name, text)
        info = zipfile.ZipInfo("xl/worksheets/sheet1.xml")
        info.compress_type, info.CRC = zipfile.ZIP_DEFLATED, crc
        info.compress_size, info.file_size = len(data), 4096
        info.header_offset = archive.start_dir
        archive.fp.seek(archive.start_dir)
        archive.fp.write(info.FileHeader(False))
        archive.fp.write(data)
        archive.start_dir = archive.fp.tell()
        archive.filelist.append(info)
        archive.NameToInfo[info.filename] = info
        archive._didModify = True
    return path


def endless_line_csv(path: Path, line_bytes: int) -> Path:
    """A loans-like CSV whose second line is `line_bytes` long."""
    with open(path, "wb") as handle:
        handle.write(b"bank_code,report_period\n")
        handle.write(b"x" * (line_bytes - 8) + b",2026-10\n")
    return path
