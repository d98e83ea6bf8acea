"""Applicant routes: import (file or JSON), the problem report of a refused import, the masked
public list, the bureau's list."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from sqlmodel import Session

from api.auth import Caller, OptionalCallerDep
from api.db import SessionDep
from api.deps import NowDep, SettingsDep, SignerDep
from api.errors import InvalidInput
from api.lifecycle import transaction
from api.schemas import ApplicantPrivate, ApplicantPublic, ApplicantRow, ApplicantsCreated
from api.services import applicants
from api.services.access import bureau_draw, operator_draw, visible_draw
from api.services.column_choices import column_choices
from api.services.problem_reports import report_csv, store_report
from api.upload import read_limited

router = APIRouter(prefix="/api/draws/{draw_id}/applicants", tags=["applicants"])


@router.post("", status_code=201)
def add_applicants(
    draw_id: str,
    rows: list[ApplicantRow],
    session: SessionDep,
    caller: OptionalCallerDep,
    signer: SignerDep,
    now: NowDep,
) -> ApplicantsCreated:
    """Add applicants sent as JSON: checked exactly like the rows of an imported file."""
    with (
        reported_problems(session, draw_id, caller, filename="request.csv", at=now),
        transaction(session),
    ):
        draw = operator_draw(session, draw_id, caller)
        assert caller is not None
        if not rows:
            raise InvalidInput("没有考生", "no applicants in the request")
        data = applicants.rows_to_csv(rows, max_preferences=draw.max_preferences)
        receipts = applicants.import_file(
            session,
            draw,
            data=data,
            filename="request.csv",
            actor=caller.actor,
            at=now,
            signer=signer,
        )
    return ApplicantsCreated(count=len(receipts), receipts=receipts)


@router.post("/import", status_code=201)
async def import_applicants(
    draw_id: str,
    request: Request,
    filename: Annotated[str, Query(min_length=1, max_length=200)],
    session: SessionDep,
    caller: OptionalCallerDep,
    signer: SignerDep,
    now: NowDep,
    settings: SettingsDep,
    map_: Annotated[list[str], Query(alias="map")] = [],  # noqa: B006 (FastAPI copies it)
    ignore: Annotated[list[str], Query()] = [],  # noqa: B006
) -> ApplicantsCreated:
    """Import a CSV or XLSX file sent as the request body; all or nothing. The caller and the
    draw are checked before the body is read, and the body is read only up to the size limit
    (HTTP 413). HTTP 422 lists the first 1,000 problems, counts per column and the address of
    the full report (`report`). An unknown column refuses the import until it is mapped
    (`map=HEADER=FIELD`) or ignored (`ignore=HEADER`)."""
    operator_draw(session, draw_id, caller)  # 401/403/404 before a byte of the body is read
    session.rollback()
    data = await read_limited(request, limit=settings.max_upload_mb * 1024 * 1024)
    with (
        reported_problems(session, draw_id, caller, filename=filename, at=now),
        transaction(session),
    ):
        draw = operator_draw(session, draw_id, caller)
        assert caller is not None
        receipts = applicants.import_file(
            session,
            draw,
            data=data,
            filename=filename,
            actor=caller.actor,
            at=now,
            signer=signer,
            choices=column_choices(map_, ignore),
        )
    return ApplicantsCreated(count=len(receipts), receipts=receipts)


@contextmanager
def reported_problems(
    session: Session, draw_id: str, caller: Caller | None, *, filename: str, at: str
) -> Iterator[None]:
    """A refused import's full problem report is kept; the answer gives its address."""
    try:
        yield
    except InvalidInput as error:
        if not error.problems:
            raise
        draw = operator_draw(session, draw_id, caller)
        token = store_report(session, draw, error, filename=filename, at=at)
        error.report_url = f"/api/draws/{draw_id}/applicants/problem-reports/{token}"
        raise


@router.get("/problem-reports/{token}")
def problem_report(
    draw_id: str, token: str, session: SessionDep, caller: OptionalCallerDep
) -> Response:
    """The full problem report of a refused import (CSV, opens in Excel): the bureau only."""
    name, data = report_csv(session, bureau_draw(session, draw_id, caller), token)
    headers = {"Content-Disposition": f'attachment; filename="{_ascii(name)}"'}
    return Response(data, media_type="text/csv; charset=utf-8", headers=headers)


def _ascii(name: str) -> str:
    return "".join(c if c.isascii() and c.isprintable() and c != '"' else "_" for c in name)


@router.get("/public")
def public_list(
    draw_id: str, session: SessionDep, caller: OptionalCallerDep
) -> list[ApplicantPublic]:
    """The masked applicant list (公示), public from the objection period on."""
    return applicants.public_list(session, visible_draw(session, draw_id, caller))


@router.get("/private")
def private_list(
    draw_id: str, session: SessionDep, caller: OptionalCallerDep
) -> list[ApplicantPrivate]:
    """The bureau's list with personal data: its operator and auditor only."""
    return applicants.private_list(session, bureau_draw(session, draw_id, caller))
