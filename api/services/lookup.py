"""The parent look-up: application number + receipt code -> the child's own outcome.

A wrong code and an unknown number give the same answer (`NotFound`, same body), and both
paths compute the same hash and constant-time comparison, so timing tells nothing either.
Nothing here lists or enumerates children. The inclusion proof lets the family check, with the
verifier, that the record is in the sealed tree (protocol §5.3). The outcome comes from the
signed results and actions (`api.services.signed_outcomes`), never from a table row that could
be edited after publishing.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from collections import OrderedDict
from typing import Any

from sqlmodel import Session, col, select

from api.cutoff_words import cutoff_lines, cutoff_text
from api.errors import NotFound
from api.lifecycle import State
from api.models import Applicant, ApplicantPrivate, Draw
from api.schemas import CutoffPublic, LookupResult, SchoolCutoffs, WaitlistPlace
from api.services.applicants import _public, applicant_records
from api.services.outcome_heads import last_head
from api.services.sealing import DataChanged, signed_document
from api.services.signed_outcomes import SignedOutcome, signed_outcome
from api.signer import Signer
from lottery import (
    ApplicantTree,
    InvalidRecord,
    LotteryError,
    applicant_entry,
    canonical_json,
    check_outcome_proof,
    normalise_receipt,
    outcome_proof,
)

__all__ = ["look_up", "outcome_proof_bytes", "proof_file_name"]

_DUMMY_RECEIPT = "0" * 16
_lock = threading.Lock()


def _no_match() -> NotFound:
    return NotFound(
        "报名号或回执码不正确", "the application number or the receipt code is not correct"
    )


def _receipt_hash(code: str) -> bytes:
    return hashlib.sha256(code.encode("utf-8")).digest()


_TREES: OrderedDict[str, tuple[ApplicantTree, dict[str, int]]] = OrderedDict()
_TREES_KEPT = 8


def _tree(session: Session, draw: Draw) -> tuple[ApplicantTree, dict[str, int]]:
    """The applicant tree of the draw's list and each application's leaf index.

    Once sealed, the list can no longer change: its tree is cached under the manifest's
    applicant root (content-addressed, so it can never be stale). Before sealing it is rebuilt.
    """
    manifest = signed_document(session, draw, "manifest")
    root = None if manifest is None else str(json.loads(manifest.document)["applicants"]["root"])
    if root is not None:
        with _lock:
            cached = _TREES.get(root)
            if cached is not None:
                _TREES.move_to_end(root)
                return cached
    records = applicant_records(session, draw)
    tree = ApplicantTree.from_entries(applicant_entry(r.encoded()) for r in records)
    built = (tree, {r.application: i for i, r in enumerate(records)})
    if root is not None and tree.root.hex() == root:
        with _lock:
            _TREES[root] = built
            while len(_TREES) > _TREES_KEPT:
                _TREES.popitem(last=False)
    return built


def look_up(
    session: Session, draw: Draw, *, application: str, receipt: str, signer: Signer
) -> LookupResult:
    """The child's outcome, or `NotFound` (identical for every failure)."""
    try:
        code = normalise_receipt(receipt)
    except InvalidRecord:
        code = _DUMMY_RECEIPT
    row = session.exec(
        select(Applicant, ApplicantPrivate)
        .join(ApplicantPrivate, col(Applicant.id) == col(ApplicantPrivate.applicant_id))
        .where(Applicant.draw_id == draw.id, Applicant.application == application)
    ).first()
    stored = _DUMMY_RECEIPT if row is None else row[1].receipt_code
    matches = hmac.compare_digest(_receipt_hash(code), _receipt_hash(stored))
    if row is None or not matches or code == _DUMMY_RECEIPT:
        raise _no_match()
    applicant = row[0]
    tree, leaf_index = _tree(session, draw)
    index = leaf_index[application]
    outcome = None
    if draw.state == State.PUBLISHED:
        outcome = signed_outcome(session, draw, application, signer=signer)
        answer = _answer(draw, applicant, outcome, tree, index)
        proof = _outcome_proof(session, draw, application, code, signer)
        return answer.model_copy(
            update={
                "outcome_proof": proof,
                "outcome_proof_file": proof_file_name(application),
                "outcome_proof_check_zh": _CHECK_ZH.format(file=proof_file_name(application)),
                "outcome_proof_check_en": _CHECK_EN.format(file=proof_file_name(application)),
                "cutoffs": _cutoffs(session, draw, outcome),
            }
        )
    return _answer(draw, applicant, outcome, tree, index)


_CHECK_ZH = (
    "保存此文件, 可在自己的电脑上离线核对 (PIN 为封存公告上的核对码): "
    "verify-draw outcome {file} --pin PIN"
)
_CHECK_EN = (
    "Keep this file and check it offline on your own computer (PIN is the pin of the sealing "
    "announcement): verify-draw outcome {file} --pin PIN"
)


def proof_file_name(application: str) -> str:
    """The name the outcome proof is downloaded under."""
    return f"outcome-proof-{application}.json"


def outcome_proof_bytes(proof: dict[str, Any]) -> bytes:
    """The outcome proof file: `JCS` of the document (§12.7 item 4)."""
    return canonical_json(proof)


def _outcome_proof(
    session: Session, draw: Draw, application: str, receipt: str, signer: Signer
) -> dict[str, Any]:
    """The child's leaf and its proof against the last results head (§12.7 item 4), checked
    the way a family checks it (with the receipt code) before it is handed out."""
    proof = outcome_proof(last_head(session, draw, signer), application)
    try:
        check_outcome_proof(proof, receipt=receipt)
    except LotteryError:
        raise DataChanged(
            "结果证明未通过核验, 暂停查询; 请联系教育局",
            "the outcome proof does not verify; look-ups are stopped until the bureau checks",
        ) from None
    return proof


def _cutoffs(session: Session, draw: Draw, outcome: SignedOutcome | None) -> list[SchoolCutoffs]:
    """The published cutoffs (§10.8) of the school the child holds and of each school it
    waits for, in that order, with their words."""
    if outcome is None:
        return []
    wanted = ([outcome.school] if outcome.school else []) + [s for s, _ in outcome.waitlist]
    facts = _cutoff_facts(session, draw)
    out = []
    for school in dict.fromkeys(wanted):
        cutoffs, tiers, categories = facts[school]
        texts = {
            language: [
                cutoff_text(line, language)
                for line in cutoff_lines(
                    language, cutoffs, tier_labels=tiers, categories=categories
                )
            ]
            for language in ("zh", "en")
        }
        out.append(
            SchoolCutoffs(
                school=school,
                cutoffs=[CutoffPublic(**c) for c in cutoffs],
                text_zh=texts["zh"],
                text_en=texts["en"],
            )
        )
    return out


_FACTS: OrderedDict[str, dict[str, tuple[list[dict[str, Any]], dict[str, str], dict[str, str]]]]
_FACTS = OrderedDict()


def _cutoff_facts(
    session: Session, draw: Draw
) -> dict[str, tuple[list[dict[str, Any]], dict[str, str], dict[str, str]]]:
    """School id -> (published cutoffs, tier labels, category labels), per results digest."""
    results = signed_document(session, draw, "results")
    manifest = signed_document(session, draw, "manifest")
    assert results is not None and manifest is not None
    with _lock:
        cached = _FACTS.get(results.digest)
    if cached is not None:
        return cached
    rules = json.loads(manifest.document)
    categories = {str(c["id"]): str(c["label"]) for c in rules["categories"]}
    tiers = {
        str(s["id"]): {str(t["id"]): str(t["label"]) for t in s["tiers"]} for s in rules["schools"]
    }
    facts = {
        str(s["id"]): (list(s["cutoffs"]), tiers[str(s["id"])], categories)
        for s in json.loads(results.document)["schools"]
    }
    with _lock:
        _FACTS[results.digest] = facts
        while len(_FACTS) > _TREES_KEPT:
            _FACTS.popitem(last=False)
    return facts


def _answer(
    draw: Draw,
    applicant: Applicant,
    outcome: SignedOutcome | None,
    tree: ApplicantTree,
    index: int,
) -> LookupResult:
    waitlist = [] if outcome is None else list(outcome.waitlist)
    zh, en = _explain(draw, outcome, waitlist)
    return LookupResult(
        application=applicant.application,
        masked_name=applicant.masked_name,
        state=draw.state,
        lottery_number=None if outcome is None else outcome.lottery_number,
        status=None if outcome is None else outcome.status,
        school=None if outcome is None else outcome.school,
        label=None if outcome is None else outcome.label,
        waitlist=[WaitlistPlace(school=s, position=p) for s, p in waitlist],
        explanation_zh=zh,
        explanation_en=en,
        record=_public(applicant),
        leaf_index=index,
        tree_size=tree.size,
        inclusion_proof=[p.hex() for p in tree.proof(index)],
        applicant_root=tree.root.hex(),
    )


_REMOVED = {  # post-draw actions (§14.1): the status the service stores for a removed child
    "declined": ("已放弃", "declined"),
    "disqualified": ("资格复核未通过", "failed the eligibility re-check"),
}


def _explain(
    draw: Draw, outcome: SignedOutcome | None, waitlist: list[tuple[str, int]]
) -> tuple[str, str]:
    if outcome is None:
        return (
            "结果尚未公布; 您孩子的记录已在名单中, 可用包含证明核对",
            "results are not published yet; your child's record is in the list "
            "(check it with the inclusion proof)",
        )
    places_zh = "; ".join(f"{s} 候补第 {p} 位" for s, p in waitlist)
    places_en = "; ".join(f"{s} waitlist position {p}" for s, p in waitlist)
    if outcome.status == "admitted":
        seat_zh = "专项名额" if (outcome.label or "").startswith("reserved:") else "普通名额"
        zh = f"已录取: {outcome.school} ({seat_zh}), 摇号号码 {outcome.lottery_number}"
        en = f"admitted to {outcome.school} ({outcome.label} seat), lottery number {outcome.lottery_number}"
        if waitlist:
            zh += f"; 同时在更靠前志愿候补: {places_zh}"
            en += f"; also on the waitlist of a school listed before it: {places_en}"
        return zh, en
    if outcome.status in _REMOVED:
        zh, en = _REMOVED[outcome.status]
        return (
            f"{zh}: 已移出本次摇号, 不占学位, 不在任何候补名单; 摇号号码 {outcome.lottery_number}",
            f"{en}: removed from the draw, holds no seat and is on no waitlist (protocol §14.1); "
            f"lottery number {outcome.lottery_number}",
        )
    if outcome.status == "waitlisted":
        return (
            f"未录取, 候补: {places_zh}; 摇号号码 {outcome.lottery_number}",
            f"not admitted; on the waitlist: {places_en}; lottery number {outcome.lottery_number}",
        )
    return (
        f"未录取, 不在候补名单; 摇号号码 {outcome.lottery_number}",
        f"not admitted and on no waitlist; lottery number {outcome.lottery_number}",
    )
