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
    "UnverifiedActions",
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


class UnverifiedActions(DocumentError):
    """The bundle's post-draw actions (`actions.json`, §14) do not check out against its signed
    results: unsigned, made for other results, malformed, or moves the engine's replay does not
    give. Nothing is printed from them."""

    def __init__(self, detail: str) -> None:
        super().__init__(
            "数据包中的递补记录未通过核对，不据此打印 (the bundle's post-draw actions do not "
            f"check out; nothing is printed from them): {detail}"
        )
