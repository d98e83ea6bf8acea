"""The bad-file corpus: each file is refused with one clear, specific problem.

Built in memory or in tmp_path, so no binary asset is committed. Each case
names the attack or accident it stands for.
"""

from __future__ import annotations

import io
import os
import time
import zipfile
from pathlib import Path

import pytest
from import_corpus.builders import HEADER_ZH, RULES, applicant_row, csv_bytes, xlsx_bytes

from api.importing import ImportProblem, ImportRejected, read_applicant_bytes, read_applicant_file


def _only_problem(data: bytes, filename: str = "applicants.csv") -> ImportProblem:
    with pytest.raises(ImportRejected) as caught:
        read_applicant_bytes(data, filename=filename, draw_rules=RULES)
    (problem,) = caught.value.problems
    assert caught.value.filename == filename
    return problem


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    with pytest.raises(ImportRejected) as caught:
        read_applicant_file(path, draw_rules=RULES)
    assert "the file is empty" in caught.value.problems[0].message_en


def test_whitespace_only_file() -> None:
    assert "empty" in _only_problem(b" \r\n\r\n\t").message_en


def test_header_only_means_no_applicants() -> None:
    problem = _only_problem(csv_bytes([HEADER_ZH]))
    assert problem.row is None
    assert "no applicants" in problem.message_en


def test_header_and_blank_rows_only_means_no_applicants() -> None:
    assert "no applicants" in _only_problem(csv_bytes([HEADER_ZH, [], ["", ""]])).message_en


def test_bytes_invalid_in_both_utf8_and_gb18030() -> None:
    # Latin-1 "Zoë,Ørsted": 0xEB followed by ',' is no UTF-8 continuation and no GB18030 trail.
    data = csv_bytes([HEADER_ZH]) + "Zoë,Ørsted".encode("latin-1") + b"\r\n"
    for encoding in ("utf-8", "gb18030"):
        with pytest.raises(UnicodeDecodeError):
            data.decode(encoding)
    problem = _only_problem(data)
    assert problem.message_en.startswith("file is not UTF-8 or GB18030 text")
    assert "0xEB at line 2" in problem.message_en


def test_utf16_with_bom_is_named() -> None:
    data = "姓名,身份证号,志愿\r\n".encode("utf-16")
    problem = _only_problem(data)
    assert "file is not UTF-8 or GB18030 text" in problem.message_en
    assert "UTF-16" in problem.message_en


def test_utf16_without_bom_is_refused_for_its_nul_bytes() -> None:
    data = "name,id_number,preferences\r\n".encode("utf-16-le")
    assert "NUL" in _only_problem(data).message_en


def test_bom_is_not_part_of_the_first_header() -> None:
    """A BOM left on the first header would make it unknown and lose the column."""
    data = csv_bytes([HEADER_ZH, applicant_row()], encoding="utf-8-sig")
    assert data.startswith(b"\xef\xbb\xbf")
    result = read_applicant_bytes(data, filename="x.csv", draw_rules=RULES)
    assert result.rows[0].application == "A001"
    assert result.warnings == ()


def test_ten_megabytes_of_random_garbage_is_refused_fast() -> None:
    data = os.urandom(10 * 1024 * 1024)
    started = time.perf_counter()
    problem = _only_problem(data, "garbage.csv")
    assert time.perf_counter() - started < 5
    assert problem.row is None
    assert "not UTF-8 or GB18030" in problem.message_en


def test_ten_megabytes_of_garbage_behind_a_zip_signature() -> None:
    data = b"PK\x03\x04" + os.urandom(10 * 1024 * 1024)
    started = time.perf_counter()
    problem = _only_problem(data, "garbage.xlsx")
    assert time.perf_counter() - started < 5
    assert "cannot be read" in problem.message_en


def test_zip_that_is_not_a_workbook() -> None:
    problem = _only_problem(_zip({"readme.txt": b"hello"}), "list.xlsx")
    assert "zip archive but not an Excel workbook" in problem.message_en


def test_word_document_is_named() -> None:
    problem = _only_problem(_zip({"word/document.xml": b"<w/>"}), "list.docx")
    assert "a Word document" in problem.message_en


def test_workbook_with_broken_sheet_xml() -> None:
    good = xlsx_bytes([HEADER_ZH, applicant_row()])
    with zipfile.ZipFile(io.BytesIO(good)) as archive:
        entries = {name: archive.read(name) for name in archive.namelist()}
    entries["xl/worksheets/sheet1.xml"] = b"<worksheet><sheetData><row><c"
    problem = _only_problem(_zip(entries), "list.xlsx")
    assert "the Excel workbook cannot be read" in problem.message_en


def test_truncated_workbook() -> None:
    good = xlsx_bytes([HEADER_ZH, applicant_row()])
    problem = _only_problem(good[: len(good) // 2], "list.xlsx")
    assert "cannot be read" in problem.message_en


def test_zip_bomb_is_refused_before_inflating() -> None:
    """A workbook whose sheet declares 4 GiB inflated is refused from the zip directory alone."""
    data = bytearray(xlsx_bytes([HEADER_ZH, applicant_row()]))
    # Central directory entry: signature PK\1\2, uncompressed size at offset 24, name at 46.
    name = b"xl/worksheets/sheet1.xml"
    entry = data.index(b"PK\x01\x02")
    while data[entry + 46 : entry + 46 + len(name)] != name:
        entry = data.index(b"PK\x01\x02", entry + 4)
    data[entry + 24 : entry + 28] = (0xFFFFFFF0).to_bytes(4, "little")
    problem = _only_problem(bytes(data), "bomb.xlsx")
    assert "more than 1 GiB" in problem.message_en


def test_old_xls_or_encrypted_workbook() -> None:
    data = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(4096)
    assert "old .xls" in _only_problem(data, "list.xls").message_en


def test_file_named_xlsx_that_is_text() -> None:
    data = csv_bytes([HEADER_ZH, applicant_row()])
    assert "named .xlsx but is not an Excel workbook" in _only_problem(data, "x.xlsx").message_en


def test_unterminated_quote_swallowing_the_file() -> None:
    data = csv_bytes([HEADER_ZH]) + b'A1,"' + b"x" * 200_000 + b"\r\n"
    assert "malformed CSV" in _only_problem(data).message_en


def test_workbook_with_an_empty_first_sheet() -> None:
    problem = _only_problem(xlsx_bytes([]), "list.xlsx")
    assert "no header row" in problem.message_en


def test_csv_of_separators_only() -> None:
    assert "no header row" in _only_problem(b",,,\r\n,,\r\n").message_en
