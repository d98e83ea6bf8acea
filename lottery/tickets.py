"""Every number drawn from the seed, protocol §8, §10.5 and §11.2.

This is the only module in the engine that turns the seed into numbers. Each function hashes
the seed with its own domain tag (protocol §3) and reads the first eight bytes as an unsigned
big-endian integer (§1.6), so a child's numbers depend on the seed and its own identifiers only.

The `*_array` functions give the same numbers for many units or (unit, school) pairs at once:
the tagged prefix and the seed (and, per pair, the unit's key) are hashed once and the state
copied, and the hashing calls are mapped over whole chunks, so no Python code runs per number.
A test holds every batch function equal to its one-at-a-time definition.
"""

from __future__ import annotations

import hashlib
from collections import deque
from collections.abc import Callable, Sequence
from itertools import repeat
from typing import Any

import numpy as np
import numpy.typing as npt

__all__ = [
    "class_ticket",
    "hex16",
    "school_ticket",
    "school_ticket_array",
    "ticket",
    "ticket_array",
    "tickets_for_keys",
    "zone_order",
    "zone_order_array",
]

_PREFIX = b"sunshine-draw/2/"
_CHUNK = 1 << 14  # hash states alive at once
U64 = npt.NDArray[np.uint64]
I64 = npt.NDArray[np.int64]


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
    return ticket_array(seed, unit_keys).tolist()  # type: ignore[no-any-return]


def ticket_array(seed: bytes, unit_keys: Sequence[str]) -> U64:
    """`ticket(seed, k)` for every key of `unit_keys`, as a uint64 array (§8.2)."""
    return _u64_of_hashes("ticket", seed, _utf8_all(unit_keys))


def _utf8_all(strings: Sequence[str]) -> list[bytes]:
    """`[s.encode("utf-8") for s in strings]`, by one join, one encoding and one split."""
    if not strings:
        return []
    joined = "\n".join(strings)
    if joined.count("\n") != len(strings) - 1:  # a string holds a newline: one at a time
        return [s.encode("utf-8") for s in strings]
    return joined.encode("utf-8").split(b"\n")


def school_ticket_array(
    seed: bytes, unit_keys: Sequence[str], school_ids: Sequence[str], units: I64, schools: I64
) -> U64:
    """`school_ticket(seed, unit_keys[units[i]], school_ids[schools[i]])` for every i (§8.3)."""
    return _pair_numbers("school-ticket", seed, unit_keys, school_ids, units, schools)


def zone_order_array(
    seed: bytes, unit_keys: Sequence[str], school_ids: Sequence[str], units: I64, schools: I64
) -> U64:
    """`zone_order(seed, unit_keys[units[i]], school_ids[schools[i]])` for every i (§10.5)."""
    return _pair_numbers("zone-order", seed, unit_keys, school_ids, units, schools)


def _pair_numbers(
    use: str,
    seed: bytes,
    unit_keys: Sequence[str],
    school_ids: Sequence[str],
    units: I64,
    schools: I64,
) -> U64:
    """`u64(H(use, seed || UTF8(key) || 0x00 || UTF8(school)))` per (unit, school) pair.

    Each unit's state after `seed || UTF8(key) || 0x00` is hashed once per chunk of pairs and
    copied for each of its pairs there; a chunk at a time, so that few states are alive at once.
    """
    if units.shape != schools.shape:
        raise ValueError(f"{units.size} units but {schools.size} schools")
    base = _tagged(use)
    base.update(seed)
    copy, update, digest = _methods(base)
    school_bytes = _object_array([s.encode("utf-8") for s in school_ids])
    order = np.argsort(units, kind="stable")
    by_unit = units[order]
    out = np.empty(units.size, dtype=np.uint64)
    for low in range(0, units.size, _CHUNK):
        chunk = by_unit[low : low + _CHUNK]
        starts = np.flatnonzero(np.r_[True, chunk[1:] != chunk[:-1]])
        states = list(map(copy, repeat(base, starts.size)))
        prefixes = [unit_keys[u].encode("utf-8") + b"\x00" for u in chunk[starts].tolist()]
        deque(map(update, states, prefixes), maxlen=0)
        parent = np.repeat(np.arange(starts.size), np.diff(np.r_[starts, chunk.size]))
        pair_states = list(map(copy, _object_array(states)[parent].tolist()))
        pair_schools = school_bytes[schools[order[low : low + _CHUNK]]].tolist()
        deque(map(update, pair_states, pair_schools), maxlen=0)
        words = np.frombuffer(b"".join(map(digest, pair_states)), dtype=">u8")
        out[order[low : low + _CHUNK]] = words[::4]  # first 8 of each 32 bytes
    return out


def _object_array(items: list[Any]) -> npt.NDArray[np.object_]:
    """A one-dimensional object array of `items` (never read as nested sequences)."""
    return np.fromiter(items, dtype=object, count=len(items))


def _methods(
    base: hashlib._Hash,
) -> tuple[
    Callable[[hashlib._Hash], hashlib._Hash],
    Callable[[hashlib._Hash, bytes], None],
    Callable[[hashlib._Hash], bytes],
]:
    """The hash type's `copy`, `update` and `digest`, to map over many states at once."""
    kind = type(base)
    return kind.copy, kind.update, kind.digest


def _u64_of_hashes(use: str, seed: bytes, suffixes: list[bytes]) -> U64:
    """`u64(H(use, seed || suffix))` for every suffix (§1.6, §3.1).

    The tagged prefix and the seed are hashed once; each number copies that state and hashes
    its own suffix. The calls are mapped in chunks (no Python code runs per number), and the
    digests read as big-endian words at once.
    """
    base = _tagged(use)
    base.update(seed)
    copy, update, digest = _methods(base)
    out = np.empty(len(suffixes), dtype=np.uint64)
    for start in range(0, len(suffixes), _CHUNK):
        chunk = suffixes[start : start + _CHUNK]
        states = list(map(copy, repeat(base, len(chunk))))
        deque(map(update, states, chunk), maxlen=0)
        words = np.frombuffer(b"".join(map(digest, states)), dtype=">u8")
        out[start : start + len(chunk)] = words[::4]  # first 8 of each 32 bytes
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
