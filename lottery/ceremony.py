"""The witness ceremony: commitments, reveals, beacon value and the seed (protocol §7).

The seed is `H("seed", JCS({"beacon": ..., "manifest": ..., "reveals": [...]}))` (§7.4); nothing
about it comes from a clock or from this machine's entropy. Witness secrets are generated at the
edge (`api/`) and arrive here as bytes.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from lottery.encoding import canonical_json
from lottery.errors import CeremonyError
from lottery.hashing import PROTOCOL, tagged_hash
from lottery.manifest import BeaconSource, Manifest, Witness, manifest_digest

__all__ = [
    "BeaconValue",
    "Ceremony",
    "ceremony_digest",
    "ceremony_document",
    "check_beacon_value",
    "check_reveal",
    "form_seed",
    "witness_commitment",
]

_HEX64 = re.compile(r"[0-9a-f]{64}")
_DECIMAL = re.compile(r"(0|[1-9][0-9]*)(\.[0-9]+)?")


@dataclass(frozen=True)
class BeaconValue:
    """The beacon value used in the ceremony and which source gave it (§7.5)."""

    used: Literal["primary", "fallback"]
    value: str


@dataclass(frozen=True)
class Ceremony:
    """A formed seed and everything it came from (§7.4, §7.5).

    `reveals` has one `(witness id, secret or None)` per manifest witness, in manifest order.
    """

    manifest_digest: bytes
    reveals: tuple[tuple[str, bytes | None], ...]
    beacon: BeaconValue | None
    seed: bytes


def witness_commitment(witness_id: str, secret: bytes) -> str:
    """`hex(H("witness-commitment", JCS({"secret": hex(S), "witness": id})))`, §7.1."""
    if len(secret) != 32:
        raise CeremonyError(f"witness {witness_id}: secret is {len(secret)} bytes, not 32 (§7.1)")
    document = {"secret": secret.hex(), "witness": witness_id}
    return tagged_hash("witness-commitment", canonical_json(document)).hex()


def check_reveal(witness: Witness, secret: bytes) -> None:
    """Raise `CeremonyError` unless `secret` matches the witness's commitment (§7.3)."""
    if witness_commitment(witness.id, secret) != witness.commitment:
        raise CeremonyError(
            f"witness {witness.id}: revealed secret does not match commitment "
            f"{witness.commitment[:16]}... (§7.3)"
        )


def check_beacon_value(source: BeaconSource, value: str) -> None:
    """Raise `CeremonyError` unless `value` has the format `source` registered (§7.2)."""
    pattern = _HEX64 if source.format == "hex64" else _DECIMAL
    if not isinstance(value, str) or not pattern.fullmatch(value):
        raise CeremonyError(
            f"beacon {source.source} round {source.round}: value {value!r} is not "
            f"in format {source.format} (§7.2)"
        )


def _beacon_for_seed(manifest: Manifest, beacon: BeaconValue | None) -> dict[str, str] | None:
    """§7.5: the ceremony beacon must agree with the registered beacon."""
    registered = manifest.beacon
    if registered is None:
        if beacon is not None:
            raise CeremonyError("beacon: the manifest registers no beacon, yet a value was given")
        return None
    if beacon is None:
        raise CeremonyError(
            f"beacon: the manifest registers {registered.primary.source} round "
            f"{registered.primary.round}; its value is required (§7.5)"
        )
    if beacon.used == "primary":
        source = registered.primary
    elif beacon.used == "fallback":
        if registered.fallback is None:
            raise CeremonyError("beacon: fallback used, but the manifest declares none (§7.5)")
        source = registered.fallback
    else:
        raise CeremonyError(f"beacon.used {beacon.used!r} is not 'primary' or 'fallback'")
    check_beacon_value(source, beacon.value)
    return {"used": beacon.used, "value": beacon.value}


def _reveals_document(reveals: tuple[tuple[str, bytes | None], ...]) -> list[dict[str, Any]]:
    return [
        {"secret": None if secret is None else secret.hex(), "witness": witness}
        for witness, secret in reveals
    ]


def form_seed(
    manifest: Manifest, reveals: Mapping[str, bytes | None], beacon: BeaconValue | None
) -> Ceremony:
    """Check every reveal and the beacon, then form the seed (§7.3, §7.4).

    `reveals` maps witness id to its revealed secret; a witness absent from it, or mapped to
    None, did not reveal.
    """
    known = {w.id for w in manifest.witnesses}
    for witness_id in sorted(set(reveals) - known):
        raise CeremonyError(f"reveal from {witness_id!r}, who is not a witness of the manifest")
    ordered: list[tuple[str, bytes | None]] = []
    for witness in manifest.witnesses:
        secret = reveals.get(witness.id)
        if secret is not None:
            check_reveal(witness, secret)
        ordered.append((witness.id, secret))
    revealed = sum(secret is not None for _, secret in ordered)
    if revealed < manifest.min_reveals:
        raise CeremonyError(
            f"reveals: {revealed} of {len(ordered)} witnesses revealed, the policy requires "
            f"{manifest.min_reveals} (§7.3)"
        )
    beacon_document = _beacon_for_seed(manifest, beacon)
    digest = manifest_digest(manifest)
    seed_input = {
        "beacon": beacon_document,
        "manifest": digest.hex(),
        "reveals": _reveals_document(tuple(ordered)),
    }
    seed = tagged_hash("seed", canonical_json(seed_input))
    return Ceremony(manifest_digest=digest, reveals=tuple(ordered), beacon=beacon, seed=seed)


def ceremony_document(ceremony: Ceremony) -> dict[str, Any]:
    """The ceremony document of §7.5."""
    beacon = ceremony.beacon
    return {
        "protocol": PROTOCOL,
        "kind": "ceremony",
        "manifest": ceremony.manifest_digest.hex(),
        "reveals": _reveals_document(ceremony.reveals),
        "beacon": None if beacon is None else {"used": beacon.used, "value": beacon.value},
        "seed": ceremony.seed.hex(),
    }


def ceremony_digest(ceremony: Ceremony) -> bytes:
    """`H("ceremony", JCS(ceremony))`, §7.5."""
    return tagged_hash("ceremony", canonical_json(ceremony_document(ceremony)))
