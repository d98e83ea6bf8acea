"""Masked names and ID numbers for public lists (公示).

Published lists never show a full name or a full ID number. A Chinese name
keeps its first and last characters (张*丰, 欧**娜; a two-character name keeps
only the first, 李*); a Latin-script name keeps the first letter of each word
(J* S*). An ID number keeps its first 4 and last 4 characters. The rule is the
engine's (`lottery.mask_name`, `lottery.mask_id_number`); the service adds only its
refusals of values the import never lets through.
"""

from __future__ import annotations

import lottery

__all__ = ["mask_id_number", "mask_name"]

_ID_LENGTH = 18


def mask_name(name: str) -> str:
    """The engine's masked name (`lottery.mask_name`: the rule of protocol §4.1), refusing an
    empty name, which the import never lets through."""
    if not name.strip():
        raise ValueError("cannot mask an empty name")
    return lottery.mask_name(name)


def mask_id_number(id_number: str) -> str:
    """1101**********123X (`lottery.mask_id_number`): region prefix and last 4 kept, birth date
    and sequence hidden. Refuses anything but an 18-character number, so a malformed value is
    never published by accident."""
    if len(id_number) != _ID_LENGTH:
        raise ValueError(f"an ID number to mask has {_ID_LENGTH} characters, got {len(id_number)}")
    return lottery.mask_id_number(id_number)
