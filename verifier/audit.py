"""The audit log's hash chain, protocol §15."""

from __future__ import annotations

from verifier.canonical import encode
from verifier.errors import CheckFailed
from verifier.fields import Fields, fail
from verifier.hashing import domain_hash

ENTRY_KEYS = ("seq", "prev", "at", "actor", "action", "details")
GENESIS = "0" * 64


def entry_hash(entry: object) -> bytes:
    """`H("audit", JCS(entry))`, §15."""
    return domain_hash("audit", encode(entry))


def check_audit_chain(entries: list[object]) -> bytes:
    """(13): seq from 1, each `prev` the hash of the entry before. Returns the last hash."""
    if not entries:
        raise CheckFailed("the audit log is empty", expected="at least one entry", found="none")
    previous = GENESIS
    last = b""
    for index, item in enumerate(entries):
        entry = Fields(item, f"audit.jsonl line {index + 1}")
        entry.exact_keys(ENTRY_KEYS)
        if entry.integer("seq") != index + 1:
            raise fail(f"{entry.path}.seq", str(index + 1), entry.raw("seq"))
        if entry.raw("prev") != previous:
            raise fail(
                f"{entry.path}.prev", f"{previous} (hash of the previous entry)", entry.raw("prev")
            )
        entry.time("at"), entry.string("actor"), entry.string("action"), entry.sub("details")
        last = entry_hash(item)
        previous = last.hex()
    return last


def last_entry_hash(entries: list[object]) -> bytes:
    """The hash the audit signature covers (§12.4): that of the last entry, or of nothing."""
    return entry_hash(entries[-1]) if entries else b"\x00" * 32
