"""Documents of a draw over HTTP: the public ones for anyone once the draw is published (the
operator of its bureau from the run on), the letters and the school's register for the
operator only. Every document is made from the stored bundle (`api.documents.stored`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, TypeVar
from urllib.parse import quote

from fastapi import APIRouter, Query, Response

from api.auth import OptionalCallerDep
from api.db import SessionDep
from api.deps import NowDep, SignerDep
from api.documents import DocumentError
from api.documents.announcement import Notice, announcement_pdf
from api.documents.draw_record import draw_record_pdf
from api.documents.letters import result_letters_pdf
from api.documents.messages import DEFAULT_ZONE, utc_from_local
from api.documents.notices import after_actions_pdf
from api.documents.public_csv import results_csv
from api.documents.school_lists import class_lists_pdf
from api.documents.spreadsheet import results_xlsx
from api.documents.stored import (
    applicant_notice,
    letter_recipients,
    school_register,
    stored_bundle,
)
from api.errors import InvalidInput
from api.lifecycle import State, require_state
from api.models import Draw
from api.services.access import operator_draw, visible_draw
from lottery import Bundle, LotteryError

T = TypeVar("T")
router = APIRouter(prefix="/api/draws/{draw_id}/documents", tags=["documents"])

_PDF = "application/pdf"
_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
Language = Annotated[str, Query(pattern="^(zh|en)$")]
_MAX_LETTERS = 500  # one request; bulk letters are `lottery documents letters`


def _file(data: bytes, media_type: str, name: str) -> Response:
    disposition = f"attachment; filename*=UTF-8''{quote(name)}"
    return Response(data, media_type=media_type, headers={"Content-Disposition": disposition})


def _public_bundle(session: SessionDep, draw_id: str, caller: OptionalCallerDep) -> Bundle:
    draw = visible_draw(session, draw_id, caller)
    allowed = (State.PUBLISHED,) if caller is None else (State.DRAWN, State.PUBLISHED)
    require_state(draw, allowed=allowed, what=("公开文书", "the public documents"))
    return _bundle(session, draw)


def _bundle(session: SessionDep, draw: Draw) -> Bundle:
    try:
        return stored_bundle(session, draw)
    except LotteryError as error:
        raise InvalidInput(
            f"数据包未通过核对：{error}", f"the bundle does not check: {error}"
        ) from None


def _made(make: Callable[[], T]) -> T:
    try:
        return make()
    except DocumentError as error:
        raise InvalidInput(f"文书未生成：{error}", f"no document made: {error}") from None


@router.get("/announcement.pdf")
def announcement(
    draw_id: str,
    session: SessionDep,
    caller: OptionalCallerDep,
    language: Language = "zh",
    posted_at: str | None = None,
    deadline: str | None = None,
    contact: str = "",
    lookup_url: str = "",
    zone: str = DEFAULT_ZONE,
) -> Response:
    """The 公示名单 (times local: `2026-07-10 09:30`)."""
    bundle = _public_bundle(session, draw_id, caller)

    def make() -> bytes:
        notice = Notice(
            posted_at=None if posted_at is None else utc_from_local(posted_at, zone),
            objection_deadline=None if deadline is None else utc_from_local(deadline, zone),
            contact=contact,
            lookup_url=lookup_url,
        )
        return announcement_pdf(bundle, notice=notice, language=language, zone=zone)

    return _file(_made(make), _PDF, f"{draw_id}-公示名单-{language}.pdf")


@router.get("/applicants.pdf")
def applicants_notice(
    draw_id: str,
    session: SessionDep,
    caller: OptionalCallerDep,
    now: NowDep,
    posted_at: str | None = None,
    deadline: str | None = None,
    contact: str = "",
    zone: str = DEFAULT_ZONE,
) -> Response:
    """The masked applicant list before the draw (摇号前公示), from the objection period on."""
    draw = visible_draw(session, draw_id, caller)

    def make() -> bytes:
        notice = Notice(
            posted_at=None if posted_at is None else utc_from_local(posted_at, zone),
            objection_deadline=None if deadline is None else utc_from_local(deadline, zone),
            contact=contact,
        )
        return applicant_notice(session, draw, notice=notice, at=notice.posted_at or now)

    return _file(_made(make), _PDF, f"{draw_id}-报名名单公示.pdf")


@router.get("/after-actions.pdf")
def after_actions_notice(
    draw_id: str, session: SessionDep, caller: OptionalCallerDep, language: Language = "zh"
) -> Response:
    """The 递补公示 of the post-draw actions."""
    bundle = _public_bundle(session, draw_id, caller)
    data = _made(lambda: after_actions_pdf(bundle, language=language))
    return _file(data, _PDF, f"{draw_id}-递补公示-{language}.pdf")


@router.get("/draw-record.pdf")
def draw_record(
    draw_id: str,
    session: SessionDep,
    caller: OptionalCallerDep,
    now: NowDep,
    language: Language = "zh",
    place: str = "",
    present: Annotated[list[str] | None, Query()] = None,
    zone: str = DEFAULT_ZONE,
) -> Response:
    """The 摇号过程记录 for the notary."""
    bundle = _public_bundle(session, draw_id, caller)
    data = _made(
        lambda: draw_record_pdf(
            bundle,
            witnesses_present=present or [],
            place=place or bundle.manifest.rules.authority,
            printed_at=now,
            language=language,
            zone=zone,
        )
    )
    return _file(data, _PDF, f"{draw_id}-摇号过程记录-{language}.pdf")


@router.get("/results.xlsx")
def workbook(draw_id: str, session: SessionDep, caller: OptionalCallerDep) -> Response:
    """The public workbook, one sheet per list."""
    bundle = _public_bundle(session, draw_id, caller)
    return _file(_made(lambda: results_xlsx(bundle)), _XLSX, f"{draw_id}-录取结果.xlsx")


@router.get("/results.csv")
def results_table(draw_id: str, session: SessionDep, caller: OptionalCallerDep) -> Response:
    """The public lists as CSV."""
    bundle = _public_bundle(session, draw_id, caller)
    data = _made(lambda: results_csv(bundle))
    return _file(data, "text/csv; charset=utf-8", f"{draw_id}-录取结果.csv")


@router.get("/classes.pdf")
def classes(draw_id: str, session: SessionDep, caller: OptionalCallerDep) -> Response:
    """The masked class lists (均衡编班)."""
    bundle = _public_bundle(session, draw_id, caller)
    return _file(_made(lambda: class_lists_pdf(bundle)), _PDF, f"{draw_id}-均衡编班名单.pdf")


@router.get("/letters.pdf")
def letters(
    draw_id: str,
    session: SessionDep,
    caller: OptionalCallerDep,
    application: Annotated[list[str], Query(min_length=1, max_length=_MAX_LETTERS)],
    language: Language = "zh",
    lookup_url: str = "",
    zone: str = DEFAULT_ZONE,
) -> Response:
    """The result letters of the families named (operator only)."""
    draw = operator_draw(session, draw_id, caller)
    bundle = _bundle(session, draw)
    recipients = _made(lambda: letter_recipients(session, draw, application))
    data = _made(
        lambda: result_letters_pdf(
            bundle, recipients, language=language, lookup_url=lookup_url, zone=zone
        )
    )
    return _file(data, _PDF, f"{draw_id}-结果通知书.pdf")


@router.get("/schools/{school_id}/register.xlsx")
def register(
    draw_id: str,
    school_id: str,
    session: SessionDep,
    caller: OptionalCallerDep,
    signer: SignerDep,
    now: NowDep,
) -> Response:
    """The admitting school's register with full names and ID numbers: operator only, never
    public, each download in the audit log."""
    draw = operator_draw(session, draw_id, caller)
    assert caller is not None
    data = _made(
        lambda: school_register(session, draw, school_id, actor=caller.actor, at=now, signer=signer)
    )
    return _file(data, _XLSX, f"{draw_id}-{school_id}-录取名册.xlsx")
