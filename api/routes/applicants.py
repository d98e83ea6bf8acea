"""Applicant routes: import (file or JSON), the masked public list, the bureau's list."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request

from api.auth import OptionalCallerDep
from api.db import SessionDep
from api.deps import NowDep, SignerDep
from api.errors import InvalidInput
from api.lifecycle import transaction
from api.schemas import ApplicantPrivate, ApplicantPublic, ApplicantRow, ApplicantsCreated
from api.services import applicants
from api.services.access import bureau_draw, operator_draw, visible_draw
from api.services.column_choices import column_choices

router = APIRouter(prefix="/api/draws/{draw_id}/applicants", tags=["applicants"])

_MAX_UPLOAD = 64 * 1024 * 1024


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
    with transaction(session):
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
    map_: Annotated[list[str], Query(alias="map")] = [],  # noqa: B006 (FastAPI copies it)
    ignore: Annotated[list[str], Query()] = [],  # noqa: B006
) -> ApplicantsCreated:
    """Import a CSV or XLSX file sent as the request body; all or nothing (HTTP 422 lists every
    problem with row, column and message in Chinese and English). An unknown column refuses
    the import until it is mapped (`map=HEADER=FIELD`) or ignored (`ignore=HEADER`)."""
    data = await request.body()
    if len(data) > _MAX_UPLOAD:
        raise InvalidInput("文件过大 (最大 64 MB)", "file too large (at most 64 MB)")
    with transaction(session):
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
