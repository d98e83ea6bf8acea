"""Documents of a draw stored in the service: its bundle read back from the database, the
families' private data for the letters, and the admitting school's register, whose every
download is written to the draw's audit log (protocol §15) before it is handed out.

The documents themselves come from the bundle alone (`api.documents.catalogue`), so what the
service prints is what anyone rebuilds from the published bundle.
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from pathlib import Path

from sqlmodel import Session

from api import audit
from api.documents.announcement import Notice
from api.documents.errors import UnknownApplication
from api.documents.letters import LetterRecipient
from api.documents.notices import applicant_list_pdf
from api.documents.school_lists import PrivateLine, school_register_xlsx
from api.lifecycle import State, bump, require_state, transaction
from api.models import Draw
from api.services.applicants import applicant_records, private_list
from api.services.publication import bundle_contents
from api.services.rules import engine_rules
from api.signer import Signer
from lottery import Bundle, read_bundle

__all__ = ["applicant_notice", "letter_recipients", "school_register", "stored_bundle"]


def stored_bundle(session: Session, draw: Draw) -> Bundle:
    """The draw's public bundle as published, read back and checked (`lottery.read_bundle`)."""
    files = bundle_contents(session, draw)
    with tempfile.TemporaryDirectory(prefix="sunshine-bundle-") as directory:
        path = Path(directory)
        for name, data in files.items():
            (path / name).write_bytes(data)
        return read_bundle(path)


def letter_recipients(
    session: Session, draw: Draw, applications: Sequence[str] | None = None
) -> list[LetterRecipient]:
    """The families' letter data (name, receipt code, ID number), in application order, or
    for `applications` in the order given. Raises `UnknownApplication` for one not in the
    draw (the message names the number only)."""
    rows = {
        p.application: LetterRecipient(
            application=p.application,
            name=p.name,
            receipt_code=p.receipt_code,
            id_number=p.id_number,
        )
        for p in private_list(session, draw)
    }
    if applications is None:
        return list(rows.values())
    missing = [a for a in applications if a not in rows]
    if missing:
        raise UnknownApplication(f"application {missing[0]!r} is not in draw {draw.public_id}")
    return [rows[a] for a in applications]


def school_register(
    session: Session, draw: Draw, school_id: str, *, actor: str, at: str, signer: Signer
) -> bytes:
    """The admitting school's register with full names and ID numbers (NOT PUBLIC), for the
    operator to hand to that school. The download is recorded in the audit log, in the same
    transaction, before the bytes are returned."""
    bundle = stored_bundle(session, draw)
    private = {
        p.application: PrivateLine(name=p.name, id_number=p.id_number)
        for p in private_list(session, draw)
    }
    data = school_register_xlsx(bundle, school_id, private)
    assert draw.id is not None
    with transaction(session):
        bump(
            session,
            draw,
            allowed=(State.DRAWN, State.PUBLISHED),
            what=("学校名册", "the school's register"),
        )
        audit.record(
            session,
            draw_id=draw.id,
            actor=actor,
            action="school_register_export",
            details={"school": school_id},
            at=at,
            signer=signer,
        )
    return data


def applicant_notice(session: Session, draw: Draw, *, notice: Notice, at: str) -> bytes:
    """The masked applicant list before the draw (摇号前公示), from the objection period on;
    `at` dates the document when the notice gives no 公示 date."""
    require_state(
        draw,
        allowed=(State.OBJECTION, State.SEALED, State.CEREMONY, State.DRAWN, State.PUBLISHED),
        what=("报名名单公示", "the applicant list notice"),
    )
    return applicant_list_pdf(
        engine_rules(session, draw), applicant_records(session, draw), notice=notice, created_at=at
    )
