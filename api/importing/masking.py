"""Masked names and ID numbers for public lists (公示).

Published lists never show a full name or a full ID number. A Chinese name
keeps its first and last characters (张*丰, 欧**娜; a two-character name keeps
only the first, 李*); a Latin-script name keeps the first letter of each word
(J* S*). An ID number keeps its first 4 and last 4 characters.
"""

from __future__ import annotations

from api.importing.normalisation import HAN_CHARACTER

__all__ = ["mask_id_number", "mask_name"]

_MASK = "*"
_ID_LENGTH = 18
_ID_KEPT = 4


def mask_name(name: str) -> str:
    """The name with all but its first (and, from three characters on, last) character hidden.

    A one-character name is hidden entirely: showing it would show the full name.
    """
    name = name.strip()
    if not name:
        raise ValueError("cannot mask an empty name")
    if HAN_CHARACTER.search(name):
        return _mask_han(name)
    return " ".join(word[0] + _MASK for word in name.split())


def _mask_han(name: str) -> str:
    if len(name) == 1:
        return _MASK
    if len(name) == 2:
        return name[0] + _MASK
    return name[0] + _MASK * (len(name) - 2) + name[-1]


def mask_id_number(id_number: str) -> str:
    """1101**********123X: region prefix and last 4 kept, birth date and sequence hidden.

    Refuses anything but an 18-character number, so a malformed value is never
    published in full by accident.
    """
    if len(id_number) != _ID_LENGTH:
        raise ValueError(f"an ID number to mask has {_ID_LENGTH} characters, got {len(id_number)}")
    hidden = _ID_LENGTH - 2 * _ID_KEPT
    return id_number[:_ID_KEPT] + _MASK * hidden + id_number[-_ID_KEPT:]
