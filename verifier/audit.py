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
    "rehearsal.run": ("text", "results"),
}


SINGLE = ("draw.sealed", "ceremony.checkpoint", "ceremony.beacon", "draw.run")  # exactly one each


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
    seen = {a: [(e["seq"], e["details"]) for e in entries if e["action"] == a] for a in DETAILS}
    last_committed = {details.get("witness"): details for _, details in seen["witness.committed"]}
    reveals = [
        (details.get("witness"), details.get("secret")) for _, details in seen["witness.revealed"]
    ]
    found: dict[str, Any] = {a: [details for _, details in seen[a]] for a in SINGLE}
    found |= {"witness.revealed": dict(reveals)}
    wanted: dict[str, Any] = {action: [expected[action]] for action in SINGLE}
    wanted |= {"witness.revealed": expected["revealed"]}
    if len(reveals) != len(dict(reveals)):  # one reveal event per witness
        wanted["witness.revealed"] = "one each"
    for witness, values in expected["witnesses"].items():
        found[f"witness.committed {witness}"] = last_committed.get(witness, values)
        wanted[f"witness.committed {witness}"] = values
    for action, value in wanted.items():
        if found[action] != value:
            raise CheckFailed("audit_event", action=action, expected=value, found=found[action])
    sealed, checkpoint, beacon, run = (seen[action][0][0] for action in SINGLE)
    heads = max(expected["ceremony_seq"], expected["results_seq"])  # the documents' heads
    order = [("draw.sealed", sealed == expected["sealed_seq"]), ("ceremony.beacon", checkpoint < beacon),
             ("draw.run", max(beacon, heads) < run)]  # fmt: skip
    order += [("witness.committed", seq < sealed) for seq, _ in seen["witness.committed"]]
    order += [
        ("witness.revealed", sealed < seq < checkpoint) for seq, _ in seen["witness.revealed"]
    ]
    order += [("rehearsal.run", sealed < seq < run) for seq, _ in seen["rehearsal.run"]]
    for action, holds in order:
        if not holds:
            raise CheckFailed("audit_order", action=action)


def check_batches(entries: list[Any], hashes: list[str], heads: list[Any], actions: Any) -> None:
    """(15.3) `actions.recorded`: one per batch, head k >= 1 belonging to the k-th (12.7 item 3),
    right after the head's audit head, counts strictly increasing; the last one names
    actions.json (`actions`: its digest and the document, or None without it)."""
    recorded = [entry for entry in entries if entry["action"] == "actions.recorded"]
    if len(recorded) != len(heads) - 1:
        raise CheckFailed("audit_batches", expected=len(heads) - 1, found=len(recorded))
    count = 0
    for k, entry in enumerate(recorded, start=1):
        where = f"heads.jsonl line {k + 1}"
        seq = check_head(hashes, Fields(heads[k], where).head("audit"), where)
        details = entry["details"]
        if (
            entry["seq"] != seq + 1
            or details["count"] != heads[k]["actions"]
            or details["count"] <= count
        ):
            raise CheckFailed("audit_batch", batch=k, expected=f"seq {seq + 1}, count {heads[k]['actions']}",
                              found=f"seq {entry['seq']}, count {details['count']}")  # fmt: skip
        count = details["count"]
    last = recorded[-1]["details"] if recorded else None
    wanted = (
        None if actions is None else {"actions": actions[0], "count": len(actions[1]["actions"])}
    )
    if last != wanted:
        raise CheckFailed("audit_event", action="actions.recorded", expected=wanted, found=last)
    if recorded and heads[-1]["audit"] != actions[1]["audit"]:  # signed with the last batch
        raise CheckFailed("audit_head", document="actions.json", seq=actions[1]["audit"]["seq"],
                          expected=heads[-1]["audit"], found=actions[1]["audit"])  # fmt: skip
