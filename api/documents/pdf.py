"""PDF plumbing shared by every printed document: embedded fonts, styles, tables sized from
their content, "第 X 页 共 Y 页" footers, and a builder whose bytes depend only on its inputs.

Fonts come from `api.documents.fonts`: every face is embedded and each character falls back to
a face that has it, so `text()` is the only way a value reaches a paragraph. The canvas starts
in the body face (`initialFontName`), so Helvetica never enters a document.

Tables: each column is as wide as its widest cell, shrunk to fit the page where needed; a cell
that no longer fits (or needs a fallback face) becomes a paragraph that wraps inside its cell.
The header row repeats on every page, and a running header names the document on each page.

Determinism: the canvas runs in reportlab's invariant mode, the creation date is set from a
time of the draw (protocol §1.5) and the document id from a digest of the draw, so the same
bundle and arguments give the same bytes.
"""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Callable, Sequence
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfdoc import PDFText
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from api.documents.errors import InvalidDocumentInput
from api.documents.fonts import BODY, MONO, covered, heading_face, markup, register_fonts
from api.documents.fonts import string_width as _string_width

__all__ = [
    "CONTENT_WIDTH",
    "FONT",
    "MONO",
    "STYLES",
    "build_pdf",
    "check_time",
    "document_canvas",
    "fit_widths",
    "heading",
    "hex_text",
    "list_table",
    "paragraph",
    "pdf_date",
    "text",
]

FONT = BODY
_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")
_ROWS_PER_TABLE = 400  # long lists are cut into tables of this size: splitting stays linear
_PRODUCER = "sunshine draw (sunshine-draw/1)"
_MARGIN = 15 * mm
CONTENT_WIDTH = A4[0] - 2 * _MARGIN
_CELL_SIZE = 8.0
_CELL_PAD = 3.0
_PAGE_COUNT_FORM = "sunshinePageCount"

_HEAD = heading_face()  # fonts are loaded by the first document, not at import (0.9 s)

STYLES: dict[str, ParagraphStyle] = {
    "title": ParagraphStyle("title", fontName=_HEAD, fontSize=16, leading=22, alignment=1),
    "subtitle": ParagraphStyle("subtitle", fontName=_HEAD, fontSize=12, leading=16, alignment=1),
    "h1": ParagraphStyle(
        "h1", fontName=_HEAD, fontSize=13, leading=18, spaceBefore=8, spaceAfter=4
    ),
    "h2": ParagraphStyle(
        "h2", fontName=_HEAD, fontSize=11, leading=15, spaceBefore=6, spaceAfter=3
    ),
    "body": ParagraphStyle("body", fontName=FONT, fontSize=9.5, leading=14),
    "small": ParagraphStyle("small", fontName=FONT, fontSize=7.5, leading=10),
    "cell": ParagraphStyle("cell", fontName=FONT, fontSize=_CELL_SIZE, leading=10),
    "cell_mono": ParagraphStyle("cell_mono", fontName=MONO, fontSize=_CELL_SIZE, leading=10),
    "cell_head": ParagraphStyle("cell_head", fontName=_HEAD, fontSize=_CELL_SIZE, leading=10),
}


def check_time(value: str, field: str) -> None:
    """Raise `InvalidDocumentInput` unless `value` is a protocol time (§1.5)."""
    if not isinstance(value, str) or not _TIME.fullmatch(value):
        raise InvalidDocumentInput(f"{field}: {value!r} is not a time YYYY-MM-DDTHH:MM:SSZ (§1.5)")


def pdf_date(time: str) -> str:
    """A protocol time (§1.5) as a PDF date, `D:YYYYMMDDHHMMSS+00'00'`."""
    check_time(time, "time")
    digits = time.replace("-", "").replace("T", "").replace(":", "").rstrip("Z")
    return f"D:{digits}+00'00'"


def text(value: object) -> str:
    """Any value as Paragraph markup: escaped, with fallback faces where the body face lacks a
    character (raises `UnprintableText` for a character no face has)."""
    return markup(value)


def hex_text(value: str) -> str:
    """A hex value (digest, seed, lottery number) in the monospace face, as Paragraph markup."""
    return f'<font name="{MONO}">{escape(value)}</font>'


def heading(title: str, english: str = "", style: str = "h1") -> Paragraph:
    """A heading (the English words, if given, after the Chinese)."""
    register_fonts()
    return Paragraph(f"{text(title)} {text(english)}".strip(), STYLES[style])


def paragraph(markup_text: str, style: str = "body") -> Paragraph:
    """A paragraph of ready markup (escape values with `text` / `hex_text` first)."""
    register_fonts()
    return Paragraph(markup_text, STYLES[style])


def _table_style(mono_columns: Sequence[int]) -> TableStyle:
    commands: list[tuple[Any, ...]] = [
        ("FONTNAME", (0, 0), (-1, -1), FONT),
        ("FONTSIZE", (0, 0), (-1, -1), _CELL_SIZE),
        ("LEADING", (0, 0), (-1, -1), 10),
        ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8e8e8")),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 1.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
        ("LEFTPADDING", (0, 0), (-1, -1), _CELL_PAD),
        ("RIGHTPADDING", (0, 0), (-1, -1), _CELL_PAD),
    ]
    commands += [("FONTNAME", (c, 1), (c, -1), MONO) for c in mono_columns]
    return TableStyle(commands)


def fit_widths(natural: Sequence[float], fixed: Sequence[bool], available: float) -> list[float]:
    """Column widths from their content: each column its natural width when all fit (the room
    left shared out in proportion), else the fixed columns keep theirs and the others share
    the rest, a narrow column keeping its natural width (water-filling)."""
    if sum(natural) <= available:
        spare = available - sum(natural)
        total = sum(natural) or 1.0
        return [w + spare * w / total for w in natural]
    widths = [w if f else 0.0 for w, f in zip(natural, fixed, strict=True)]
    flexible = sorted((w, i) for i, (w, f) in enumerate(zip(natural, fixed, strict=True)) if not f)
    room = max(available - sum(widths), 12.0 * len(flexible))
    while flexible:
        share = room / len(flexible)
        width, index = flexible[0]
        if width > share:
            break
        widths[index] = width
        room -= width
        flexible.pop(0)
    for _, index in flexible:
        widths[index] = room / len(flexible)
    return widths


def _natural(value: object, font: str) -> float:
    if isinstance(value, Flowable):
        return 60.0
    return _string_width(str(value), font, _CELL_SIZE) + 2 * _CELL_PAD + 1


def _cell(value: object, width: float, mono: bool) -> object:
    """A plain string where it fits on one line in the column's face, else a wrapping paragraph."""
    if isinstance(value, Flowable):
        return value
    source = str(value)
    font = MONO if mono else FONT
    fits = covered(source, font) and _natural(source, font) <= width
    if fits:
        return source
    return Paragraph(text(source), STYLES["cell_mono" if mono else "cell"])


def list_table(
    header: Sequence[str],
    rows: Sequence[Sequence[object]],
    widths: Sequence[float] | None = None,
    *,
    mono_columns: Sequence[int] = (),
    available: float = CONTENT_WIDTH,
) -> list[Flowable]:
    """A list as tables whose header repeats on every page, columns sized from the content
    (`widths` is accepted for old callers and ignored). A long list is cut into several
    tables so that splitting stays linear."""
    del widths
    mono = set(mono_columns)
    natural = [
        max(
            [_string_width(h, _HEAD, _CELL_SIZE) + 2 * _CELL_PAD + 1]
            + [_natural(row[c], MONO if c in mono else FONT) for row in rows]
        )
        for c, h in enumerate(header)
    ]
    column_widths = fit_widths(natural, [c in mono for c in range(len(header))], available)
    style = _table_style(mono_columns)
    chunks = [rows[i : i + _ROWS_PER_TABLE] for i in range(0, len(rows), _ROWS_PER_TABLE)]
    return [
        _LazyTable(tuple(header), chunk, column_widths, mono, style) for chunk in chunks or [[]]
    ]


class _LazyTable(Flowable):  # type: ignore[misc]  # reportlab has no type hints
    """A chunk of a list whose reportlab Table (cells, paragraphs, geometry) is made only when
    the frame reaches it, and dropped once laid out: a 150,000-line list never holds every
    row's cells at once."""

    def __init__(
        self,
        header: tuple[str, ...],
        rows: Sequence[Sequence[object]],
        widths: list[float],
        mono: set[int],
        style: TableStyle,
    ) -> None:
        super().__init__()
        self._parts = (header, rows, widths, mono, style)
        self._built: Table | None = None

    def _table(self) -> Table:
        if self._built is None:
            header, rows, widths, mono, style = self._parts
            head = [[Paragraph(text(h), STYLES["cell_head"]) for h in header]]
            body = [[_cell(v, widths[c], c in mono) for c, v in enumerate(row)] for row in rows]
            self._built = Table(head + body, colWidths=widths, repeatRows=1, style=style)
        return self._built

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        size: tuple[float, float] = self._table().wrap(available_width, available_height)
        self.width, self.height = size
        return size

    def split(self, available_width: float, available_height: float) -> list[Flowable]:
        parts: list[Flowable] = self._table().split(available_width, available_height)
        self._built = None  # the parts hold what is left
        return parts

    def drawOn(self, canvas: Canvas, x: float, y: float, _sW: float = 0) -> None:
        self._table().drawOn(canvas, x, y, _sW)
        self._built = None


class _Canvas(Canvas):  # type: ignore[misc]  # reportlab has no type hints
    """A canvas in invariant mode whose creation date and document id are given, and which
    writes the page count into a form every page shows ("共 Y 页") when it is saved."""

    def __init__(
        self, *args: Any, created: str, document_id: bytes, total: str | None, **kwargs: Any
    ) -> None:
        kwargs["invariant"] = 1
        kwargs["initialFontName"] = FONT
        super().__init__(*args, **kwargs)
        self.setDateFormatter(lambda *_: created)
        self._doc._ID = b"\n[" + 2 * PDFText(document_id, enc="raw").format(self._doc) + b"]\n"
        self._total = total

    def save(self) -> None:
        if self._total is None:
            super().save()
            return
        pages = self.getPageNumber() - 1
        self.beginForm(_PAGE_COUNT_FORM)
        self.setFont(FONT, 7.5)
        self.drawString(0, 0, self._total.format(pages=pages))
        self.endForm()
        super().save()


def document_canvas(buffer: io.BytesIO, *, title: str, created_at: str, identity: bytes) -> Any:
    """A bare canvas (A4, invariant, body face first, dated from the draw) for documents drawn
    without a story, such as letters by the hundred thousand."""
    register_fonts()
    canvas = _Canvas(
        buffer,
        pagesize=A4,
        created=pdf_date(created_at),
        document_id=hashlib.sha256(identity).digest()[:16],
        total=None,
    )
    canvas.setTitle(title)
    canvas.setCreator(_PRODUCER)
    canvas.setProducer(_PRODUCER)
    return canvas


PageWords = tuple[str, str]  # ("第 {page} 页", " 共 {pages} 页") in the document's language


def _decorations(header: str, footer: str, words: PageWords) -> Callable[[Canvas, Any], None]:
    def draw(canvas: Canvas, document: SimpleDocTemplate) -> None:
        canvas.saveState()
        width, height = document.pagesize
        canvas.setFont(FONT, 7.5)
        canvas.setFillColor(colors.HexColor("#555555"))
        canvas.drawString(document.leftMargin, height - 10 * mm, header)
        canvas.drawString(document.leftMargin, 9 * mm, footer)
        page = words[0].format(page=canvas.getPageNumber())
        x = width - document.rightMargin - 38 * mm
        canvas.drawString(x, 9 * mm, page)
        canvas.translate(x + _string_width(page, FONT, 7.5), 9 * mm)
        canvas.doForm(_PAGE_COUNT_FORM)
        canvas.restoreState()

    return draw


def build_pdf(
    story: Sequence[Flowable],
    *,
    title: str,
    footer: str,
    created_at: str,
    identity: bytes,
    header: str | None = None,
    pagesize: tuple[float, float] = A4,
    page_words: PageWords = ("第 {page} 页", " 共 {pages} 页"),
) -> bytes:
    """Render `story` to PDF bytes. `created_at` (§1.5) becomes the creation date and the
    first 16 bytes of SHA-256(`identity`) the document id: equal inputs, equal bytes.
    `header` (default `title`) runs at the top of every page, `footer` at the bottom beside
    the page number and count."""
    register_fonts()
    created = pdf_date(created_at)
    document_id = hashlib.sha256(identity).digest()[:16]
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=pagesize,
        leftMargin=_MARGIN,
        rightMargin=_MARGIN,
        topMargin=16 * mm,
        bottomMargin=16 * mm,
        title=title,
        author="",
        subject="",
        creator=_PRODUCER,
        producer=_PRODUCER,
        invariant=1,
        initialFontName=FONT,
    )
    page = _decorations(header if header is not None else title, footer, page_words)
    document.build(
        [*story, Spacer(1, 1)],
        onFirstPage=page,
        onLaterPages=page,
        canvasmaker=lambda *a, **k: _Canvas(
            *a, created=created, document_id=document_id, total=page_words[1], **k
        ),
    )
    return buffer.getvalue()
