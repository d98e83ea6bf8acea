"""Lottery numbers, protocol §8.2-§8.3, and the other seed-derived orders (§10.5, §11.2)."""

from __future__ import annotations

from verifier.hashing import TaggedHasher


def unit_tickets(seed: bytes, unit_keys: list[str]) -> list[int]:
    """`ticket(u) = u64(H("ticket", seed || UTF8(key(u))))` for each unit key, §8.2."""
    return TaggedHasher("ticket", seed).numbers(unit_keys)


class SchoolNumbers:
    """`u64(H(use, seed || UTF8(key(u)) || 0x00 || UTF8(s)))`: per-school numbers of §8.3
    (use `school-ticket`) and zone orders of §10.5 (use `zone-order`)."""

    def __init__(self, use: str, seed: bytes) -> None:
        self._hasher = TaggedHasher(use, seed)

    def number(self, unit_key: str, school_id: str) -> int:
        return self._hasher.number(unit_key.encode() + b"\x00" + school_id.encode())


def class_tickets(seed: bytes, school_id: str, unit_keys: list[str]) -> list[int]:
    """`u64(H("class-ticket", seed || UTF8(s) || 0x00 || UTF8(key(u))))`, protocol §11.2."""
    hasher = TaggedHasher("class-ticket", seed + school_id.encode() + b"\x00")
    return [hasher.number(key.encode()) for key in unit_keys]
