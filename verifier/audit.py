"""The audit log's hash chain, protocol §15."""

from __future__ import annotations

from verifier.canonical import encode
from verifier.errors import CheckFailed
from verifier.fields import Fields, fail
from verifier.hashing import domain_hash

GENESIS = "0" * 64


def entry_hash(entry: object) -> bytes:
    """`H("audit", JCS(entry))`, §15."""
    return domain_hash("audit", encode(entry))


def check_audit_chain(entries: list[object]) -> None:
    """§17 step 13: `seq` counts from 1 and each `prev` is the hash of the entry before."""
    if not entries:
        raise CheckFailed("audit_empty")
    previous = GENESIS
    for index, item in enumerate(entries):
        entry = Fields(item, f"audit.jsonl line {index + 1}")
        entry.exact_keys(("seq", "prev", "at", "actor", "action", "details"))
        if entry.integer("seq") != index + 1:
            raise fail(f"{entry.path}.seq", "term_count", entry.raw("seq"), count=index + 1)
        if entry.hex64("prev") != previous:
            found = entry.raw("prev")
            raise CheckFailed("audit_chain", line=index + 1, expected=previous, found=found)
        entry.time("at"), entry.string("actor"), entry.string("action"), entry.sub("details")
        previous = entry_hash(item).hex()
