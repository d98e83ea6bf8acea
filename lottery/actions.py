"""The post-draw actions document, protocol §14.3 and §14.4.

The replay itself (§14.2) is `lottery.allocation.replay_actions`; this module lays out what was
replayed as the signed document of the bundle, so that the service and the test vectors write
it the same way, and reads a bundle's document back (`actions_from_document`): signed by the
draw's key, made for the bundle's results, each action well formed. Whether the moves are the
replay's is for the caller, who has the allocation (§17 step 12).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from lottery.encoding import canonical_json, parse_canonical
from lottery.errors import BundleError
from lottery.hashing import PROTOCOL, tagged_hash
from lottery.identifiers import check_time
from lottery.manifest import AuditHead, SigningKeyInfo
from lottery.signing import verify_signature

__all__ = [
    "ActionEntry",
    "actions_digest",
    "actions_document",
    "actions_from_document",
    "check_actions",
    "entries_of",
]

_TYPES = ("decline", "disqualify")


@dataclass(frozen=True)
class ActionEntry:
    """One action as published (§14.3): what happened, to whom, when, and the moves it caused
    (`[application, from school or None, to school]`, in replay order)."""

    seq: int
    type: Literal["decline", "disqualify"]
    application: str
    at: str
    moves: tuple[tuple[str, str | None, str], ...]


def actions_document(
    *, results_digest: str, entries: Sequence[ActionEntry], audit: AuditHead
) -> dict[str, Any]:
    """The actions document of protocol §14.3, for the results with hex digest `results_digest`,
    holding the audit head `audit` at the moment it is signed (§15.2)."""
    return {
        "protocol": PROTOCOL,
        "kind": "actions",
        "results": results_digest,
        "audit": audit.document(),
        "actions": [
            {
                "seq": e.seq,
                "type": e.type,
                "application": e.application,
                "at": e.at,
                "moves": [list(move) for move in e.moves],
            }
            for e in entries
        ],
    }


def actions_digest(document: dict[str, Any]) -> bytes:
    """`H("actions", JCS(document))`, protocol §14.4."""
    return tagged_hash("actions", canonical_json(document))


def actions_from_document(
    raw: bytes, signature: bytes | None, *, signing_key: SigningKeyInfo, results_json: bytes
) -> tuple[ActionEntry, ...]:
    """The actions of a bundle's `actions.json` (§14.3), checked: signed by `signing_key` in
    `actions.sig.json` (§14.4, §12.4), made for the results whose file is `results_json`, each
    action with its seq, type, time, application and moves in form. Raises `SignatureError`
    or `BundleError`, naming what is wrong."""
    if signature is None:
        raise BundleError("actions.json has no actions.sig.json beside it (§13.2)")
    verify_signature(
        parse_canonical(signature, name="actions.sig.json"),
        kind="actions",
        digest=tagged_hash("actions", raw),
        signing_key=signing_key,
    )
    document = parse_canonical(raw, name="actions.json")
    results = tagged_hash("results", results_json).hex()
    if not isinstance(document, dict):
        raise BundleError("actions.json: not an object (§14.3)")
    if (document.get("protocol"), document.get("kind")) != (PROTOCOL, "actions"):
        raise BundleError(f"actions.json: not a {PROTOCOL} actions document")
    if set(document) != {"protocol", "kind", "results", "audit", "actions"}:
        raise BundleError(f"actions.json: keys {sorted(document)} are not those of §14.3")
    if document["results"] != results:
        raise BundleError(
            f"actions.json: made for results {str(document['results'])[:16]}..., "
            f"this bundle's results are {results[:16]}... (§14.3)"
        )
    return entries_of(document)


def entries_of(document: Mapping[str, Any]) -> tuple[ActionEntry, ...]:
    """The actions of an actions document (§14.3), each in form: seq 1, 2, 3, ... without gaps,
    type decline or disqualify, a time, an application, moves. Raises `BundleError`."""
    try:
        entries = []
        for seq, item in enumerate(document["actions"], start=1):
            if item["seq"] != seq or item["type"] not in _TYPES:
                raise BundleError(
                    f"actions.json: action {seq}: expected seq {seq} and type decline or "
                    f"disqualify, found seq {item['seq']!r}, type {item['type']!r} (§14.1, §14.3)"
                )
            check_time(item["at"], f"actions.json action {seq}: at", BundleError)
            if not isinstance(item["application"], str) or not isinstance(item["moves"], list):
                raise TypeError(f"action {seq}: application or moves of the wrong type")
            moves = tuple((m[0], m[1], m[2]) for m in item["moves"])
            entries.append(ActionEntry(seq, item["type"], item["application"], item["at"], moves))
    except (KeyError, TypeError, IndexError) as exc:
        raise BundleError(f"actions.json: malformed ({type(exc).__name__}: {exc})") from None
    return tuple(entries)


def check_actions(entries: Sequence[ActionEntry], applications: Sequence[str]) -> None:
    """§14.1: every action names an applicant of the draw that no earlier action removed, and
    the `at` times never decrease (seq is checked by `entries_of`). Raises `BundleError`
    naming the action. `applications` are the draw's, in application order."""
    known = set(applications)
    removed: set[str] = set()
    previous = ""
    for entry in entries:
        where = f"actions.json: action {entry.seq}"
        if entry.application not in known:
            raise BundleError(
                f"{where}: application {entry.application!r} is not an applicant of the draw "
                "(§14.1)"
            )
        if entry.application in removed:
            raise BundleError(
                f"{where}: application {entry.application} was already removed by an earlier "
                "action (§14.1)"
            )
        if entry.at < previous:  # §1.5 times compare as strings
            raise BundleError(
                f"{where}: at {entry.at} is earlier than the action before it ({previous}) (§14.1)"
            )
        removed.add(entry.application)
        previous = entry.at
