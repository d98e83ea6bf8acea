"""The engine's exceptions: one base, a subclass per thing a caller handles differently.

Every message names the field and the value it found, so that a clerk can act on it
("school S03: reserved seats 50 exceed seats 40"). Protocol §18 lists the errors.
"""

from __future__ import annotations

__all__ = [
    "BundleError",
    "CeremonyError",
    "EncodingError",
    "InvalidRecord",
    "InvalidRules",
    "LotteryError",
    "SignatureError",
    "UnsupportedVersion",
]


class LotteryError(Exception):
    """Base of every error the engine raises on purpose."""


class EncodingError(LotteryError):
    """A document is not allowed (§2.2) or a file is not canonical (§2.5)."""


class InvalidRules(LotteryError):
    """The draw's rules or manifest break protocol §6 (schools, tiers, seats, witnesses...)."""


class InvalidRecord(LotteryError):
    """An applicant record breaks protocol §4 (identifier, group, preference, tier...)."""


class CeremonyError(LotteryError):
    """The seed cannot be formed: a bad reveal, too few reveals, a bad beacon (§7)."""


class SignatureError(LotteryError):
    """A signature is malformed, made with the wrong key, or does not verify (§12.4)."""


class BundleError(LotteryError):
    """A public bundle is incomplete, malformed or inconsistent (§13)."""


class UnsupportedVersion(LotteryError):
    """A document names a protocol version (or mode) this engine does not implement."""
