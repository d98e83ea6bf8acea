"""Witness reveals, the beacon value and the seed, protocol §7."""

from __future__ import annotations

import re

from verifier.canonical import encode
from verifier.errors import CheckFailed
from verifier.fields import HEX64, Fields, fail
from verifier.hashing import PROTOCOL, domain_hash
from verifier.manifest import Manifest

DECIMAL = re.compile(r"(0|[1-9][0-9]*)(\.[0-9]+)?")  # §7.2


def witness_commitment(witness_id: str, secret_hex: str) -> str:
    """`hex(H("witness-commitment", JCS({"secret": hex(S), "witness": id})))`, §7.1."""
    return domain_hash(
        "witness-commitment", encode({"secret": secret_hex, "witness": witness_id})
    ).hex()


def ceremony_fields(document: object) -> Fields:
    """The ceremony document's keys and fixed values, §7.5."""
    ceremony = Fields(document, "ceremony.json")
    ceremony.exact_keys(("protocol", "kind", "manifest", "reveals", "beacon", "seed"))
    ceremony.choice("protocol", [PROTOCOL])
    ceremony.choice("kind", ["ceremony"])
    ceremony.hex64("manifest"), ceremony.hex64("seed")
    return ceremony


def check_reveals(manifest: Manifest, ceremony: Fields) -> int:
    """§7.3: one reveal per witness in manifest order, each matching its commitment, and at
    least `min_reveals` of them. Returns the number revealed."""
    reveals = ceremony.array("reveals")
    if len(reveals) != len(manifest.witnesses):
        wanted = len(manifest.witnesses)
        raise fail("ceremony.json.reveals", "term_count", len(reveals), count=wanted)
    revealed = 0
    for index, (item, witness) in enumerate(zip(reveals, manifest.witnesses, strict=True)):
        reveal = Fields(item, f"ceremony.json.reveals[{index}]")
        reveal.exact_keys(("secret", "witness"))
        reveal.choice("witness", [witness.id])
        if reveal.raw("secret") is None:
            continue
        secret = reveal.hex64("secret")
        if witness_commitment(witness.id, secret) != witness.commitment:
            found = witness_commitment(witness.id, secret)
            sealed = witness.commitment
            raise CheckFailed("reveal_mismatch", witness=witness.id, expected=sealed, found=found)
        revealed += 1
    if revealed < manifest.min_reveals:
        raise CheckFailed("reveals_too_few", expected=manifest.min_reveals, found=revealed)
    return revealed


def check_beacon(manifest: Manifest, ceremony: Fields) -> str:
    """§7.2, §7.5: the ceremony's beacon against the registered one. Returns what was used."""
    value = ceremony.raw("beacon")
    if manifest.beacon is None:
        if value is not None:
            raise fail("ceremony.json.beacon", "term_null_no_beacon", value)
        return "-"
    beacon = Fields(value, "ceremony.json.beacon")
    beacon.exact_keys(("used", "value"))
    used = beacon.choice("used", ["primary", "fallback"])
    declared = manifest.beacon if used == "primary" else manifest.beacon["fallback"]
    if declared is None:
        raise fail("ceremony.json.beacon.used", "term_one_of", used, options="primary")
    pattern = HEX64 if declared["format"] == "hex64" else DECIMAL
    text = beacon.matching("value", pattern, "term_beacon_" + declared["format"])
    return f"{used}: {declared['source']} {declared['round']} = {text}"


def derive_seed(*, manifest_digest: bytes, reveals: object, beacon: object) -> bytes:
    """`H("seed", JCS({"beacon", "manifest", "reveals"}))`, §7.4."""
    inputs = {"beacon": beacon, "manifest": manifest_digest.hex(), "reveals": reveals}
    return domain_hash("seed", encode(inputs))
