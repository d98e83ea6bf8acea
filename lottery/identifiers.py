"""Identifiers, hex fields and times, protocol §1.2, §1.3 and §1.5."""

from __future__ import annotations

import re

__all__ = ["check_hex64", "check_identifier", "check_time", "is_identifier"]

_IDENTIFIER = re.compile(r"[A-Za-z0-9._-]{1,64}")
_HEX64 = re.compile(r"[0-9a-f]{64}")
_TIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z")


def is_identifier(value: object) -> bool:
    """True when `value` is an identifier of §1.3: 1-64 of `A-Z a-z 0-9 . _ -`."""
    return isinstance(value, str) and _IDENTIFIER.fullmatch(value) is not None


def check_identifier(value: object, field: str, error: type[Exception]) -> str:
    """Return `value` if it is an identifier (§1.3); raise `error` naming `field` otherwise."""
    if not is_identifier(value):
        raise error(f"{field}: {value!r} is not an identifier (1 to 64 of A-Z a-z 0-9 . _ -, §1.3)")
    assert isinstance(value, str)
    return value


def check_hex64(value: object, field: str, error: type[Exception]) -> str:
    """Return `value` if it is hex64 (§1.2: 64 lowercase hex digits)."""
    if not (isinstance(value, str) and _HEX64.fullmatch(value)):
        raise error(f"{field}: {value!r} is not 64 lowercase hex digits (§1.2)")
    return value


def check_time(value: object, field: str, error: type[Exception]) -> str:
    """Return `value` if it is a UTC time `YYYY-MM-DDTHH:MM:SSZ` (§1.5)."""
    if not (isinstance(value, str) and _TIME.fullmatch(value)):
        raise error(f"{field}: {value!r} is not a UTC time YYYY-MM-DDTHH:MM:SSZ (§1.5)")
    return value
