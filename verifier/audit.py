"""The audit log, protocol §15: its chain, bound to its draw, against the signed documents."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from verifier.canonical import encode
from verifier.errors import CheckFailed
from verifier.fields import Fields, fail
from verifier.hashing import domain_hash

GENESIS = "0" * 64
ENTRY_KEYS = ("seq", "prev", "at", "actor", "action", "draw", "details")
DETAILS = {  # (15.3): the actions cross-checked, and the exact keys of their details
    "witness.committed": ("witness", "commitment", "public_key"),
    "draw.sealed": ("manifest",),
    "witness.revealed": ("witness", "secret"),
    "ceremony.checkpoint": ("checkpoint",),
    "ceremony.beacon": ("beacon", "used", "value"),
    "draw.run": ("seed", "results"),
    "actions.recorded": ("actions", "count"),
}


def entry_hash(entry: object) -> bytes:
    """`H("audit", JCS(entry))`, §15.1."""
    return domain_hash("audit", encode(entry))


def check_audit_chain(entries: list[Any], draw_id: str) -> list[str]:
    """(15.1), (15.2): `seq` counts from 1, each `prev` is the hash of the entry before, every
    entry names this draw. Returns the hash of each entry, in order."""
    if not entries:
        raise CheckFailed("audit_empty")
    hashes = [GENESIS]
    for index, item in enumerate(entries):
        entry = Fields(item, f"audit.jsonl line {index + 1}")
        entry.exact_keys(ENTRY_KEYS)
        if entry.integer("seq") != index + 1:
            raise fail(f"{entry.path}.seq", "term_count", entry.raw("seq"), count=index + 1)
        if entry.hex64("prev") != hashes[-1]:
            found = entry.raw("prev")
            raise CheckFailed("audit_chain", line=index + 1, expected=hashes[-1], found=found)
        entry.choice("draw", [draw_id])
        entry.time("at"), entry.string("actor"), entry.string("action")
        keys = DETAILS.get(entry.raw("action"))
        if keys is None:
            entry.sub("details")  # free details, not cross-checked (15.3)
        else:
            entry.sub("details").exact_keys(keys)
        hashes.append(entry_hash(item).hex())
    return hashes[1:]


def check_head(hashes: list[str], head: tuple[int, str] | None, where: str) -> int:
    """(15.3): a head in a signed document names an entry of the log and its hash. Returns its
    seq (0 for a null head: before the first entry)."""
    if head is None:
        return 0
    seq, digest = head
    if seq > len(hashes) or hashes[seq - 1] != digest:
        found = hashes[seq - 1] if seq <= len(hashes) else f"{len(hashes)} entries"
        raise CheckFailed("audit_head", document=where, seq=seq, expected=digest, found=found)
    return seq


def check_events(entries: list[Any], expected: Mapping[str, Any]) -> None:
    """(15.3): the events against the documents. `expected` holds, by action, the details each
    required event must have ("revealed" maps each revealed witness to its secret), the heads'
    seqs and the witnesses of the manifest."""
    seen: dict[str, list[tuple[int, dict[str, Any]]]] = {action: [] for action in DETAILS}
    for entry in entries:
        if entry["action"] in seen:
            seen[entry["action"]].append((entry["seq"], entry["details"]))
    for action in ("draw.sealed", "ceremony.checkpoint", "ceremony.beacon", "draw.run"):
        found = [details for _, details in seen[action]]
        if found != [expected[action]]:
            raise CheckFailed("audit_event", action=action, expected=expected[action], found=found)
    sealed, checkpoint, beacon, run = (seen[a][0][0] for a in
        ("draw.sealed", "ceremony.checkpoint", "ceremony.beacon", "draw.run"))  # fmt: skip
    if sealed != expected["sealed_seq"]:  # right after the manifest's head
        raise CheckFailed("audit_order", action="draw.sealed", seq=sealed)
    after_heads = max(expected["ceremony_seq"], expected["results_seq"])  # heads before the run
    for before, after, action in ((sealed, checkpoint, "ceremony.checkpoint"),
                                  (checkpoint, beacon, "ceremony.beacon"),
                                  (max(beacon, after_heads), run, "draw.run")):  # fmt: skip
        if not before < after:
            raise CheckFailed("audit_order", action=action, seq=after)
    for seq, _ in seen["witness.committed"]:
        if seq > sealed:
            raise CheckFailed("audit_order", action="witness.committed", seq=seq)
    last = {details.get("witness"): details for _, details in seen["witness.committed"]}
    for witness, values in expected["witnesses"].items():
        if witness in last and last[witness] != values:
            raise CheckFailed("audit_event", action="witness.committed", expected=values,
                              found=last[witness])  # fmt: skip
    reveals = {}
    for seq, details in seen["witness.revealed"]:
        if not sealed < seq < checkpoint or details.get("witness") in reveals:
            raise CheckFailed("audit_order", action="witness.revealed", seq=seq)
        reveals[details.get("witness")] = details.get("secret")
    if reveals != expected["revealed"]:
        raise CheckFailed("audit_event", action="witness.revealed", expected=expected["revealed"],
                          found=reveals)  # fmt: skip
    recorded = [details for _, details in seen["actions.recorded"]]
    if recorded[-1:] != expected["actions.recorded"]:
        raise CheckFailed("audit_event", action="actions.recorded",
                          expected=expected["actions.recorded"], found=recorded[-1:])  # fmt: skip
