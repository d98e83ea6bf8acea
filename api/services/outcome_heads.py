"""Results heads and outcome proofs for the parent look-up (protocol §12.7).

Every state of a published draw (the draw day's, then one after each batch of post-draw
actions) has a signed results head over an outcome tree with one leaf per child; a look-up hands
the family the leaf of its child with its Merkle proof against the last head (§12.7 item 4).

The engine computes the heads (`lottery.results_heads`) from the draw's result, re-run from the
sealed data and checked byte for byte against the signed results, the signed actions document
and the audit log. That is one leaf per child (150,000 in a county) and a tree, so the heads are
kept in-process, keyed by (draw, results digest, actions digest): the results never change after
the run, and every batch of actions signs a new actions document whose digest is a new key, so a
key never gives a stale state. A look-up after a new batch misses once and computes the new
state (the process that recorded the batch already has it). Before anything is kept, the
computed heads must be byte for byte the ones the bundle publishes (`heads.jsonl` and
`heads.sig.jsonl`), so a family is never shown a head that the bundle does not hold.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from sqlmodel import Session, select

from api import audit
from api.models import BundleFile, Draw
from api.services.sealing import DataChanged, reseal, signed_document
from api.signer import Signer
from lottery import (
    AuditHead,
    DrawResult,
    LotteryError,
    SignedHead,
    canonical_json,
    ceremony_from_document,
    parse_canonical,
    results_heads,
    run_draw,
)

__all__ = ["HEADS_FILES", "draw_heads", "heads_files", "last_head", "store_heads"]

HEADS_FILES = ("heads.jsonl", "heads.sig.jsonl")
_KEPT = 4  # states kept; each holds one leaf per child
_cache: OrderedDict[tuple[int, str, str], tuple[SignedHead, ...]] = OrderedDict()
_lock = threading.Lock()


def _draw_result(session: Session, draw: Draw, signer: Signer) -> DrawResult:
    """The draw's result re-run by the engine from the sealed data and the signed ceremony;
    `DataChanged` unless it gives the signed results exactly."""
    sealed = reseal(session, draw, signer=signer)
    ceremony_row = signed_document(session, draw, "ceremony")
    results_row = signed_document(session, draw, "results")
    assert ceremony_row is not None and results_row is not None
    try:
        ceremony = ceremony_from_document(parse_canonical(ceremony_row.document), sealed.manifest)
        head = AuditHead(**parse_canonical(results_row.document)["audit"])
        result = run_draw(sealed, ceremony, signer.private_key, audit=head)
    except LotteryError as error:
        raise DataChanged(f"重算失败: {error}", f"the re-run failed: {error}") from None
    if result.results_json != results_row.document:
        raise DataChanged("重算结果与已公布结果不一致", "re-run results differ from the published")
    return result


def heads_files(heads: tuple[SignedHead, ...]) -> dict[str, bytes]:
    """`heads.jsonl` and `heads.sig.jsonl` (§13.1) of `heads`, head 0 first."""
    return {
        "heads.jsonl": b"".join(canonical_json(h.head) + b"\n" for h in heads),
        "heads.sig.jsonl": b"".join(canonical_json(h.signature) + b"\n" for h in heads),
    }


def _compute(session: Session, draw: Draw, signer: Signer) -> tuple[SignedHead, ...]:
    assert draw.id is not None
    actions_row = signed_document(session, draw, "actions")
    log = audit.audit_jsonl(audit.events_of(session, draw.id), draw.public_id)
    try:
        return tuple(
            results_heads(
                _draw_result(session, draw, signer),
                actions=None if actions_row is None else parse_canonical(actions_row.document),
                log=log,
                signing_key=signer.private_key,
            )
        )
    except LotteryError as error:
        raise DataChanged(
            f"不能计算结果头: {error}", f"cannot compute the results heads: {error}"
        ) from None


def draw_heads(
    session: Session, draw: Draw, signer: Signer, *, published: bool = True
) -> tuple[SignedHead, ...]:
    """Every results head of the draw as it stands, head 0 first, with their leaves.

    With `published`, the heads must be those of the stored bundle (`DataChanged` otherwise);
    without (while a batch is being recorded, before the bundle holds them) they are not
    compared."""
    assert draw.id is not None
    results = signed_document(session, draw, "results")
    actions = signed_document(session, draw, "actions")
    assert results is not None
    key = (draw.id, results.digest, "" if actions is None else actions.digest)
    with _lock:
        heads = _cache.get(key)
        if heads is not None:
            _cache.move_to_end(key)
            return heads
    heads = _compute(session, draw, signer)
    if published:
        stored = {
            row.name: row.content
            for row in session.exec(
                select(BundleFile).where(
                    BundleFile.draw_id == draw.id,
                    BundleFile.name.in_(HEADS_FILES),  # type: ignore[attr-defined]
                )
            )
        }
        if stored != heads_files(heads):
            raise DataChanged(
                "结果头与公开数据包不一致, 暂停查询; 请联系教育局",
                "the results heads differ from the bundle's; look-ups are stopped",
            )
    with _lock:
        _cache[key] = heads
        while len(_cache) > _KEPT:
            _cache.popitem(last=False)
    return heads


def store_heads(session: Session, draw: Draw, signer: Signer) -> tuple[SignedHead, ...]:
    """Compute the heads after a batch of actions was signed and logged (§12.7, §15.3) and put
    them in the stored bundle (before `refresh_bundle` indexes it)."""
    heads = draw_heads(session, draw, signer, published=False)
    for name, content in heads_files(heads).items():
        row = session.exec(
            select(BundleFile).where(BundleFile.draw_id == draw.id, BundleFile.name == name)
        ).first()
        if row is None:
            assert draw.id is not None
            row = BundleFile(draw_id=draw.id, name=name, content=content)
        row.content = content
        session.add(row)
    session.flush()
    return heads


def last_head(session: Session, draw: Draw, signer: Signer) -> SignedHead:
    """The head a look-up shows: the last state of the draw (§12.7)."""
    return draw_heads(session, draw, signer)[-1]
