"""The demo's `documents/` folder: one of every kind of document of the demo draw, as a bureau
would print them (api.documents), the public ones beside the operator's private ones.

    documents/                 公示名单, announcement-en, 摇号过程记录, draw-record-en,
                               录取结果.xlsx/.csv, 均衡编班名单, 摇号前公示, 递补公示
    documents/不公开 private/  结果通知书 (letters of the first families), the school's
                               register with full names: never posted, never in the bundle
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from pathlib import Path

from sqlmodel import Session

from api.documents.announcement import Notice
from api.documents.catalogue import RecordDetails, public_documents
from api.documents.letters import result_letters_pdf
from api.documents.school_lists import PrivateLine, class_lists_pdf, school_register_xlsx
from api.documents.stored import applicant_notice, letter_recipients
from api.models import Draw
from api.services.applicants import private_list
from lottery import Bundle

__all__ = ["DEMO_LOOKUP_URL", "PRIVATE_DIR", "write_every_document"]

DEMO_LOOKUP_URL = "http://127.0.0.1:8000/lookup"  # the demo service's parent look-up page
PRIVATE_DIR = "不公开 private"
_LETTERS = 20  # letters of the first families: enough to see them; bulk is `lottery documents`


def _days_later(at: str, days: int) -> str:
    moment = datetime.datetime.strptime(at, "%Y-%m-%dT%H:%M:%SZ") + datetime.timedelta(days=days)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def write_every_document(
    session: Session, draw: Draw, bundle: Bundle, out: Path, *, present: Sequence[str], at: str
) -> None:
    """Write one of every kind of document of the published `draw` into `out` (new)."""
    notice = Notice(
        posted_at=at,
        objection_deadline=_days_later(at, 5),
        contact="示范县教育局招生办公室 0571-00000000（演示）",
        lookup_url=DEMO_LOOKUP_URL,
    )
    record = RecordDetails(
        printed_at=at, place="示范县教育局 (演示)", witnesses_present=tuple(present)
    )
    private = out / PRIVATE_DIR
    private.mkdir(parents=True)
    documents = public_documents(bundle, notice=notice, record=record)
    documents["均衡编班名单.pdf"] = class_lists_pdf(bundle)
    pre_draw = Notice(posted_at=bundle.manifest.sealed_at, contact=notice.contact)
    documents["摇号前公示.pdf"] = applicant_notice(
        session, draw, notice=pre_draw, at=bundle.manifest.sealed_at
    )
    for name, data in sorted(documents.items()):
        (out / name).write_bytes(data)
    recipients = letter_recipients(session, draw)[:_LETTERS]
    letters = result_letters_pdf(bundle, recipients, lookup_url=DEMO_LOOKUP_URL)
    (private / "结果通知书.pdf").write_bytes(letters)
    lines = {
        p.application: PrivateLine(name=p.name, id_number=p.id_number)
        for p in private_list(session, draw)
    }
    for school in bundle.manifest.rules.schools:
        register = school_register_xlsx(bundle, school.id, lines)
        (private / f"{school.id} 录取名册.xlsx").write_bytes(register)
