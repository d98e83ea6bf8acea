"""Outcome leaves, the outcome tree and signed results heads, protocol §12.7.

Every state of a draw (the draw day's, and the state after each batch of post-draw actions,
§14.2) is committed in an RFC 9162 tree with one leaf per applicant, and its root is signed in a
small results head, so that a family can check one child's outcome with a short proof
(`outcome_proof`, checked by `check_outcome_proof`). The heads are derived, never stored: head 0
from the draw, head `k` from the `k`-th `actions.recorded` entry of the audit log (§13.1, §15.3).
Ed25519 signatures are deterministic, so signing a head again gives the same bytes.

A million leaves are built as byte rows (`lottery.byte_rows`), without a dictionary per
applicant, whenever every string is plain (§1.3 identifiers always are); otherwise each leaf is
encoded as a document. The bytes are the same (a test holds them equal).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
import numpy.typing as npt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from lottery.actions import ActionEntry, check_actions, entries_of
from lottery.allocation.pairs import PairTable, build_pairs
from lottery.allocation.problem import AllocationProblem
from lottery.allocation.replay import REMOVED_KINDS, Placement, PostDrawAction, replay_states
from lottery.audit_log import AuditLog, audit_entry_hash, parse_audit_log
from lottery.byte_rows import (
    ByteColumn,
    encoded_column,
    hex16_column,
    join_rows,
    plain_column,
)
from lottery.canonical_parts import is_plain
from lottery.draw import DrawResult
from lottery.encoding import canonical_json
from lottery.errors import InvalidRecord, LotteryError, SignatureError
from lottery.hashing import PROTOCOL, domain_prefix, tagged_hash
from lottery.identifiers import check_hex64
from lottery.manifest import SigningKeyInfo
from lottery.merkle import ApplicantTree, InclusionError, leaf_hash, verify_inclusion
from lottery.pins import normalise_code, pin
from lottery.records import normalise_receipt, receipt_check
from lottery.signing import key_fingerprint, sign_document, verify_signature

__all__ = [
    "OutcomeProofError",
    "SignedHead",
    "check_outcome_proof",
    "head_digest",
    "outcome_entry",
    "outcome_leaves",
    "outcome_proof",
    "outcome_root",
    "results_heads",
    "state_counts",
]

I64 = npt.NDArray[np.int64]
_OUTCOME_PREFIX = domain_prefix("outcome")
_STATUSES = ("admitted", "waitlisted", "unplaced", *REMOVED_KINDS)
_PROOF_KEYS = {"protocol", "kind", "head", "signature", "outcome", "index", "proof"}
_LEAF_KEYS = {
    "application",
    "receipt_check",
    "lottery_number",
    "status",
    "school",
    "label",
    "choices",
}


class OutcomeProofError(LotteryError):
    """An outcome proof (§12.7 item 4) does not check: its signature, pins, path or receipt."""


def outcome_entry(leaf: bytes) -> bytes:
    """Entry `e_i` of §12.7 item 2: the outcome tag, a zero byte and `JCS(leaf_i)`."""
    return _OUTCOME_PREFIX + leaf


def _status_codes(placement: Placement) -> I64:
    """0 admitted, 1 waitlisted, 2 unplaced (§10.7), 3 + k removed by `REMOVED_KINDS[k]`."""
    waiting = np.zeros(placement.applicant_school.size, dtype=np.bool_)
    for waitlist in placement.waitlists:
        waiting[waitlist] = True
    code = np.where(placement.applicant_school >= 0, 0, np.where(waiting, 1, 2))
    kind = placement.removed_kind.astype(np.int64)
    return np.where(kind > 0, 2 + kind, code).astype(np.int64)


def _positions(placement: Placement, n_schools: int) -> tuple[I64, I64]:
    """Sorted keys `applicant * S + school` of every waitlist place, and the 1-based positions."""
    keys = [w.astype(np.int64) * n_schools + s for s, w in enumerate(placement.waitlists)]
    places = [np.arange(1, w.size + 1, dtype=np.int64) for w in placement.waitlists]
    key = np.concatenate([np.zeros(0, dtype=np.int64), *keys])
    place = np.concatenate([np.zeros(0, dtype=np.int64), *places])
    order = np.argsort(key, kind="stable")
    return key[order], place[order]


@dataclass(frozen=True, eq=False)
class _Choices:
    """Every (applicant, list entry) item in applicant order: school, number, position or -1."""

    applicant: I64
    unit: I64
    school: I64
    number: npt.NDArray[np.uint64]
    position: I64
    count: I64  # items per applicant


def _choices(problem: AllocationProblem, pairs: PairTable, placement: Placement) -> _Choices:
    n, n_schools = len(problem.applicant_ids), len(problem.schools)
    unit = problem.applicant_unit.astype(np.int64)
    count = (pairs.list_start[unit + 1] - pairs.list_start[unit]).astype(np.int64)
    applicant = np.repeat(np.arange(n, dtype=np.int64), count)
    within = np.arange(applicant.size, dtype=np.int64) - (np.cumsum(count) - count)[applicant]
    item_unit = unit[applicant]
    g = pairs.list_pair[pairs.list_start[item_unit] + within]
    school = pairs.pair_school[g]
    key, place = _positions(placement, n_schools)
    wanted = applicant * n_schools + school
    at = np.minimum(np.searchsorted(key, wanted), max(key.size - 1, 0))
    found = (key[at] == wanted) if key.size else np.zeros(wanted.size, dtype=np.bool_)
    position = np.where(found, place[at] if key.size else 0, -1)
    return _Choices(applicant, item_unit, school, pairs.pair_number[g], position, count)


def _position_column(positions: I64) -> ByteColumn:
    """Each position as its decimal digits (§2.3 integers), `null` where it is -1: the
    numbers up to the longest waitlist encoded once, then looked up."""
    longest = int(positions.max(initial=0))
    numbers = [b"null", *(str(k).encode("ascii") for k in range(1, longest + 1))]
    return encoded_column(numbers).take(np.maximum(positions, 0))


def _leaf_documents(
    problem: AllocationProblem,
    placement: Placement,
    receipt_checks: Sequence[str],
    choices: _Choices,
    status: I64,
) -> tuple[bytes, ...]:
    """Each leaf as a document, encoded (the general path)."""
    schools = [s.id for s in problem.schools]
    labels = ["open", *("reserved:" + c for c in problem.category_ids)]
    ends = np.cumsum(choices.count).tolist()
    starts = [0, *ends[:-1]]
    leaves = []
    for a, application in enumerate(problem.applicant_ids):
        school = int(placement.applicant_school[a])
        label = int(placement.applicant_label[a])
        items = range(starts[a], ends[a])
        leaf = {
            "application": application,
            "receipt_check": receipt_checks[a],
            "lottery_number": f"{int(problem.ticket[problem.applicant_unit[a]]):016x}",
            "status": _STATUSES[int(status[a])],
            "school": None if school < 0 else schools[school],
            "label": None if school < 0 else labels[label],
            "choices": [
                [
                    schools[int(choices.school[i])],
                    f"{int(choices.number[i]):016x}",
                    None if choices.position[i] < 0 else int(choices.position[i]),
                ]
                for i in items
            ],
        }
        leaves.append(canonical_json(leaf))
    return tuple(leaves)


def _leaf_rows(
    problem: AllocationProblem,
    placement: Placement,
    receipt_checks: Sequence[str],
    choices: _Choices,
    status: I64,
) -> tuple[bytes, ...]:
    """Each leaf's JCS as byte rows: keys in JCS order (application, choices, label,
    lottery_number, receipt_check, school, status). Three streams are joined row by row (what
    comes before the choices, the choices, what comes after) and each leaf is the three pieces
    of its row: no matrix as wide as the longest list of choices."""
    n = len(problem.applicant_ids)
    school_names = encoded_column([canonical_json(s.id) for s in problem.schools])
    items = len(choices.applicant)
    tickets = hex16_column(problem.ticket)  # §8.2, one per unit
    if problem.tie_breaking == "single":  # t_s(u) is the unit's ticket everywhere (§8.3)
        numbers = tickets.take(choices.unit)
    else:
        numbers = hex16_column(choices.number)
    first = np.ones(items, dtype=np.bool_)
    first[1:] = choices.applicant[1:] != choices.applicant[:-1]
    separator = ByteColumn(
        np.where(first, 0x0A, 0x2C).astype(np.uint8).reshape(-1, 1),
        np.ones(items, dtype=np.int64),
    )
    joined = join_rows(
        items,
        [
            separator,
            b"[",
            school_names.take(choices.school),
            b',"',
            numbers,
            b'",',
            _position_column(choices.position),
            b"]",
        ],
        skip=1,
    )
    listed = joined.split(b"\n")
    if len(listed) != n:
        raise ValueError(f"{len(listed)} lists of choices for {n} applicants")
    label_names = [b"null", *(canonical_json(x) for x in ["open"])]
    label_names += [canonical_json("reserved:" + c) for c in problem.category_ids]
    label_code = np.where(placement.applicant_school >= 0, placement.applicant_label + 1, 0)
    school_code = placement.applicant_school.astype(np.int64) + 1
    tails = [
        b',"school":' + school + b',"status":' + canonical_json(name) + b"}"
        for school in [b"null", *(canonical_json(s.id) for s in problem.schools)]
        for name in _STATUSES
    ]
    tail_code = school_code * len(_STATUSES) + status
    before = join_rows(
        n,
        [b'\n{"application":"', plain_column(problem.applicant_ids), b'","choices":['],
        skip=1,
    ).split(b"\n")
    after = join_rows(
        n,
        [
            b'\n],"label":',
            encoded_column(label_names).take(label_code),
            b',"lottery_number":"',
            tickets.take(problem.applicant_unit),
            b'","receipt_check":"',
            plain_column(receipt_checks),
            b'"',
            encoded_column(tails).take(tail_code),
        ],
        skip=1,
    ).split(b"\n")
    return tuple(map(b"".join, zip(before, listed, after, strict=True)))


def outcome_leaves(
    problem: AllocationProblem,
    placement: Placement,
    receipt_checks: Sequence[str],
    *,
    pairs: PairTable | None = None,
) -> tuple[bytes, ...]:
    """`JCS(leaf)` of every applicant in application order, in the state `placement` (§12.7
    item 1). `receipt_checks` are the records' `receipt_check`, in application order."""
    n = len(problem.applicant_ids)
    if len(receipt_checks) != n:
        raise ValueError(f"{len(receipt_checks)} receipt checks for {n} applicants")
    if n == 0:
        return ()
    pairs = build_pairs(problem) if pairs is None else pairs
    choices = _choices(problem, pairs, placement)
    status = _status_codes(placement)
    plain = is_plain(problem.applicant_ids) and bool((choices.count > 0).all())
    if plain:
        return _leaf_rows(problem, placement, receipt_checks, choices, status)
    return _leaf_documents(problem, placement, receipt_checks, choices, status)


def _tree(leaves: Sequence[bytes]) -> ApplicantTree:
    sha = hashlib.sha256
    start = sha(b"\x00" + _OUTCOME_PREFIX)
    hashes = []
    for leaf in leaves:
        h = start.copy()
        h.update(leaf)
        hashes.append(h.digest())
    return ApplicantTree(hashes)


def outcome_root(leaves: Sequence[bytes]) -> str:
    """`hex(MTH(e_0 .. e_{n-1}))`, the outcome root of §12.7 item 2."""
    return _tree(leaves).root.hex()


def head_digest(head: Mapping[str, Any]) -> bytes:
    """`H("results-head", JCS(head))`, §12.7 item 3."""
    return tagged_hash("results-head", canonical_json(dict(head)))


def state_counts(problem: AllocationProblem, placement: Placement) -> dict[str, Any]:
    """The `counts` and `schools` members of a results head (§12.7 item 3)."""
    status = _status_codes(placement)
    by_status = np.bincount(status, minlength=len(_STATUSES)).tolist()
    admitted = np.bincount(
        placement.applicant_school[placement.applicant_school >= 0],
        minlength=len(problem.schools),
    ).tolist()
    return {
        "counts": {
            "admitted": by_status[0],
            "waitlisted": by_status[1],
            "unplaced": by_status[2],
            "removed": sum(by_status[3:]),
        },
        "schools": [[s.id, s.seats, admitted[k]] for k, s in enumerate(problem.schools)],
    }


@dataclass(frozen=True, eq=False)
class SignedHead:
    """A results head (§12.7 item 3), its signature file (§12.4) and the leaves of its state."""

    head: dict[str, Any]
    signature: dict[str, str]
    leaves: tuple[bytes, ...]

    @cached_property
    def tree(self) -> ApplicantTree:
        """The outcome tree of the leaves (built once, for proofs)."""
        return _tree(self.leaves)


def _batches(log: AuditLog | bytes, total: int) -> list[tuple[int, dict[str, Any]]]:
    """`(count, audit head)` of each batch: every `actions.recorded` entry of the log, with
    the head of the entry just before it (§12.7 item 3, §15.3)."""
    entries = parse_audit_log(log.jsonl() if isinstance(log, AuditLog) else log)
    batches: list[tuple[int, dict[str, Any]]] = []
    for n, entry in enumerate(entries):
        if entry.get("action") != "actions.recorded":
            continue
        count = entry["details"]["count"]
        if n == 0 or type(count) is not int or (batches and count <= batches[-1][0]):
            raise LotteryError(
                f"audit entry {n + 1}: actions.recorded counts must increase strictly (§15.3)"
            )
        before = entries[n - 1]
        batches.append((count, {"seq": n, "hash": audit_entry_hash(before).hex()}))
    if total and (not batches or batches[-1][0] != total):
        raise LotteryError(
            f"the audit log's last actions.recorded does not count the {total} actions of "
            "actions.json (§15.3)"
        )
    if not total and batches:
        raise LotteryError("actions.recorded in the audit log, but no actions.json (§15.3)")
    return batches


def _post_draw_actions(
    problem: AllocationProblem, entries: Sequence[ActionEntry]
) -> tuple[PostDrawAction, ...]:
    index = {application: i for i, application in enumerate(problem.applicant_ids)}
    return tuple(PostDrawAction(e.type, index[e.application]) for e in entries)


def results_heads(
    result: DrawResult,
    *,
    actions: Mapping[str, Any] | None,
    log: AuditLog | bytes,
    signing_key: Ed25519PrivateKey,
) -> tuple[SignedHead, ...]:
    """Every results head of the draw, head 0 first, each signed (§12.7 item 3, §12.4).

    Head 0 is the draw day's state (its `audit` the results' audit head); head `k` the replay
    (§14.2) of the first `count` actions of the `k`-th `actions.recorded` entry of `log`, its
    `audit` the head of the entry just before that one."""
    problem, sealed = result.problem, result.sealed
    pairs = build_pairs(problem)
    checks = [record.receipt_check for record in sealed.records]
    entries = () if actions is None else entries_of(actions)
    check_actions(entries, problem.applicant_ids)
    batches = _batches(log, len(entries))
    stops = [0, *(count for count, _ in batches)]
    placements, _ = replay_states(
        problem, result.allocation, _post_draw_actions(problem, entries), stops, pairs=pairs
    )
    audits = [result.audit.document(), *(audit for _, audit in batches)]
    heads: list[SignedHead] = []
    previous: str | None = None
    for seq, (placement, audit) in enumerate(zip(placements, audits, strict=True)):
        leaves = outcome_leaves(problem, placement, checks, pairs=pairs)
        head = {
            "protocol": PROTOCOL,
            "kind": "results-head",
            "manifest": sealed.manifest_digest.hex(),
            "results": result.results_digest.hex(),
            "seq": seq,
            "previous": previous,
            "actions": placement.actions,
            "outcomes": {"count": len(leaves), "root": outcome_root(leaves)},
            **state_counts(problem, placement),
            "audit": audit,
        }
        digest = head_digest(head)
        signature = sign_document("results-head", digest, signing_key)
        heads.append(SignedHead(head=head, signature=signature, leaves=leaves))
        previous = digest.hex()
    return tuple(heads)


def _application_of(leaf: bytes) -> str:
    application = json.loads(leaf)["application"]
    assert isinstance(application, str)
    return application


def outcome_proof(signed: SignedHead, application: str) -> dict[str, Any]:
    """The outcome proof of §12.7 item 4 for `application` against the head `signed`."""
    leaves = signed.leaves
    low, high = 0, len(leaves)
    while low < high:  # leaves are in application order (§4.2)
        middle = (low + high) // 2
        if _application_of(leaves[middle]) < application:
            low = middle + 1
        else:
            high = middle
    if low == len(leaves) or _application_of(leaves[low]) != application:
        raise OutcomeProofError(f"application {application} is not in this draw")
    return {
        "protocol": PROTOCOL,
        "kind": "outcome-proof",
        "head": signed.head,
        "signature": signed.signature,
        "outcome": json.loads(leaves[low]),
        "index": low,
        "proof": [p.hex() for p in signed.tree.proof(low)],
    }


def _check_pin(
    head: Mapping[str, Any],
    fingerprint: str,
    given_pin: str | None,
    manifest: str | None,
    key: str | None,
) -> bool:
    """§12.7 item 4 step 2: the short pin, or the manifest digest *with* the key fingerprint.

    A manifest digest alone pins nothing here: the proof holds no manifest, so anyone could
    sign a head naming the real digest with a key of their own. Returns whether pins were
    given (and matched)."""
    if given_pin is None and manifest is None and key is None:
        return False
    if given_pin is None and (manifest is None or key is None):
        raise OutcomeProofError(
            "a manifest digest or a key fingerprint alone does not pin an outcome proof: give "
            "the pin of the sealing announcement, or the digest and the fingerprint together "
            "(§12.7 item 4, §12.6)"
        )
    if manifest is not None and manifest.lower() != head["manifest"]:
        raise OutcomeProofError(
            "the manifest digest given is not this proof's: it is not the draw you hold the pin "
            "of (§12.6)"
        )
    if key is not None and key.lower() != fingerprint:
        raise OutcomeProofError(
            "the key fingerprint given is not the key that signed this proof's head (§12.6)"
        )
    if given_pin is not None:
        expected = pin(bytes.fromhex(head["manifest"]), fingerprint)
        if normalise_code(given_pin) != expected:
            raise OutcomeProofError(
                "the pin given is not this proof's draw and key: it is not the draw you hold "
                "the pin of (§12.6)"
            )
    return True


def check_outcome_proof(
    proof: Mapping[str, Any],
    *,
    pin: str | None = None,
    manifest: str | None = None,
    fingerprint: str | None = None,
    receipt: str | None = None,
    application: str | None = None,
) -> dict[str, Any]:
    """Check an outcome proof (§12.7 item 4) and return its leaf; raise `OutcomeProofError`.

    The pins are the family's short `pin` (§12.6), or the `manifest` digest together with the
    key `fingerprint`; either alone is refused. `receipt` is the receipt code (§4.3),
    `application` the application number asked for. Without pins the proof is checked as
    signed by the key it names, not as the bureau's."""
    try:
        return _check_outcome_proof(proof, (pin, manifest, fingerprint), receipt, application)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise OutcomeProofError(f"outcome proof: malformed ({type(exc).__name__}: {exc})") from None


def _check_outcome_proof(
    proof: Mapping[str, Any],
    pins: tuple[str | None, str | None, str | None],
    receipt: str | None,
    application: str | None,
) -> dict[str, Any]:
    if not isinstance(proof, Mapping) or set(proof) != _PROOF_KEYS:
        raise OutcomeProofError(f"outcome proof: keys are not {sorted(_PROOF_KEYS)}")
    if (proof["protocol"], proof["kind"]) != (PROTOCOL, "outcome-proof"):
        raise OutcomeProofError(f"outcome proof: not a {PROTOCOL} outcome-proof document")
    head, signature, leaf = proof["head"], proof["signature"], proof["outcome"]
    if (head["protocol"], head["kind"]) != (PROTOCOL, "results-head"):
        raise OutcomeProofError("outcome proof: its head is not a results head (§12.7)")
    # (1) the signature: kind, digest, fingerprint of its own key, and Ed25519.
    public_key = signature["public_key"]
    check_hex64(public_key, "outcome proof: public key", OutcomeProofError)
    fingerprint = key_fingerprint(bytes.fromhex(public_key))
    try:
        verify_signature(
            dict(signature),
            kind="results-head",
            digest=head_digest(head),
            signing_key=SigningKeyInfo(public_key=public_key, fingerprint=fingerprint),
        )
    except SignatureError as error:
        raise OutcomeProofError(f"outcome proof: the head's signature fails: {error}") from None
    # (2) the pins.
    _check_pin(head, fingerprint, *pins)
    # (3) the index, the application and the path to the root.
    index, count = proof["index"], head["outcomes"]["count"]
    if type(index) is not int or type(count) is not int or not 0 <= index < count:
        raise OutcomeProofError(f"outcome proof: index {index!r} is not below count {count!r}")
    if not isinstance(leaf, Mapping) or set(leaf) != _LEAF_KEYS:
        raise OutcomeProofError(f"outcome proof: the outcome's keys are not {sorted(_LEAF_KEYS)}")
    if application is not None and leaf["application"] != application:
        raise OutcomeProofError(
            f"outcome proof: it is the outcome of {leaf['application']}, not of {application}"
        )
    path = proof["proof"]
    if not isinstance(path, list) or not all(isinstance(p, str) for p in path):
        raise OutcomeProofError("outcome proof: proof is not a list of hex strings")
    for p in path:
        check_hex64(p, "outcome proof: proof element", OutcomeProofError)
    check_hex64(head["outcomes"]["root"], "outcome proof: root", OutcomeProofError)
    try:
        verify_inclusion(
            leaf=leaf_hash(outcome_entry(canonical_json(dict(leaf)))),
            index=index,
            tree_size=count,
            proof=[bytes.fromhex(p) for p in path],
            root=bytes.fromhex(head["outcomes"]["root"]),
        )
    except InclusionError as error:
        raise OutcomeProofError(
            f"outcome proof: the outcome is not the one the head signed: {error}"
        ) from None
    # (4) the receipt code.
    if receipt is not None:
        try:
            code = normalise_receipt(receipt)
        except InvalidRecord:
            code = ""
        if not code or receipt_check(leaf["application"], code) != leaf["receipt_check"]:
            raise OutcomeProofError(
                "the receipt code does not match this application: no outcome is shown (§4.8)"
            )
    return dict(leaf)
