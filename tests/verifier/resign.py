"""Adding or re-signing documents of a bundle as the key holder would, from protocol §12.4,
§13.5 and §15 (version 2).

Independent of the verifier's code: canonical bytes come from the standard library's encoder,
which equals JCS for the ASCII-keyed integer-only documents used here (protocol §2.4).
"""

from __future__ import annotations

import ast
import hashlib
import json
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

TEST_KEY = Ed25519PrivateKey.from_private_bytes(
    hashlib.sha256(b"sunshine-draw test signing key 1").digest()
)
P = "sunshine-draw/2"


def jcs(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()


def tagged(use: str, data: bytes) -> bytes:
    return hashlib.sha256(f"{P}/{use}".encode() + b"\x00" + data).digest()


def signature_file(kind: str, digest: bytes, key: Ed25519PrivateKey = TEST_KEY) -> bytes:
    public = key.public_key().public_bytes_raw()
    message = f"{P}/signature".encode() + b"\x00" + kind.encode() + b"\x00" + digest
    return jcs(
        {
            "algorithm": "ed25519",
            "digest": digest.hex(),
            "fingerprint": tagged("key-fingerprint", public).hex(),
            "kind": kind,
            "public_key": public.hex(),
            "signature": key.sign(message).hex(),
        }
    )


def read_log(bundle: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (bundle / "audit.jsonl").read_bytes().splitlines()]


def head(entries: list[dict[str, Any]]) -> dict[str, Any]:
    return {"seq": len(entries), "hash": tagged("audit", jcs(entries[-1])).hex()}


def append(entries: list[dict[str, Any]], action: str, details: dict[str, Any]) -> None:
    """One entry of §15.1, chained to the last and naming the same draw."""
    entries.append({"seq": len(entries) + 1, "prev": head(entries)["hash"], "at": entries[-1]["at"],
                    "actor": "operator", "action": action, "draw": entries[-1]["draw"],
                    "details": details})  # fmt: skip


def write_log(
    bundle: Path, entries: list[dict[str, Any]], key: Ed25519PrivateKey = TEST_KEY
) -> None:
    (bundle / "audit.jsonl").write_bytes(b"".join(jcs(e) + b"\n" for e in entries))
    last = tagged("audit", jcs(entries[-1])) if entries else b"\x00" * 32
    (bundle / "audit.sig.json").write_bytes(signature_file("audit", last, key))
    reindex(bundle, key)


def resign(bundle: Path, kind: str, key: Ed25519PrivateKey = TEST_KEY) -> None:
    """Sign `kind.json` again as it now stands, and the index (§13.5)."""
    data = (bundle / f"{kind}.json").read_bytes()
    (bundle / f"{kind}.sig.json").write_bytes(signature_file(kind, tagged(kind, data), key))
    reindex(bundle, key)


def reindex(bundle: Path, key: Ed25519PrivateKey = TEST_KEY) -> None:
    """index.json for the files as they now stand (§13.5), its head the log's last entry."""
    files = sorted(p for p in bundle.iterdir() if p.name not in ("index.json", "index.sig.json"))
    old = json.loads((bundle / "index.json").read_bytes())
    entries = read_log(bundle)
    index = old | {
        "manifest": tagged("manifest", (bundle / "manifest.json").read_bytes()).hex(),
        "files": [{"name": p.name, "bytes": p.stat().st_size,
                   "sha256": hashlib.sha256(p.read_bytes()).hexdigest()} for p in files],
        "audit": head(entries) if entries else old["audit"],
    }  # fmt: skip
    (bundle / "index.json").write_bytes(jcs(index))
    (bundle / "index.sig.json").write_bytes(
        signature_file("index", tagged("index", jcs(index)), key)
    )


def add_actions(
    bundle: Path, actions: list[dict[str, Any]], key: Ed25519PrivateKey = TEST_KEY
) -> None:
    """One batch (§12.7): `actions` appended to actions.json (§14.3), an action without
    `moves` given the replay's, signed at the log's head,
    then `actions.recorded` (§15.3) and its results head (§12.7), signed. The head's state is
    the verifier's own replay (the one thing here that is not independent of it): these tests
    exercise the checks of heads, chain and log; test_verifier_differential compares the
    verifier's heads with the engine's."""
    entries = read_log(bundle)
    results_digest = tagged("results", (bundle / "results.json").read_bytes())
    before = []
    if (bundle / "actions.json").exists():
        before = json.loads((bundle / "actions.json").read_bytes())["actions"]
    document = {"protocol": P, "kind": "actions", "results": results_digest.hex(),
                "audit": head(entries), "actions": before + actions}  # fmt: skip
    state, moves = _state(bundle, document)  # before any file changes: the bundle as it stands
    for action, replayed in zip(document["actions"], moves, strict=True):
        action.setdefault("moves", replayed)
    (bundle / "actions.json").write_bytes(jcs(document))
    (bundle / "actions.sig.json").write_bytes(
        signature_file("actions", tagged("actions", jcs(document)), key)
    )
    heads = (bundle / "heads.jsonl").read_bytes().splitlines()
    new_head = json.loads(heads[-1]) | {
        "seq": len(heads), "previous": tagged("results-head", heads[-1]).hex(),
        "actions": len(document["actions"]), "audit": document["audit"],
    } | state  # fmt: skip
    (bundle / "heads.jsonl").write_bytes(b"".join(h + b"\n" for h in [*heads, jcs(new_head)]))
    with (bundle / "heads.sig.jsonl").open("ab") as signatures:
        digest = tagged("results-head", jcs(new_head))
        signatures.write(signature_file("results-head", digest, key) + b"\n")
    digest = tagged("actions", jcs(document)).hex()
    append(entries, "actions.recorded", {"actions": digest, "count": len(document["actions"])})
    write_log(bundle, entries, key)


def _state(bundle: Path, document: dict[str, Any]) -> tuple[dict[str, Any], list[Any]]:
    """`outcomes`, `counts` and `schools` after every action of `document`, and the moves of
    each action, from the verifier's replay (nothing if an action is refused)."""
    from verifier.actions import head_state, replay_actions
    from verifier.errors import CheckFailed
    from verifier.verify import run_checks

    state = run_checks(bundle)[1]
    assert state.priorities is not None and state.allocation is not None
    right = [dict(action, moves=[]) for action in document["actions"]]
    digest = tagged("results", (bundle / "results.json").read_bytes())
    for index in range(len(right)):  # the moves the replay makes, action by action
        try:
            replay_actions(state.priorities, state.allocation,
                           document | {"actions": right[: index + 1]}, digest, [])  # fmt: skip
        except CheckFailed as error:  # "actions_moves" names the moves the replay made
            if error.message.key != "actions_moves":
                return {}, [[] for _ in right]
            right[index]["moves"] = ast.literal_eval(error.expected)
    count = len(right)
    leaves = replay_actions(state.priorities, state.allocation, document | {"actions": right},
                            digest, [count])[1]  # fmt: skip
    return head_state(state.priorities, leaves[count]), [action["moves"] for action in right]
