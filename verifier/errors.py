"""The verifier's exceptions: one base, a few subclasses a caller handles differently."""

from __future__ import annotations


class VerificationError(Exception):
    """Base of every error the verifier raises on purpose."""


class CanonicalError(VerificationError):
    """A document is not canonical JSON as protocol §2 requires."""


class BundleError(VerificationError):
    """A bundle cannot be read, or lacks a required file (protocol §13)."""


class CheckFailed(VerificationError):
    """One verification step found something other than what the protocol requires.

    `expected` and `found` say, in a clerk's words, what should have been there and what was.
    """

    def __init__(self, message: str, *, expected: str = "", found: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.expected = expected
        self.found = found
