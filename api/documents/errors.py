"""Errors of the documents package: one base class, one subclass per thing a caller handles.

Messages are for a clerk: they name the field and the application number, never a child's
name, ID number or receipt code (the message may end up in a log or on a screen).
"""

from __future__ import annotations

__all__ = [
    "DocumentError",
    "InvalidDocumentInput",
    "LetterDataMismatch",
    "UnknownApplication",
    "UnmaskedPersonalData",
]


class DocumentError(Exception):
    """Base class: a document could not be produced; nothing was produced."""


class InvalidDocumentInput(DocumentError):
    """An argument given to a document function is malformed (a time, a place, a name list)."""


class UnknownApplication(DocumentError):
    """An application number that is not in the draw's bundle."""


class LetterDataMismatch(DocumentError):
    """The private data given for a letter does not fit the child's public record."""


class UnmaskedPersonalData(DocumentError):
    """A public record's masked name or ID number is not masked (protocol §4.1, §13.2)."""
