"""The printed documents of a realistic draw, rendered and read back as a bureau, a notary and
a family would: fonts embedded, Chinese present (and visible on a PC with no Chinese font),
words inside their table cells, rare names extracted right, the same bytes twice, and no
personal data in a public document."""

from __future__ import annotations

import io
import re
import subprocess
from pathlib import Path

import pdfplumber
import pypdf
import pytest
from document_draws import RARE_NAMES, is_valid_id_number, real_draw

from api.documents import announcement_pdf, draw_record_pdf, result_letters_pdf, results_xlsx
from api.documents.announcement import Notice
from api.documents.letters import LetterRecipient
from api.documents.public_csv import results_csv
from lottery import format_receipt

NOW = "2026-07-10T01:30:00Z"
NOTICE = Notice(
    posted_at=NOW,
    objection_deadline="2026-07-15T09:00:00Z",
    contact="西城区教育局招生办 0571-87000000",
    lookup_url="https://zs.example.gov.cn/l/XC26",
)


def announcement(language: str = "zh") -> bytes:
    return announcement_pdf(real_draw().bundle, notice=NOTICE, language=language)


def record() -> bytes:
    return draw_record_pdf(
        real_draw().bundle, witnesses_present=["李明 公证员"], place="西城区教育局", printed_at=NOW
    )


def letters() -> bytes:
    draw = real_draw()
    recipients = [
        LetterRecipient(application=p.application, name=p.name, receipt_code=p.receipt)
        for p in draw.privates[:6]
    ]
    return result_letters_pdf(draw.bundle, recipients)


def text_of(data: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(data))
    return re.sub(r"\s+", "", "".join(page.extract_text() for page in reader.pages))


def fonts_of(data: bytes, tmp_path: Path) -> list[list[str]]:
    path = tmp_path / "document.pdf"
    path.write_bytes(data)
    out = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True)
    return [line.split() for line in out.stdout.splitlines()[2:]]


@pytest.mark.parametrize("make", [announcement, record, letters])
def test_every_font_is_embedded_and_no_base14_font_enters(make, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    fonts = fonts_of(make(), tmp_path)
    assert fonts
    for row in fonts:
        # name type encoding emb sub uni object ID: "emb" is the 4th field from the right end
        assert row[-5] == "yes", row
        assert not any(base in row[0] for base in ("Helvetica", "Courier", "STSong", "Times"))
    assert any("UMing" in row[0] for row in fonts)


def test_announcement_text_has_the_chinese_masked_fields_and_counts() -> None:
    draw = real_draw()
    found = text_of(announcement())
    results = draw.bundle.results
    for entry in results["schools"]:
        assert f"计划{entry['seats']}录取{entry['admitted']}候补{len(entry['waitlist'])}" in found
    admitted = sum(1 for row in results["applicants"] if row[2] == "admitted")
    assert f"录取{admitted}" in found
    for record in draw.bundle.records:
        if any(
            record.application == row[0] and row[2] == "admitted" for row in results["applicants"]
        ):
            assert f"{record.application}{record.masked_name}{record.masked_id}" in found
    assert "杭州市西城区教育局" in found and "B类仅有户籍或仅有房产" in found


def test_names_outside_the_bmp_are_printed_and_extracted_right() -> None:
    found_letters = text_of(letters())
    for name in RARE_NAMES:
        assert f"{name}同学家长" in found_letters, name
    masked = {r.masked_name for r in real_draw().bundle.records}
    assert "张*𠮷" in masked and "吉*𡒄" in masked
    found = text_of(announcement())
    assert "张*𠮷" in found and "吉*𡒄" in found


def _enclosing_cell(
    page: pdfplumber.page.Page, cx: float, cy: float
) -> tuple[float, float, float, float] | None:
    """The cell drawn around a point: the nearest ruled line on each side that spans it."""
    verticals = [
        line["x0"] for line in page.lines
        if abs(line["x0"] - line["x1"]) < 0.1 and line["top"] <= cy <= line["bottom"]
    ]  # fmt: skip
    horizontals = [
        line["top"] for line in page.lines
        if abs(line["top"] - line["bottom"]) < 0.1 and line["x0"] <= cx <= line["x1"]
    ]  # fmt: skip
    left = [x for x in verticals if x < cx]
    right = [x for x in verticals if x > cx]
    above = [y for y in horizontals if y < cy]
    below = [y for y in horizontals if y > cy]
    if not (left and right and above and below):
        return None
    return max(left), max(above), min(right), min(below)


@pytest.mark.parametrize("make", [announcement, record, letters])
def test_every_word_in_a_table_lies_inside_its_cell(make) -> None:  # type: ignore[no-untyped-def]
    checked = 0
    with pdfplumber.open(io.BytesIO(make())) as pdf:
        for page in pdf.pages:
            for word in page.extract_words(use_text_flow=True):
                cx = (word["x0"] + word["x1"]) / 2
                cy = (word["top"] + word["bottom"]) / 2
                cell = _enclosing_cell(page, cx, cy)
                if cell is None:
                    continue  # not in a table
                left, top, right, bottom = cell
                assert left - 0.5 <= word["x0"] and word["x1"] <= right + 0.5, (word, cell)
                assert top - 0.5 <= word["top"] and word["bottom"] <= bottom + 0.5, (word, cell)
                checked += 1
    assert checked > 30


def _pgm(path: Path) -> tuple[int, int, bytes]:
    data = path.read_bytes()
    header = data.split(maxsplit=4)
    assert header[0] == b"P5"
    width, height = int(header[1]), int(header[2])
    return width, height, data[len(data) - width * height :]


def test_chinese_shows_ink_on_a_machine_without_any_chinese_font(tmp_path: Path) -> None:
    """pdftoppm under a fontconfig that knows no font at all: only the embedded fonts draw."""
    (tmp_path / "empty").mkdir()
    config = tmp_path / "fonts.conf"
    config.write_text(
        '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>'
        f"<dir>{tmp_path / 'empty'}</dir><cachedir>{tmp_path / 'cache'}</cachedir></fontconfig>"
    )
    pdf = tmp_path / "announcement.pdf"
    pdf.write_bytes(announcement())
    environment = {"FONTCONFIG_FILE": str(config), "PATH": "/usr/bin:/bin"}
    subprocess.run(
        ["pdftoppm", "-r", "144", "-gray", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "page")],
        check=True,
        env=environment,
        capture_output=True,
    )
    width, _, pixels = _pgm(next(tmp_path.glob("page*.pgm")))
    with pdfplumber.open(pdf) as document:
        page = document.pages[0]
        boxes = [c for c in page.chars if c["text"] in "杭州西城教育局录取名单"]
    assert len(boxes) >= 8
    for char in boxes:  # at 144 dpi one point is two pixels
        inked = [
            pixels[y * width + x]
            for y in range(int(2 * char["top"]), int(2 * char["bottom"]))
            for x in range(int(2 * char["x0"]), int(2 * char["x1"]))
        ]
        assert min(inked) < 128, char["text"]  # some dark pixel where the character is


def test_two_runs_give_identical_bytes() -> None:
    for make in (announcement, record, letters):
        assert make() == make()
    assert results_xlsx(real_draw().bundle) == results_xlsx(real_draw().bundle)


def _xlsx_text(data: bytes) -> str:
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(data), read_only=True)
    return "".join(
        str(value)
        for sheet in workbook.worksheets
        for row in sheet.iter_rows(values_only=True)
        for value in row
        if value is not None
    )


def test_no_public_document_holds_an_id_number_a_full_name_or_a_receipt_code() -> None:
    draw = real_draw()
    public = {
        "announcement": text_of(announcement()),
        "announcement_en": text_of(announcement("en")),
        "record": text_of(record()),
        "workbook": re.sub(r"\s+", "", _xlsx_text(results_xlsx(draw.bundle))),
        "csv": results_csv(draw.bundle).decode("utf-8-sig"),
    }
    for document, found in public.items():
        numbers = re.findall(r"\d{17}[\dXx]", found)
        assert not [n for n in numbers if is_valid_id_number(n)], document
        for person in draw.privates:
            assert person.name not in found, document
            assert person.id_number not in found, document
            assert person.receipt not in found, document
            assert format_receipt(person.receipt).replace("-", "") not in found.replace("-", "")


def test_the_demo_writes_one_of_every_kind_and_the_public_ones_hold_no_personal_data(
    tmp_path: Path,
) -> None:
    from api.demo import DemoEntropy, applicant_rows, run_demo
    from api.demo_documents import PRIVATE_DIR
    from api.documents.catalogue import AFTER_ACTIONS_FILE, PUBLIC_FILES

    run_demo(tmp_path / "out", entropy_text="kinds", applicants=60, tell=lambda _: None)
    folder = tmp_path / "out" / "documents"
    public = {p.name for p in folder.iterdir() if p.is_file()}
    expected = {*PUBLIC_FILES, AFTER_ACTIONS_FILE, "均衡编班名单.pdf", "摇号前公示.pdf"}
    assert public == expected
    assert {p.name for p in (folder / PRIVATE_DIR).iterdir()} == {
        "结果通知书.pdf",
        "XQ-SY01 录取名册.xlsx",
    }
    found = ""
    for name in sorted(public):
        data = (folder / name).read_bytes()
        if name.endswith(".pdf"):
            found += text_of(data)
        elif name.endswith(".xlsx"):
            found += re.sub(r"\s+", "", _xlsx_text(data))
        else:
            found += data.decode("utf-8-sig")
    assert not [n for n in re.findall(r"\d{17}[\dXx]", found) if is_valid_id_number(n)]
    for _application, name, id_number, *_ in applicant_rows(DemoEntropy("kinds"), 60):
        assert id_number not in found
        assert len(name) < 3 or name not in found
    letters_text = text_of((folder / PRIVATE_DIR / "结果通知书.pdf").read_bytes())
    assert "同学家长" in letters_text


def test_a_character_no_embedded_font_has_is_refused_not_dropped() -> None:
    from api.documents.canvas_text import wrap
    from api.documents.fonts import UnprintableText, markup

    for render in (markup, lambda value: wrap(value, "SunshineMing", 10, 100)):
        with pytest.raises(UnprintableText, match="U\\+F0001"):
            render("王\U000f0001明")


def test_the_tounicode_map_writes_characters_outside_the_bmp_as_surrogate_pairs() -> None:
    from api.documents.fonts import to_unicode_cmap

    cmap = to_unicode_cmap("AAAAAA+HanaMinB", [0x20, 0x20BB7, 0x21484])
    assert "<00> <0020>" in cmap
    assert "<01> <D842DFB7>" in cmap  # 𠮷
    assert "<02> <D845DC84>" in cmap  # 𡒄


def test_the_index_entries_list_every_public_document_by_name_in_byte_order() -> None:
    """§13.5: one entry per document, increasing by name in byte order, at most 64."""
    import hashlib

    from api.documents import InvalidDocumentInput
    from api.documents.catalogue import document_digests, document_entries

    documents = {"公示名单-2.pdf": b"b", "announcement-en.pdf": b"a", "封存公告.pdf": b"s"}
    entries = document_entries(documents)
    names = [e["name"] for e in entries]
    assert names == sorted(documents, key=lambda n: n.encode("utf-8"))
    assert entries[0] == {
        "name": "announcement-en.pdf",
        "title": "Public announcement of the draw results",
        "bytes": 1,
        "sha256": hashlib.sha256(b"a").hexdigest(),
    }
    assert {e["name"]: e["title"] for e in entries}["公示名单-2.pdf"] == "摇号结果公示名单"
    assert document_digests(documents) == {e["name"]: e["sha256"] for e in entries}
    with pytest.raises(InvalidDocumentInput, match="at most 64"):
        document_entries({f"{n}.pdf": b"" for n in range(65)})
