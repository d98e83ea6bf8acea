"""Request and answer shapes of the objection and complaint ledger (问题线索台账)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

__all__ = ["LedgerClose", "LedgerCreate", "LedgerEntryPrivate", "LedgerEntryPublic", "Placement"]

_Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000)]
_Short = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Kind = Literal["objection", "complaint", "placement"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class LedgerCreate(_Strict):
    """An objection (异议, during the 公示) or a complaint (投诉, after the results), or a
    manual placement (人工安置, after the draw): the bureau's decision to place `applications`
    (a group without room, §10.10, or any child left without a seat) at `school`; `raised_by`
    is who decided, `subject` the decision as written. A placement needs `school` and
    `applications`; the other kinds take neither.

    `raised_at` is local time as the clerk writes it (`2026-07-10 09:30`); default: now."""

    kind: Kind
    raised_by: _Short
    subject: _Text
    contact: _Short | None = None
    raised_at: _Short | None = None
    channel: Annotated[str, StringConstraints(strip_whitespace=True, max_length=50)] | None = None
    application: Annotated[str, StringConstraints(min_length=1, max_length=64)] | None = None
    school: Annotated[str, StringConstraints(min_length=1, max_length=64)] | None = None
    applications: (
        Annotated[
            list[Annotated[str, StringConstraints(min_length=1, max_length=64)]],
            Field(min_length=1, max_length=20),
        ]
        | None
    ) = None


class Placement(BaseModel):
    """A manual placement as recorded: the school, the children placed, their group (or None)."""

    school: str
    applications: list[str]
    group: str | None


class LedgerClose(_Strict):
    """How it was handled, the result, and the change it caused (with its audit entry)."""

    handling: _Text
    result: _Text
    change: _Text | None = None
    change_audit_seq: int | None = None


class LedgerEntryPublic(BaseModel):
    """A line as anyone may read it: who raised it masked, no contact, ID numbers masked."""

    seq: int
    kind: Kind
    kind_text: str
    raised_by: str
    raised_at: str
    raised_at_local: str
    subject: str
    status: str
    handling: str | None
    result: str | None
    change: str | None
    change_audit_seq: int | None
    closed_at_local: str | None
    recorded_seq: int
    closed_seq: int | None
    placement: Placement | None = None


class LedgerEntryPrivate(LedgerEntryPublic):
    """The bureau's line: who raised it in full, the contact, channel and application number."""

    contact: str | None
    channel: str | None
    application: str | None
    recorded_by: str
    closed_by: str | None
