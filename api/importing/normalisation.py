"""Normalisation of cell text, applied before any value is checked, compared or hashed.

The same child typed twice (full-width digits from a Chinese input method, a
lower-case x, an invisible zero-width space pasted from a web page) must yield
the same record, or the duplicate check and the sealed commitment would see two
children. Every value therefore goes through `normalise_text` first, then the
field-specific rule.
"""

from __future__ import annotations

import re
import unicodedata

from lottery.records import HAN_CHARACTER  # one definition, the masking rule's

__all__ = [
    "HAN_CHARACTER",
    "normalise_header",
    "normalise_id_number",
    "normalise_name",
    "normalise_text",
    "split_list",
]

_ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"
# Full-width ASCII U+FF01..U+FF5E sits exactly 0xFEE0 above ASCII; U+3000 is the
# ideographic space an IME types.
_TO_PLAIN: dict[int, int | None] = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
_TO_PLAIN.update({0x3000: 0x20})
_TO_PLAIN.update({ord(char): None for char in _ZERO_WIDTH})

# Middle dots separate the parts of transcribed names (阿卜杜拉·买买提); IMEs
# and fonts offer several look-alikes, folded to U+00B7 so one name has one spelling.
_MIDDLE_DOTS = str.maketrans(dict.fromkeys("\u2022\u2027\u30fb\uff65\u2219\u22c5\u0387", "\u00b7"))
_WHITESPACE_RUN = re.compile(r"\s+")

# Separators a clerk uses between codes in one cell: ; , | whitespace and the
# Chinese enumeration comma 、 (full-width ；，｜ are already plain after normalise_text).
_LIST_SEPARATORS = re.compile(r"[;,|\u3001\s]+")
_HEADER_NOISE = re.compile(r"[\s_\-]+")


def normalise_text(text: str) -> str:
    """Canonical form of any cell: no zero-width characters, half-width ASCII, NFC, stripped.

    Zero-width characters go first so that a combining mark separated from its
    base by one still composes under NFC.
    """
    if text.isascii():
        return text.strip()
    plain = text.translate(_TO_PLAIN)
    return unicodedata.normalize("NFC", plain).strip()


def normalise_name(text: str) -> str:
    """A name in one spelling: Chinese names lose inner spaces, Latin names keep single ones."""
    name = _WHITESPACE_RUN.sub(" ", normalise_text(text).translate(_MIDDLE_DOTS))
    if HAN_CHARACTER.search(name):
        return name.replace(" ", "")
    return name


def normalise_id_number(text: str) -> str:
    """An ID number without spaces and with an upper-case check character X."""
    id_number = _WHITESPACE_RUN.sub("", normalise_text(text))
    if id_number.endswith("x"):
        return id_number[:-1] + "X"
    return id_number


def split_list(text: str) -> list[str]:
    """Codes listed in one cell, in order; runs of separators count as one."""
    return [part for part in _LIST_SEPARATORS.split(normalise_text(text)) if part]


def normalise_header(text: str) -> str:
    """A header reduced for matching: case, width, spaces, underscores and hyphens ignored."""
    return _HEADER_NOISE.sub("", normalise_text(text).casefold())
