"""The page of a family's letter (结果通知书), drawn straight on the canvas: one A4 page per
family, fast enough for 150,000 letters (no platypus story to lay out).

`LetterContent` is what a letter says (built by `api.documents.letters` from the bundle);
`letters_document` lays a batch out. The look-up page's QR code is one PDF form per file,
drawn once and shown on every page. The layout helpers (`canvas_text`) are shared with other
documents printed in bulk (the receipts).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from reportlab.lib.pagesizes import A4

from api.documents.canvas_text import draw_line, draw_wrapped, grid_table, line_width
from api.documents.fonts import BODY, MONO, heading_face
from api.documents.marks import draw_qr
from api.documents.pdf import document_canvas

__all__ = ["LetterContent", "letters_document"]

_LEFT = 50.0
_WIDTH = A4[0] - 2 * _LEFT
_COLUMNS = (0.30, 0.17, 0.15, 0.18, 0.20)
_QR = 64.0


@dataclass(frozen=True)
class LetterContent:
    """One letter: titles, the opening lines, the table of schools (header first), the
    receipt line, the look-up line with the verify command, and the pins (digests)."""

    title: str
    subtitle: str
    intro: tuple[str, ...]
    schools_note: str
    table: tuple[tuple[str, ...], ...]
    receipt: str
    lookup: str
    verify: str
    pins: tuple[str, ...]


def _centred(canvas: Any, y: float, text: str, font: str, size: float) -> float:
    for line in _lines(text, font, size):
        x = (A4[0] - line_width(line, font, size)) / 2
        draw_line(canvas, x, y, line, font, size)
        y -= size * 1.4
    return y


def _lines(text: str, font: str, size: float) -> list[str]:
    from api.documents.canvas_text import wrap

    return wrap(text, font, size, _WIDTH)


def _page(canvas: Any, letter: LetterContent, *, footer: str, lookup_url: str) -> None:
    head = heading_face()
    y = _centred(canvas, A4[1] - 70, letter.title, head, 15)
    y = _centred(canvas, y - 4, letter.subtitle, head, 13) - 10
    for line in letter.intro:
        y = draw_wrapped(canvas, _LEFT, y, line, BODY, 10.5, _WIDTH, 16)
    y = draw_wrapped(canvas, _LEFT, y - 6, letter.schools_note, BODY, 9, _WIDTH, 13)
    widths = [_WIDTH * share for share in _COLUMNS]
    y = grid_table(canvas, _LEFT, y - 2, list(letter.table), widths, font=BODY, size=8.5) - 18
    y = draw_wrapped(canvas, _LEFT, y, letter.receipt, BODY, 10.5, _WIDTH, 16) - 6
    text_left = _LEFT + (_QR + 10 if lookup_url else 0)
    top = y
    if lookup_url:
        draw_qr(canvas, lookup_url, _LEFT, top - _QR + 8, _QR)
    y = draw_wrapped(canvas, text_left, y, letter.lookup, BODY, 9, _WIDTH - (text_left - _LEFT), 13)
    y = draw_wrapped(canvas, text_left, y, letter.verify, MONO, 7, _WIDTH - (text_left - _LEFT), 10)
    y = min(y, top - _QR) - 8 if lookup_url else y - 8
    for pin in letter.pins:
        y = draw_wrapped(canvas, _LEFT, y, pin, MONO, 6.5, _WIDTH, 9)
    canvas.setFillGray(0.35)
    draw_line(canvas, _LEFT, 30, footer, BODY, 7)
    canvas.setFillGray(0)


def letters_document(
    letters: Sequence[LetterContent],
    *,
    title: str,
    footer: str,
    created_at: str,
    identity: bytes,
    lookup_url: str = "",
) -> bytes:
    """The letters as one PDF, one page each; bytes depend only on the arguments."""
    buffer = io.BytesIO()
    canvas = document_canvas(buffer, title=title, created_at=created_at, identity=identity)
    for letter in letters:
        _page(canvas, letter, footer=footer, lookup_url=lookup_url)
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()
