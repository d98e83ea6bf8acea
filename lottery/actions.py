"""The post-draw actions document, protocol §14.3 and §14.4.

The replay itself (§14.2) is `lottery.allocation.replay_actions`; this module only lays out what
was replayed as the signed document of the bundle, so that the service and the test vectors
write it the same way.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from lottery.encoding import canonical_json
from lottery.hashing import tagged_hash

__all__ = ["ActionEntry", "actions_digest", "actions_document"]


@dataclass(frozen=True)
class ActionEntry:
    """One action as published (§14.3): what happened, to whom, when, and the moves it caused
    (`[application, from school or None, to school]`, in replay order)."""

    seq: int
    type: Literal["decline", "disqualify"]
    application: str
    at: str
    moves: tuple[tuple[str, str | None, str], ...]


def actions_document(*, results_digest: str, entries: Sequence[ActionEntry]) -> dict[str, Any]:
    """The actions document of protocol §14.3, for the results with hex digest `results_digest`."""
    return {
        "protocol": "sunshine-draw/1",
        "kind": "actions",
        "results": results_digest,
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
