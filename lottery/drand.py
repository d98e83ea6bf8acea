"""Beacon registration (protocol §7.2) and the drand chains of Appendix A.

The bureau names a public value that does not exist yet when it seals: its `at` must be later
than sealing, and for drand the chain's parameters come from Appendix A, not from the bureau,
so the time of a round cannot be bent to one already published.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from lottery.errors import InvalidRules
from lottery.identifiers import check_time

if TYPE_CHECKING:
    from lottery.manifest import Beacon, BeaconSource

__all__ = [
    "DRAND_CHAINS",
    "DRAND_PREFIX",
    "DrandChain",
    "check_beacon_registration",
    "check_beacon_value_format",
    "drand_round_time",
]

DRAND_PREFIX = "drand:"
_ROUND = re.compile(r"[1-9][0-9]*")
_HEX64 = re.compile(r"[0-9a-f]{64}")
_DECIMAL = re.compile(r"(0|[1-9][0-9]*)(\.[0-9]+)?")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class DrandChain:
    """A drand chain of Appendix A."""

    scheme: str
    period: int  # seconds between rounds
    genesis: int  # Unix seconds of round 1
    public_key: str  # hex of the BLS public key

    @property
    def chained(self) -> bool:
        """Whether a round's message includes the previous signature (Appendix A)."""
        return self.scheme == "pedersen-bls-chained"


# Appendix A, normative: the only drand chains a manifest may name.
DRAND_CHAINS: dict[str, DrandChain] = {
    "8990e7a9aaed2ffed73dbd7092123d6f289930540d7651336225dc172e51b2ce": DrandChain(
        scheme="pedersen-bls-chained",
        period=30,
        genesis=1595431050,
        public_key="868f005eb8e6e4ca0a47c8a77ceaa5309a47978a7c71bc5cce96366b5d7a5699"
        "37c529eeda66c7293784a9402801af31",
    ),
    "52db9ba70e0cc0f6eaf7803dd07447a1f5477735fd3f661792ba94600c84e971": DrandChain(
        scheme="bls-unchained-g1-rfc9380",
        period=3,
        genesis=1692803367,
        public_key="83cf0f2896adee7eb8b5f01fcad3912212c437e0073e911fb90022d3e760183c"
        "8c4b450b6a0a6c3ac6a5776a2d1064510d1fec758c921cc22b0e17e63aaf4bcb"
        "5ed66304de9cf809bd274ca73bab4af5a6e9c76a4bc09e76eae8991ef5ece45a",
    ),
}


def drand_round_time(chain_hash: str, round: int) -> str:
    """The §1.5 time at which round `round` of a chain of Appendix A is published:
    `genesis + (round - 1) * period`."""
    chain = DRAND_CHAINS.get(chain_hash)
    if chain is None:
        raise InvalidRules(f"drand chain {chain_hash!r} is not a chain of Appendix A")
    if round < 1:
        raise InvalidRules(f"drand round {round} is below 1 (§7.2)")
    try:
        moment = _EPOCH + timedelta(seconds=chain.genesis + (round - 1) * chain.period)
    except OverflowError:
        raise InvalidRules(f"drand round {round} is beyond any time of §1.5") from None
    if moment.year > 9999:
        raise InvalidRules(f"drand round {round} is beyond any time of §1.5")
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def drand_chain(source: str) -> DrandChain | None:
    """The chain a `drand:` source names, or None for a source that is not drand."""
    if not source.startswith(DRAND_PREFIX):
        return None
    return DRAND_CHAINS.get(source[len(DRAND_PREFIX) :])


def check_beacon_value_format(format: str, value: object) -> bool:
    """Whether `value` has the §7.2 item 2 format."""
    pattern = _HEX64 if format == "hex64" else _DECIMAL
    return isinstance(value, str) and pattern.fullmatch(value) is not None


def _check_source(source: BeaconSource, where: str) -> None:
    if not isinstance(source.source, str) or not source.source:
        raise InvalidRules(f"{where}.source {source.source!r} is not a non-empty string (§7.2)")
    if not isinstance(source.round, str) or not source.round:
        raise InvalidRules(f"{where}.round {source.round!r} is not a non-empty string (§7.2)")
    if source.format not in ("hex64", "decimal"):
        raise InvalidRules(f"{where}.format {source.format!r} is not 'hex64' or 'decimal' (§7.2)")
    check_time(source.at, f"{where}.at", InvalidRules)
    if not source.source.startswith(DRAND_PREFIX):
        return
    # §7.2 item 3: the chain, round, format and time are fixed by Appendix A.
    chain_hash = source.source[len(DRAND_PREFIX) :]
    if chain_hash not in DRAND_CHAINS:
        raise InvalidRules(
            f"{where}.source {source.source!r}: {chain_hash!r} is not a drand chain of "
            f"Appendix A ({', '.join(sorted(DRAND_CHAINS))})"
        )
    if not _ROUND.fullmatch(source.round):
        raise InvalidRules(
            f"{where}.round {source.round!r}: a drand round is a decimal integer >= 1 "
            "without leading zeros (§7.2)"
        )
    if source.format != "hex64":
        raise InvalidRules(f"{where}.format {source.format!r}: a drand value is hex64 (§7.2)")
    expected = drand_round_time(chain_hash, int(source.round))
    if source.at != expected:
        chain = DRAND_CHAINS[chain_hash]
        raise InvalidRules(
            f"{where}.at {source.at}: round {source.round} of drand chain {chain_hash[:16]}... "
            f"(genesis {chain.genesis}, period {chain.period} s) is published at {expected} "
            "(§7.2, Appendix A)"
        )


def check_beacon_registration(beacon: Beacon | None, sealed_at: str) -> None:
    """§7.2: a beacon is registered (version 2 requires one), each source well formed, drand
    sources as Appendix A fixes them, and every value published after sealing (the fallback
    after the primary). Raises `InvalidRules` naming the field."""
    if beacon is None:
        raise InvalidRules("beacon: version 2 requires a beacon; it is null (§6.1)")
    _check_source(beacon.primary, "beacon")
    if not beacon.primary.at > sealed_at:
        raise InvalidRules(
            f"beacon.at {beacon.primary.at} is not later than draw.sealed_at {sealed_at}: the "
            "value could exist when the manifest is sealed (§7.2 item 1)"
        )
    fallback = beacon.fallback
    if fallback is None:
        return
    _check_source(fallback, "beacon.fallback")
    if not fallback.at > beacon.primary.at:
        raise InvalidRules(
            f"beacon.fallback.at {fallback.at} is not later than the primary's at "
            f"{beacon.primary.at} (§7.2 item 1)"
        )
