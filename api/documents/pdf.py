"""PDF plumbing shared by every printed document: the Chinese font, styles, tables, and a
builder whose bytes depend only on its inputs.

Chinese text uses reportlab's built-in CID font STSong-Light (Adobe-GB1): nothing to download,
works offline, but the font is not embedded, so the reader's PDF viewer supplies the glyphs
(any viewer with a Chinese font does). Hex values (digests, lottery numbers) use Courier.

Determinism: the canvas runs in reportlab's invariant mode, the creation date is set from a
time of the draw (protocol §1.5) and the document id from a digest of the draw, so the same
bundle and arguments give the same bytes.
"""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Sequence
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.pdfdoc import PDFText
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from api.documents.errors import InvalidDocumentInput

__all__ = [
    "FONT",
    "MONO",
    "STYLES",
    "build_pdf",
    "check_time",
    "heading",
    "hex_text",
    "list_table",
    "paragraph",
    "pdf_date",
    "text",
]

FONT = "STSong-Light"
MONO = "Courier"
_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")
_ROWS_PER_TABLE = 400  # long lists are cut into tables of this size: splitting stays linear
_PRODUCER = "sunshine draw (sunshine-draw/1)"

pdfmetrics.registerFont(UnicodeCIDFont(FONT))

STYLES: dict[str, ParagraphStyle] = {
    "title": ParagraphStyle("title", fontName=FONT, fontSize=16, leading=22, alignment=1),
    "subtitle": ParagraphStyle("subtitle", fontName=FONT, fontSize=11, leading=15, alignment=1),
    "h1": ParagraphStyle("h1", fontName=FONT, fontSize=13, leading=18, spaceBefore=8, spaceAfter=4),
    "h2": ParagraphStyle("h2", fontName=FONT, fontSize=11, leading=15, spaceBefore=6, spaceAfter=3),
    "body": ParagraphStyle("body", fontName=FONT, fontSize=9, leading=13),
    "small": ParagraphStyle("small", fontName=FONT, fontSize=7.5, leading=10),
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
    """Any value as Paragraph markup: `&`, `<` and `>` escaped."""
    return escape(str(value))


def hex_text(value: str) -> str:
    """A hex value (digest, seed, lottery number) in Courier, as Paragraph markup."""
    return f'<font name="{MONO}">{escape(value)}</font>'


def heading(chinese: str, english: str, style: str = "h1") -> Paragraph:
    """A bilingual heading: Chinese first, English after it."""
    return Paragraph(f"{text(chinese)} {text(english)}".strip(), STYLES[style])


def paragraph(markup: str, style: str = "body") -> Paragraph:
    """A paragraph of ready markup (escape values with `text` / `hex_text` first)."""
    return Paragraph(markup, STYLES[style])


def _table_style(mono_columns: Sequence[int]) -> TableStyle:
    commands: list[tuple[Any, ...]] = [
        ("FONTNAME", (0, 0), (-1, -1), FONT),
        ("FONTSIZE", (0, 0), (-1, -1), 8),
        ("LEADING", (0, 0), (-1, -1), 10),
        ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8e8e8")),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 1.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
    ]
    commands += [("FONTNAME", (c, 1), (c, -1), MONO) for c in mono_columns]
    return TableStyle(commands)


def list_table(
    header: Sequence[str],
    rows: Sequence[Sequence[object]],
    widths: Sequence[float],
    *,
    mono_columns: Sequence[int] = (),
) -> list[Flowable]:
    """A list as tables whose header repeats on every page. Cells are plain strings (fast;
    a 3,000-line list renders in about a second) or, where text must wrap, paragraphs; a long
    list is cut into several tables."""
    style = _table_style(mono_columns)
    head = [list(header)]
    body = [[cell if isinstance(cell, Flowable) else str(cell) for cell in row] for row in rows]
    chunks = [body[i : i + _ROWS_PER_TABLE] for i in range(0, len(body), _ROWS_PER_TABLE)] or [[]]
    return [
        Table(head + chunk, colWidths=[w * mm for w in widths], repeatRows=1, style=style)
        for chunk in chunks
    ]


class _Canvas(Canvas):  # type: ignore[misc]  # reportlab has no type hints
    """A canvas in invariant mode whose creation date and document id are given."""

    def __init__(self, *args: Any, created: str, document_id: bytes, **kwargs: Any) -> None:
        kwargs["invariant"] = 1
        super().__init__(*args, **kwargs)
        self.setDateFormatter(lambda *_: created)
        self._doc._ID = b"\n[" + 2 * PDFText(document_id, enc="raw").format(self._doc) + b"]\n"


def _footer(label: str) -> Any:
    def draw(canvas: Canvas, document: SimpleDocTemplate) -> None:
        canvas.saveState()
        canvas.setFont(FONT, 7.5)
        width = document.pagesize[0]
        canvas.drawString(document.leftMargin, 10 * mm, label)
        canvas.drawRightString(
            width - document.rightMargin, 10 * mm, f"第 {canvas.getPageNumber()} 页 page"
        )
        canvas.restoreState()

    return draw


def build_pdf(
    story: Sequence[Flowable],
    *,
    title: str,
    footer: str,
    created_at: str,
    identity: bytes,
    pagesize: tuple[float, float] = A4,
) -> bytes:
    """Render `story` to PDF bytes. `created_at` (§1.5) becomes the creation date and the
    first 16 bytes of SHA-256(`identity`) the document id: equal inputs, equal bytes."""
    created = pdf_date(created_at)
    document_id = hashlib.sha256(identity).digest()[:16]
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=pagesize,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=18 * mm,
        title=title,
        author="",
        subject="",
        creator=_PRODUCER,
        producer=_PRODUCER,
        invariant=1,
    )
    page = _footer(footer)
    document.build(
        [*story, Spacer(1, 1)],
        onFirstPage=page,
        onLaterPages=page,
        canvasmaker=lambda *a, **k: _Canvas(*a, created=created, document_id=document_id, **k),
    )
    return buffer.getvalue()
