"""The family's answer in its own words: built from the look-up result and the draw's facts.

The look-up service (`api.services.lookup`) decides what a family may see; this module only
names things: the school by name, the tier by its label, the cutoff at each choice, the
waitlist place, what to do next. It also gathers what the in-browser check needs (the public
record and its inclusion proof, and the outcome proof of §12.7 item 4 once published), which the
page hands to `check.js` as a JSON data block.
"""

from __future__ import annotations

import base64
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from api.cutoff_words import CutoffLine, cutoff_lines
from api.pages.facts import DrawFacts
from api.pages.messages import Messages
from api.schemas import LookupResult
from api.services.lookup import outcome_proof_bytes

__all__ = ["Choice", "FamilyView", "ProofDownload", "family_view"]

_CUTOFFS: OrderedDict[str, dict[str, Any]] = OrderedDict()
_CUTOFFS_KEPT = 8
_lock = threading.Lock()


@dataclass(frozen=True)
class Choice:
    """One school the family listed, in its order of preference."""

    rank: int
    school: str
    tier: str
    lottery_number: str | None
    cutoffs: tuple[CutoffLine, ...]  # one per seat label (§10.8), empty before publication
    result: str


@dataclass(frozen=True)
class FamilyView:
    """Everything the result page says to the family."""

    application: str
    masked_name: str
    published: bool
    headline: str
    school: str | None
    lottery_number: str | None
    choices: tuple[Choice, ...]
    next_steps: str
    check_data: dict[str, Any]
    proof: ProofDownload | None = None


@dataclass(frozen=True)
class ProofDownload:
    """The outcome proof (§12.7 item 4) as a file the page offers: its name, a `data:` address
    holding it (nothing is fetched again, the receipt code is sent once), which head it is
    against, and the command that checks it offline."""

    file: str
    href: str
    head: str
    command: str


def _cutoffs(facts: DrawFacts) -> dict[str, Any]:
    """School id -> published cutoffs, one per seat label (protocol §10.8), cached per
    results document."""
    if facts.results is None:
        return {}
    key = facts.public.id + "/" + str(facts.results.get("seed"))
    with _lock:
        if key not in _CUTOFFS:
            _CUTOFFS[key] = {s["id"]: s["cutoffs"] for s in facts.results["schools"]}
            while len(_CUTOFFS) > _CUTOFFS_KEPT:
                _CUTOFFS.popitem(last=False)
        return _CUTOFFS[key]


def _tier_label(facts: DrawFacts, school_id: str, tier_id: str | None) -> str:
    school = facts.school(school_id)
    if school is None:
        return tier_id or ""
    tier = next((t for t in school.tiers if t.id == tier_id), school.tiers[-1])
    return tier.label


def _choice(
    t: Messages, facts: DrawFacts, result: LookupResult, rank: int, school_id: str
) -> Choice:
    school = facts.school(school_id)
    cutoffs: tuple[CutoffLine, ...] = ()
    if facts.published:
        cutoffs = cutoff_lines(
            t.lang,
            _cutoffs(facts).get(school_id),
            tier_labels={tier.id: tier.label for tier in school.tiers} if school else {},
            categories={c.id: c.label for c in facts.public.categories},
        )
    place = next((w.position for w in result.waitlist if w.school == school_id), None)
    if not facts.published:
        outcome = t("family.pending")
    elif result.school == school_id and result.status == "admitted":
        outcome = t("family.admitted_here")
    elif place is not None:
        outcome = t("family.waitlist_here", position=place)
    else:
        outcome = t("family.not_here")
    return Choice(
        rank=rank,
        school=school.name if school else school_id,
        tier=_tier_label(facts, school_id, result.record.tiers.get(school_id)),
        lottery_number=result.lottery_number if facts.public.tie_breaking == "single" else None,
        cutoffs=cutoffs,
        result=outcome,
    )


def family_view(t: Messages, facts: DrawFacts, result: LookupResult) -> FamilyView:
    """The family's answer in the words of `t`."""
    school = facts.school(result.school)
    status = result.status if facts.published else None
    headline_key = {
        None: "family.headline_pending",
        "admitted": "family.headline_admitted",
        "waitlisted": "family.headline_waitlisted",
        "unplaced": "family.headline_unplaced",
        "declined": "family.headline_declined",
        "disqualified": "family.headline_disqualified",
    }.get(status, "family.headline_unplaced")
    school_name = school.name if school else None
    choices = tuple(
        _choice(t, facts, result, rank, school_id)
        for rank, school_id in enumerate(result.record.preferences, start=1)
    )
    next_key = "family.next_" + (status or "pending")
    return FamilyView(
        application=result.application,
        masked_name=result.masked_name,
        published=facts.published,
        headline=t(headline_key, school=school_name or ""),
        school=school_name,
        lottery_number=result.lottery_number,
        choices=choices,
        next_steps=t(next_key) if next_key in _NEXT_KEYS else t("family.next_unplaced"),
        check_data=_check_data(facts, result),
        proof=_proof(t, result),
    )


def _proof(t: Messages, result: LookupResult) -> ProofDownload | None:
    if result.outcome_proof is None or result.outcome_proof_file is None:
        return None
    data = base64.b64encode(outcome_proof_bytes(result.outcome_proof)).decode("ascii")
    head = result.outcome_proof["head"]
    return ProofDownload(
        file=result.outcome_proof_file,
        href="data:application/json;base64," + data,
        head=t("family.proof_head", seq=head["seq"], actions=head["actions"]),
        command=f"verify-draw outcome {result.outcome_proof_file} --pin PIN",
    )


_NEXT_KEYS = {
    "family.next_pending",
    "family.next_admitted",
    "family.next_waitlisted",
    "family.next_unplaced",
    "family.next_declined",
    "family.next_disqualified",
}


def _check_data(facts: DrawFacts, result: LookupResult) -> dict[str, Any]:
    """What `check.js` verifies: the record, its inclusion proof (§5.3), and, once published,
    the child's outcome proof against the last signed results head (§12.7 item 4), which it
    checks instead of downloading the whole results file. Before publication there is no
    proof (`None`) and that step is skipped."""
    return {
        "draw": facts.public.id,
        "application": result.application,
        "record": result.record.model_dump(),
        "leaf_index": result.leaf_index,
        "tree_size": result.tree_size,
        "inclusion_proof": result.inclusion_proof,
        "published": facts.published,
        "lottery_number": result.lottery_number,
        "outcome_proof": result.outcome_proof,
    }
