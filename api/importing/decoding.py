"""From the bytes of an uploaded file to a grid of cells.

The content decides the format, never the file name alone: an XLSX workbook is
a zip archive with xl/workbook.xml inside; anything else must be CSV text in
UTF-8 (with or without BOM) or GB18030, which is what Chinese Excel writes when
it saves "CSV (逗号分隔)". Whatever the bytes are (empty, random, a zip of
something else, an old .xls), the answer is one clear problem, never a crash or
a hang: every step here is a single linear pass.
"""

from __future__ import annotations

import csv
import io

from api.importing.report import Message, reject_file
from api.importing.table import Cell, RawTable
from api.importing.workbook import read_workbook

__all__ = ["decode_table", "decode_text"]

_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_UTF8_BOM = b"\xef\xbb\xbf"
# Candidate delimiters, tried on the header line; semicolons come from Excel
# set to a European locale. None of them belongs in a header.
_DELIMITERS = (",", "\t", ";")
_SAVE_AS_HINT = Message(
    zh="请在 Excel 中另存为“CSV UTF-8 (逗号分隔)”或 .xlsx 工作簿",
    en="save it from Excel as 'CSV UTF-8 (Comma delimited)' or as an .xlsx workbook",
)


def decode_table(data: bytes, *, filename: str) -> RawTable:
    """Read the cells of an applicant file, or raise ImportRejected with one file-level problem."""
    if not data.strip():
        reject_file(Message(zh="文件为空", en="the file is empty"), filename=filename)
    if data.startswith(_ZIP_MAGIC):
        return read_workbook(data, filename=filename)
    if filename.lower().endswith((".xlsx", ".xlsm")):
        reject_file(
            Message(
                zh="文件名是 .xlsx, 但内容不是 Excel 工作簿 (文件已损坏或被改名); "
                "请在 Excel 中重新另存为 .xlsx",
                en="the file is named .xlsx but is not an Excel workbook (damaged or renamed); "
                "save it again from Excel as .xlsx",
            ),
            filename=filename,
        )
    if data.startswith(_OLE2_MAGIC):
        reject_file(
            Message(
                zh="这是旧版 .xls 工作簿或加密的工作簿; 请去掉密码并另存为 .xlsx",
                en="this is an old .xls workbook or a password-protected workbook; "
                "remove the password and save it as .xlsx",
            ),
            filename=filename,
        )
    text, encoding = decode_text(data, filename=filename)
    return RawTable(format="csv", encoding=encoding, rows=_csv_rows(text, filename))


def decode_text(data: bytes, *, filename: str) -> tuple[str, str]:
    """Decode CSV bytes: BOM -> utf-8-sig, else strict UTF-8, else GB18030.

    Returns (text, encoding). Strict UTF-8 goes first because a UTF-8 file is
    almost never valid GB18030 by accident, while the reverse happens.
    """
    attempts: tuple[str, ...]
    if data.startswith(_UTF8_BOM):
        attempts = ("utf-8-sig",)
    elif data.startswith(_UTF16_BOMS):
        reject_file(_not_text("the file is UTF-16 text", "文件是 UTF-16 编码"), filename=filename)
    else:
        attempts = ("utf-8", "gb18030")
    failure: UnicodeDecodeError | None = None
    for encoding in attempts:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError as error:
            # Point at the error of the encoding that got furthest: most likely the intended one.
            if failure is None or error.start > failure.start:
                failure = error
            continue
        if "\x00" in text:
            reject_file(
                _not_text("it contains NUL bytes", "文件中含有空字节 (NUL)"), filename=filename
            )
        return text, encoding
    assert failure is not None
    line = data.count(b"\n", 0, failure.start) + 1
    byte = data[failure.start]
    reject_file(
        _not_text(
            f"byte 0x{byte:02X} at line {line} cannot be decoded",
            f"第 {line} 行的字节 0x{byte:02X} 无法解码",
        ),
        filename=filename,
    )


def _not_text(detail_en: str, detail_zh: str) -> Message:
    return Message(
        zh=f"文件不是 UTF-8 或 GB18030 文本 ({detail_zh}); {_SAVE_AS_HINT.zh}",
        en=f"file is not UTF-8 or GB18030 text ({detail_en}); {_SAVE_AS_HINT.en}",
    )


def _csv_rows(text: str, filename: str) -> list[list[Cell]]:
    """Split CSV text into records; record i is row i + 1 as Excel shows the file."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_sniff_delimiter(text))
    rows: list[list[Cell]] = []
    try:
        for record in reader:
            rows.append(list(record))
    except csv.Error as error:
        reject_file(
            Message(
                zh=f"CSV 格式错误, 在第 {len(rows) + 1} 行附近: {error}",
                en=f"malformed CSV near row {len(rows) + 1}: {error}",
            ),
            filename=filename,
        )
    return rows


def _sniff_delimiter(text: str) -> str:
    """The delimiter that occurs most often in the first non-blank line (comma on a tie)."""
    header = next((line for line in io.StringIO(text, newline="") if line.strip()), "")
    return max(_DELIMITERS, key=header.count)
