"""Receipts (回执) of a draw's children: printed at import, and re-printable by the operator.

Why re-printable rather than stored encrypted: the receipt codes already live in the bureau's
database beside the names and ID numbers they belong to (`applicants_private`), behind the same
access control. A second, encrypted copy with a key file beside the signing key would protect
nothing more against whoever holds that machine, and would add a key to lose. So a receipt is
never lost: the operator prints it again from the database, for one child or for all, and each
printing is recorded in the audit log (how many, for which application numbers: no code, no
name). A correction during the objection period keeps the child's code (`api.services
.corrections`), so a receipt already handed out stays valid.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Sequence
from functools import partial
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from api import audit
from api.documents.receipts import (
    FamilyReceipt,
    ReceiptChild,
    ReceiptFacts,
    family_receipts,
    receipts_csv,
    receipts_pdf,
)
from api.errors import NotFound
from api.lifecycle import State, bump
from api.models import Applicant, ApplicantPrivate, Draw
from api.signer import Signer

__all__ = ["LOCAL_ZONE", "ReceiptFiles", "local_time", "print_receipts", "receipt_files"]

LOCAL_ZONE = "Asia/Shanghai"


def local_time(at: str, zone: str = LOCAL_ZONE) -> str:
    """A protocol time (UTC, §1.5) as a person reads it: 2026年6月1日 17:00."""
    moment = datetime.datetime.fromisoformat(at.replace("Z", "+00:00")).astimezone(ZoneInfo(zone))
    return f"{moment.year}年{moment.month}月{moment.day}日 {moment:%H:%M}"


class ReceiptFiles:
    """The receipts of some children of a draw: PDF pages and the SMS system's CSV."""

    def __init__(self, families: list[FamilyReceipt], facts: ReceiptFacts) -> None:
        self.families = families
        self.facts = facts

    @property
    def children(self) -> int:
        return sum(len(f.children) for f in self.families)

    def pdf(self) -> bytes:
        return receipts_pdf(self.families, self.facts)

    def pdf_parts(self, families_per_file: int = 1000) -> list[Callable[[], bytes]]:
        """The PDF cut into files of `families_per_file` families, each laid out on call."""
        chunks = [
            self.families[i : i + families_per_file]
            for i in range(0, len(self.families), families_per_file)
        ] or [[]]
        return [partial(receipts_pdf, chunk, self.facts) for chunk in chunks]

    def csv(self) -> bytes:
        return receipts_csv(self.families, self.facts)


def receipt_files(
    session: Session,
    draw: Draw,
    *,
    applications: Sequence[str] | None,
    signer: Signer,
    lookup_url: str,
    at: str,
) -> ReceiptFiles:
    """The receipts of `applications` (None: every child of the draw), one per family.

    A family is kept whole: asking for one twin prints the receipt the twins share.
    """
    query = (
        select(Applicant.application, Applicant.group_code, ApplicantPrivate)
        .join(ApplicantPrivate, col(Applicant.id) == col(ApplicantPrivate.applicant_id))
        .where(Applicant.draw_id == draw.id)
    )
    children = [
        ReceiptChild(
            application=application,
            name=private.name,
            receipt_code=private.receipt_code,
            group=group,
        )
        for application, group, private in session.exec(query).all()
    ]
    if applications is not None:
        wanted = set(applications)
        missing = sorted(wanted - {c.application for c in children})
        if missing:
            raise NotFound(
                f"本次抽签中没有报名号 {', '.join(missing[:10])}",
                f"no application number {', '.join(missing[:10])} in this draw",
            )
        groups = {c.group for c in children if c.application in wanted and c.group}
        children = [c for c in children if c.application in wanted or c.group in groups]
    facts = ReceiptFacts(
        draw_id=draw.public_id,
        title=draw.title,
        authority=draw.authority,
        fingerprint=signer.fingerprint,
        lookup_url=lookup_url,
        sealing_announcement=draw.sealing_announcement,
        issued_at=at,
        issued_local=local_time(at),
    )
    return ReceiptFiles(family_receipts(children), facts)


def print_receipts(
    session: Session,
    draw: Draw,
    *,
    applications: Sequence[str] | None,
    actor: str,
    at: str,
    signer: Signer,
    lookup_url: str,
) -> ReceiptFiles:
    """Receipts printed again by the operator (any state), recorded in the audit log."""
    bump(session, draw, allowed=tuple(State), what=("打印回执", "printing receipts"))
    files = receipt_files(
        session, draw, applications=applications, signer=signer, lookup_url=lookup_url, at=at
    )
    assert draw.id is not None
    printed = sorted(c.application for f in files.families for c in f.children)
    audit.record(
        session,
        draw_id=draw.id,
        actor=actor,
        action="receipts.printed",
        details={"count": len(printed), "applications": printed if applications else "all"},
        at=at,
        signer=signer,
    )
    return files
