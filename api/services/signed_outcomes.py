"""Each child's outcome as the signed documents say it, for the parent look-up (issue 13).

The look-up used to read the `outcomes` table: a row edited after publishing told a waitlisted
child it was admitted (Beijing 2020 showed results different from the real ones). Now the
answer comes from the signed results (protocol §12) and, after post-draw actions, from the
signed actions document (§14.3) replayed by the engine: both signatures are checked with the
bureau's own key (the service's signer, not a key read from the database), and a document that
does not verify is refused (`DataChanged`), never shown.

Checked outcomes are cached per draw under the digests of the documents they come from, so a
look-up costs one small query; a document changed in the database after it was checked cannot
change what a family sees, and a changed digest is checked again before anything is answered.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, select

from api.models import Draw, SignedDocument
from api.services.actions import lines_after
from api.services.sealing import DataChanged, signed_document
from api.signer import Signer
from lottery import parse_canonical
from lottery.actions import actions_from_document
from lottery.errors import LotteryError
from lottery.hashing import tagged_hash
from lottery.signing import signing_key_info, verify_signature

__all__ = ["SignedOutcome", "signed_outcome"]

_KEPT = 8
_cache: OrderedDict[tuple[int, str, str], dict[str, SignedOutcome]] = OrderedDict()
_lock = threading.Lock()


@dataclass(frozen=True)
class SignedOutcome:
    """One child's line: lottery number, status (§10.7, §14.1), school, seat label, waitlist
    places `[[school, position], ...]`."""

    lottery_number: str
    status: str
    school: str | None
    label: str | None
    waitlist: tuple[tuple[str, int], ...]


def _digests(session: Session, draw: Draw) -> dict[str, str]:
    rows = session.exec(
        select(SignedDocument.kind, SignedDocument.digest).where(SignedDocument.draw_id == draw.id)
    )
    return dict(rows.all())


def signed_outcome(
    session: Session, draw: Draw, application: str, *, signer: Signer
) -> SignedOutcome | None:
    """The child's outcome from the signed documents; None if the results do not name it."""
    digests = _digests(session, draw)
    assert draw.id is not None
    key = (draw.id, digests.get("results", ""), digests.get("actions", ""))
    with _lock:
        outcomes = _cache.get(key)
        if outcomes is not None:
            _cache.move_to_end(key)
    if outcomes is None:
        outcomes = _checked_outcomes(session, draw, signer)
        with _lock:
            _cache[key] = outcomes
            while len(_cache) > _KEPT:
                _cache.popitem(last=False)
    return outcomes.get(application)


def _refused(what: str) -> DataChanged:
    return DataChanged(
        f"已签名的{what}未通过核验, 暂停查询; 请联系教育局",
        f"the signed {what} do not verify; look-ups are stopped until the bureau checks them",
    )


def _checked_outcomes(session: Session, draw: Draw, signer: Signer) -> dict[str, SignedOutcome]:
    key = signing_key_info(signer.private_key)
    results_row = signed_document(session, draw, "results")
    if results_row is None:
        return {}
    try:
        digest = tagged_hash("results", results_row.document)
        verify_signature(
            parse_canonical(results_row.signature), kind="results", digest=digest, signing_key=key
        )
        results = parse_canonical(results_row.document, name="results.json")
    except LotteryError:
        raise _refused("结果 / results") from None
    numbers = {a[0]: a[1] for a in results["applicants"]}
    actions_row = signed_document(session, draw, "actions")
    if actions_row is None:
        return _from_results(results)
    try:
        entries = actions_from_document(
            actions_row.document,
            actions_row.signature,
            signing_key=key,
            results_json=results_row.document,
        )
    except LotteryError:
        raise _refused("递补记录 / actions") from None
    lines = lines_after(session, draw, signer, [(e.type, e.application) for e in entries])
    return {
        application: SignedOutcome(
            lottery_number=numbers[application],
            status=status,
            school=school,
            label=label,
            waitlist=tuple((str(s), int(p)) for s, p in json.loads(places)),
        )
        for application, (status, school, label, places) in lines.items()
    }


def _from_results(results: dict[str, Any]) -> dict[str, SignedOutcome]:
    places: dict[str, list[tuple[str, int]]] = {}
    for school in results["schools"]:
        for position, application in enumerate(school["waitlist"], start=1):
            places.setdefault(application, []).append((school["id"], position))
    return {
        application: SignedOutcome(
            lottery_number=number,
            status=status,
            school=school,
            label=label,
            waitlist=tuple(places.get(application, ())),
        )
        for application, number, status, school, label in results["applicants"]
    }
