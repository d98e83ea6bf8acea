"""Text drawn straight on a reportlab canvas, for documents printed by the hundred thousand
(letters, receipts): a fixed layout needs no platypus story, and drawing lines directly is
several times faster than laying out paragraphs.

Every character is set in the first embedded face that has it (`api.documents.fonts`), so a
name outside the BMP prints and extracts right here too; widths and faces are cached per
character. Lines wrap at the width given: between any two CJK characters, and at spaces in
Latin text (a word longer than the line is cut).
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import Any

from reportlab.lib import colors
from reportlab.pdfbase import pdfmetrics

from api.documents.fonts import face_for, register_fonts

__all__ = ["draw_line", "draw_wrapped", "grid_table", "line_width", "wrap"]


@functools.cache
def _face(character: str, preferred: str) -> str:
    face = face_for(character, preferred)
    if face is None:
        from api.documents.fonts import check_printable

        check_printable(character, "text")
    return face or preferred


@functools.cache
def _width(character: str, font: str) -> float:
    register_fonts()
    return float(pdfmetrics.stringWidth(character, _face(character, font), 1.0))


def line_width(text: str, font: str, size: float) -> float:
    """The printed width of one line, fallback faces counted."""
    return size * sum(_width(c, font) for c in text)


def _runs(text: str, font: str) -> Iterator[tuple[str, str]]:
    start, current = 0, None
    for i, character in enumerate(text):
        face = font if character == " " else _face(character, font)
        if face != current:
            if current is not None:
                yield current, text[start:i]
            start, current = i, face
    if current is not None:
        yield current, text[start:]


def draw_line(canvas: Any, x: float, y: float, text: str, font: str, size: float) -> None:
    """One line at (x, y), each run of characters in its face."""
    for face, chunk in _runs(text, font):
        canvas.setFont(face, size)
        canvas.drawString(x, y, chunk)
        x += line_width(chunk, font, size)


def _tokens(text: str) -> Iterator[str]:
    """Breakable pieces: each CJK character alone, Latin words with their trailing space."""
    word = ""
    for character in text:
        if ord(character) < 0x2E80:
            word += character
            if character == " ":
                yield word
                word = ""
        else:
            if word:
                yield word
                word = ""
            yield character
    if word:
        yield word


@functools.lru_cache(maxsize=8192)
def _wrapped(text: str, font: str, size: float, width: float) -> tuple[str, ...]:
    return tuple(_wrap(text, font, size, width))


def wrap(text: str, font: str, size: float, width: float) -> list[str]:
    """`text` cut into lines no wider than `width` (explicit newlines kept). Texts repeated
    from letter to letter (school names, notes) are cut once."""
    return list(_wrapped(text, font, size, width))


def _wrap(text: str, font: str, size: float, width: float) -> list[str]:
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line, used = "", 0.0
        for token in _tokens(paragraph):
            token_width = line_width(token, font, size)
            if line and used + token_width > width:
                lines.append(line.rstrip())
                line, used = "", 0.0
            while token_width > width:  # a word longer than the line
                cut = len(token)
                while cut > 1 and line_width(token[:cut], font, size) > width:
                    cut -= 1
                lines.append(token[:cut])
                token = token[cut:]
                token_width = line_width(token, font, size)
            line, used = line + token, used + token_width
        lines.append(line.rstrip())
    return lines


def draw_wrapped(
    canvas: Any, x: float, y: float, text: str, font: str, size: float, width: float, leading: float
) -> float:
    """Draw `text` wrapped to `width` from the baseline `y` down; the y below the last line."""
    for line in wrap(text, font, size, width):
        draw_line(canvas, x, y, line, font, size)
        y -= leading
    return y


def grid_table(
    canvas: Any,
    x: float,
    top: float,
    rows: list[tuple[str, ...]],
    widths: list[float],
    *,
    font: str,
    size: float,
    pad: float = 3.0,
) -> float:
    """A ruled table whose cells wrap inside their borders, header row shaded; the y of its
    bottom edge. `rows[0]` is the header."""
    leading = size * 1.3
    y = top
    for n, row in enumerate(rows):
        cells = [wrap(str(v), font, size, w - 2 * pad) for v, w in zip(row, widths, strict=True)]
        height = max(len(c) for c in cells) * leading + 2 * pad
        if n == 0:
            canvas.setFillColor(colors.HexColor("#e8e8e8"))
            canvas.rect(x, y - height, sum(widths), height, stroke=0, fill=1)
            canvas.setFillColor(colors.black)
        left = x
        for lines, w in zip(cells, widths, strict=True):
            baseline = y - pad - size
            for line in lines:
                draw_line(canvas, left + pad, baseline, line, font, size)
                baseline -= leading
            left += w
        canvas.setStrokeColor(colors.grey)
        canvas.setLineWidth(0.4)
        canvas.line(x, y, x + sum(widths), y)
        left = x
        for w in [0.0, *widths]:
            left += w
            canvas.line(left, y, left, y - height)
        y -= height
    canvas.line(x, y, x + sum(widths), y)
    return y
