"""The verifier's exceptions: one base, a few subclasses a caller handles differently.

Every error names a message of `verifier.messages` (a key and its parameters), so that the
command line can print it in the reader's language.
"""

from __future__ import annotations

from verifier.messages import Message


class VerificationError(Exception):
    """Base of every error the verifier raises on purpose."""

    def __init__(self, key: str, /, **params: object) -> None:
        self.message = Message(key, params)
        super().__init__(self.message.text("en"))


class BundleError(VerificationError):
    """The bundle cannot be read safely, or its files are not those of protocol §13."""


class CanonicalError(VerificationError):
    """A document is not canonical JSON as protocol §2 requires."""


class CheckFailed(VerificationError):
    """A check found something other than what the protocol requires.

    `expected` and `found` are the values themselves (digests, counts, field values), printed
    as they are in either language.
    """

    def __init__(self, key: str, /, *, expected: object = "", found: object = "", **params: object):
        super().__init__(key, **params)
        self.expected = str(expected)
        self.found = str(found)
