"""Marks on a printed page besides text: the QR code of the look-up page, the area for the
bureau's seal (盖章), and the signature and seal boxes of a record.

The QR code is made with segno (pure Python, no image library) and drawn as vector squares
into a PDF form once per document; every page that shows it reuses the form. Drawing a code
costs about as much as a page of text, so 150,000 letters carry one code per draw (the look-up
page), never one per child.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

import segno
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Table, TableStyle

from api.documents.fonts import BODY, string_width
from api.documents.pdf import STYLES, paragraph, text

__all__ = ["QrCode", "draw_qr", "seal_area", "signature_table"]


def draw_qr(canvas: Any, url: str, x: float, y: float, size: float) -> None:
    """The QR code of `url`, `size` points square, lower left at (x, y): made and written into
    the PDF once per canvas as a form, shown by reference after that."""
    form = "qr" + hashlib.sha256(f"{url}\x00{size}".encode()).hexdigest()[:16]
    drawn: set[str] = canvas.__dict__.setdefault("_sunshine_forms", set())
    if form not in drawn:
        _define_qr(canvas, form, url, size)
        drawn.add(form)
    canvas.saveState()
    canvas.translate(x, y)
    canvas.doForm(form)
    canvas.restoreState()


def _define_qr(canvas: Any, form: str, url: str, size: float) -> None:
    matrix = segno.make(url, error="m", micro=False).matrix
    quiet = 4  # modules of white border (ISO/IEC 18004 quiet zone)
    module = size / (len(matrix) + 2 * quiet)
    canvas.beginForm(form, 0, 0, size, size)
    canvas.setFillColor(colors.black)
    path = canvas.beginPath()
    for r, row in enumerate(matrix):
        for c, dark in enumerate(row):
            if dark:
                path.rect((c + quiet) * module, size - (r + quiet + 1) * module, module, module)
    canvas.drawPath(path, stroke=0, fill=1)
    canvas.endForm()


class QrCode(Flowable):  # type: ignore[misc]  # reportlab has no type hints
    """A QR code of `url`, `size` points square, drawn once per canvas as a form."""

    def __init__(self, url: str, size: float = 26 * mm) -> None:
        super().__init__()
        self.url = url
        self.size = size
        self.width = self.height = size

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return self.size, self.size

    def draw(self) -> None:
        draw_qr(self.canv, self.url, 0, 0, self.size)


def seal_area(authority: str, date_text: str, seal_word: str) -> Table:
    """The bottom right of a notice: the authority, the date, and room for the seal (盖章)."""
    lines = [
        [paragraph(text(seal_word), "body")],
        [paragraph(text(authority), "body")],
        [paragraph(text(date_text), "body")],
    ]
    width = max(string_width(authority, BODY, 9.5), string_width(date_text, BODY, 9.5)) + 20
    table = Table(
        lines,
        colWidths=[max(width, 45 * mm)],
        rowHeights=[28 * mm, None, None],
        hAlign="RIGHT",
        style=TableStyle(
            [
                ("VALIGN", (0, 0), (-1, 0), "TOP"),
                ("ALIGN", (0, 0), (-1, -1), "CENTER"),
                ("BOX", (0, 0), (0, 0), 0.4, colors.lightgrey),
                ("FONTNAME", (0, 0), (-1, -1), BODY),
            ]
        ),
    )
    return table


def signature_table(roles: Sequence[str], header: Sequence[str]) -> Table:
    """One row per person who signs: role, signature box, seal box, date (a record's end)."""
    rows: list[list[object]] = [[paragraph(text(h), "cell_head") for h in header]]
    rows += [[paragraph(text(role), "cell"), "", "", ""] for role in roles]
    return Table(
        rows,
        colWidths=[48 * mm, 52 * mm, 40 * mm, 40 * mm],
        rowHeights=[None] + [18 * mm] * len(roles),
        repeatRows=1,
        style=TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8e8e8")),
                ("FONTNAME", (0, 0), (-1, -1), STYLES["cell"].fontName),
            ]
        ),
    )
