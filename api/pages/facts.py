"""What the pages show about a draw, read once from the service's rows and signed documents.

The pages never compute anything about an outcome: they read the public description
(`DrawPublic`), the signed manifest, ceremony and results as stored, and lay them out.
Results are shown only once published, as the results route does.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from api.lifecycle import State
from api.models import Draw
from api.schemas import DrawPublic, SchoolSpec
from api.services import ceremony, sealing
from api.services.draws import draw_public
from api.services.sealing import signed_document
from lottery import format_pin, pin

__all__ = [
    "DrawFacts",
    "WitnessFacts",
    "cached_by_digest",
    "draw_facts",
    "public_draws",
    "signed_json",
]

_PUBLIC_STATES = tuple(s.value for s in State if s is not State.DRAFT)


@dataclass(frozen=True)
class WitnessFacts:
    """A witness as the hall sees it: its commitment, and its secret once revealed."""

    id: str
    name: str
    commitment: str | None
    secret: str | None


@dataclass(frozen=True)
class DrawFacts:
    """A draw's public facts for the pages (signed documents parsed, or None before they exist)."""

    public: DrawPublic
    manifest: dict[str, Any] | None
    ceremony: dict[str, Any] | None
    results: dict[str, Any] | None
    witnesses: tuple[WitnessFacts, ...]
    beacon: tuple[str, str] | None

    @property
    def fingerprint(self) -> str | None:
        """The bureau key's fingerprint named in the manifest (protocol §12.4)."""
        return None if self.manifest is None else str(self.manifest["signing_key"]["fingerprint"])

    @property
    def pin(self) -> str | None:
        """The draw's pin in groups (protocol §12.6), once sealed."""
        digest, fingerprint = self.public.manifest_digest, self.fingerprint
        if digest is None or fingerprint is None:
            return None
        return format_pin(pin(bytes.fromhex(digest), fingerprint))

    @property
    def sealed_at(self) -> str | None:
        return None if self.manifest is None else str(self.manifest["draw"]["sealed_at"])

    @property
    def published(self) -> bool:
        return self.public.state == State.PUBLISHED.value

    def school(self, school_id: str | None) -> SchoolSpec | None:
        return next((s for s in self.public.schools if s.id == school_id), None)


def _hex(secret: bytes | None) -> str | None:
    return None if secret is None else secret.hex()


def signed_json(session: Session, draw: Draw, kind: str) -> dict[str, Any] | None:
    """The stored signed document of `kind`, parsed, or None."""
    stored = signed_document(session, draw, kind)
    return None if stored is None else dict(json.loads(stored.document))


_CACHE: OrderedDict[str, Any] = OrderedDict()
_CACHE_KEPT = 16
_lock = threading.Lock()


def cached_by_digest(key: str, build: Any) -> Any:
    """`build()` once per `key`; keys name a signed document by its digest, so a cached value
    can never be stale (a signed document never changes). Keeps the last few."""
    with _lock:
        if key in _CACHE:
            _CACHE.move_to_end(key)
            return _CACHE[key]
    value = build()
    with _lock:
        _CACHE[key] = value
        while len(_CACHE) > _CACHE_KEPT:
            _CACHE.popitem(last=False)
    return value


def _published_results(session: Session, draw: Draw) -> dict[str, Any] | None:
    stored = signed_document(session, draw, "results")
    if stored is None:
        return None
    document = stored.document
    parsed: dict[str, Any] = cached_by_digest(
        f"results/{stored.digest}", lambda: dict(json.loads(document))
    )
    return parsed


def draw_facts(session: Session, draw: Draw) -> DrawFacts:
    """Everything public about `draw` that a page may show."""
    revealed = ceremony.reveals_of(session, draw)
    witnesses = tuple(
        WitnessFacts(
            id=w.code,
            name=w.name,
            commitment=None if c is None else c.value,
            secret=_hex(revealed.get(w.code)),
        )
        for w, c in sealing.witnesses_of(session, draw)
    )
    published = draw.state == State.PUBLISHED
    return DrawFacts(
        public=draw_public(session, draw),
        manifest=signed_json(session, draw, "manifest"),
        ceremony=signed_json(session, draw, "ceremony"),
        results=_published_results(session, draw) if published else None,
        witnesses=witnesses,
        beacon=ceremony.beacon_value(session, draw),
    )


def public_draws(session: Session) -> list[Draw]:
    """Every draw past its draft, newest first."""
    query = select(Draw).where(col(Draw.state).in_(_PUBLIC_STATES)).order_by(col(Draw.id).desc())
    return list(session.exec(query))
