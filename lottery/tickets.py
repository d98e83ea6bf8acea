"""Every number drawn from the seed, protocol §8, §10.5 and §11.2.

This is the only module in the engine that turns the seed into numbers. Each function hashes
the seed with its own domain tag (protocol §3) and reads the first eight bytes as an unsigned
big-endian integer (§1.6), so a child's numbers depend on the seed and its own identifiers only.
"""

from __future__ import annotations

import hashlib

__all__ = [
    "class_ticket",
    "hex16",
    "school_ticket",
    "ticket",
    "tickets_for_keys",
    "zone_order",
]

_PREFIX = b"sunshine-draw/1/"


def _tagged(use: str) -> hashlib._Hash:
    return hashlib.sha256(_PREFIX + use.encode("ascii") + b"\x00")


def _u64(digest: bytes) -> int:
    return int.from_bytes(digest[:8], "big")


def ticket(seed: bytes, unit_key: str) -> int:
    """Lottery number of a unit, protocol §8.2."""
    h = _tagged("ticket")
    h.update(seed + unit_key.encode("utf-8"))
    return _u64(h.digest())


def tickets_for_keys(seed: bytes, unit_keys: list[str]) -> list[int]:
    """Lottery numbers of many units at once (§8.2); same values as `ticket`, faster."""
    base = _tagged("ticket")
    base.update(seed)
    out: list[int] = []
    append = out.append
    for key in unit_keys:
        h = base.copy()
        h.update(key.encode("utf-8"))
        append(int.from_bytes(h.digest()[:8], "big"))
    return out


def school_ticket(seed: bytes, unit_key: str, school: str) -> int:
    """Per-school number under multiple tie-breaking, protocol §8.3."""
    h = _tagged("school-ticket")
    h.update(seed + unit_key.encode("utf-8") + b"\x00" + school.encode("utf-8"))
    return _u64(h.digest())


def zone_order(seed: bytes, unit_key: str, school: str) -> int:
    """Drawn order of a zone's schools for one unit, protocol §10.5."""
    h = _tagged("zone-order")
    h.update(seed + unit_key.encode("utf-8") + b"\x00" + school.encode("utf-8"))
    return _u64(h.digest())


def class_ticket(seed: bytes, school: str, unit_key: str) -> int:
    """Number that mixes a school's admitted children into classes, protocol §11.2."""
    h = _tagged("class-ticket")
    h.update(seed + school.encode("utf-8") + b"\x00" + unit_key.encode("utf-8"))
    return _u64(h.digest())


def hex16(number: int) -> str:
    """A 64-bit number as published: 16 lowercase hex digits, zero-padded (§8.2)."""
    return f"{number:016x}"
