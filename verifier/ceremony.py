"""Witness reveals, beacon value and seed, protocol §7."""

from __future__ import annotations

import re
from typing import Any

from verifier.canonical import encode
from verifier.errors import CheckFailed
from verifier.fields import HEX64, Fields, fail
from verifier.hashing import PROTOCOL, domain_hash
from verifier.manifest import Manifest

CEREMONY_KEYS = ("protocol", "kind", "manifest", "reveals", "beacon", "seed")
DECIMAL = re.compile(r"(0|[1-9][0-9]*)(\.[0-9]+)?")  # protocol §7.2


def witness_commitment(witness_id: str, secret_hex: str) -> str:
    """`hex(H("witness-commitment", JCS({"secret": hex(S), "witness": id})))`, §7.1."""
    return domain_hash(
        "witness-commitment", encode({"secret": secret_hex, "witness": witness_id})
    ).hex()


def check_ceremony_shape(document: object) -> Fields:
    """The ceremony document's keys and fixed values, §7.5."""
    ceremony = Fields(document, "ceremony.json")
    ceremony.exact_keys(CEREMONY_KEYS)
    ceremony.choice("protocol", [PROTOCOL])
    ceremony.choice("kind", ["ceremony"])
    ceremony.hex64("manifest"), ceremony.hex64("seed")
    return ceremony


def check_reveals(manifest: Manifest, ceremony: Fields) -> int:
    """(5): every reveal matches its commitment and enough witnesses revealed (§7.3, §7.4).

    Returns the number of reveals.
    """
    reveals = ceremony.array("reveals")
    if len(reveals) != len(manifest.witnesses):
        raise fail(
            "ceremony.json.reveals",
            f"{len(manifest.witnesses)} entries, one per witness",
            len(reveals),
        )
    revealed = 0
    for index, (item, witness) in enumerate(zip(reveals, manifest.witnesses, strict=True)):
        reveal = Fields(item, f"ceremony.json.reveals[{index}]")
        reveal.exact_keys(("secret", "witness"))
        if reveal.raw("witness") != witness.id:
            raise fail(
                f"{reveal.path}.witness", f"{witness.id!r} (manifest order)", reveal.raw("witness")
            )
        secret = reveal.raw("secret")
        if secret is None:
            continue
        if not isinstance(secret, str) or not HEX64.fullmatch(secret):
            raise fail(f"{reveal.path}.secret", "null or 64 lowercase hex digits", secret)
        commitment = witness_commitment(witness.id, secret)
        if commitment != witness.commitment:
            raise CheckFailed(
                f"witness {witness.id}: the revealed secret does not match the commitment (§7.3)",
                expected=witness.commitment,
                found=commitment,
            )
        revealed += 1
    if revealed < manifest.min_reveals:
        raise CheckFailed(
            "too few witnesses revealed their secret (§7.3)",
            expected=f"at least {manifest.min_reveals}",
            found=str(revealed),
        )
    return revealed


def check_beacon_value(manifest: Manifest, ceremony: Fields) -> str:
    """(6): the ceremony's beacon agrees with the registered beacon (§7.2, §7.5).

    Returns a short description of the value used.
    """
    value = ceremony.raw("beacon")
    registered = manifest.beacon
    if registered is None:
        if value is not None:
            raise fail("ceremony.json.beacon", "null (the manifest registered no beacon)", value)
        return "no beacon registered"
    beacon = Fields(value, "ceremony.json.beacon")
    beacon.exact_keys(("used", "value"))
    used = beacon.choice("used", ["primary", "fallback"])
    declared: dict[str, Any] | None = registered if used == "primary" else registered["fallback"]
    if declared is None:
        raise fail("ceremony.json.beacon.used", '"primary" (no fallback was declared)', used)
    text = beacon.string("value")
    pattern = HEX64 if declared["format"] == "hex64" else DECIMAL
    if not pattern.fullmatch(text):
        raise fail("ceremony.json.beacon.value", f"a {declared['format']} value (§7.2)", text)
    return f"{used}: {declared['source']} {declared['round']} = {text}"


def derive_seed(*, manifest_digest: bytes, reveals: list[Any], beacon: Any) -> bytes:
    """`H("seed", JCS({"beacon", "manifest", "reveals"}))`, protocol §7.4."""
    return domain_hash(
        "seed", encode({"beacon": beacon, "manifest": manifest_digest.hex(), "reveals": reveals})
    )


def check_seed(manifest: Manifest, ceremony: Fields) -> bytes:
    """(7): the seed recomputed from the manifest, reveals and beacon (§7.4). Returns it."""
    seed = derive_seed(
        manifest_digest=manifest.digest,
        reveals=ceremony.array("reveals"),
        beacon=ceremony.raw("beacon"),
    )
    if seed.hex() != ceremony.raw("seed"):
        raise fail("ceremony.json.seed", seed.hex(), ceremony.raw("seed"))
    return seed
