"""The bureau's own files over HTTP: the draw workbook (template and create), the applicant
template, corrections before sealing, and receipts printed again. The same services as the
`lottery` commands (`api.operator_import`, `api.operator_corrections`)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from api.auth import CallerDep, OptionalCallerDep, Role, require_role
from api.db import SessionDep
from api.deps import NowDep, SettingsDep, SignerDep
from api.draw_workbook import draw_template_xlsx, read_draw_workbook
from api.lifecycle import transaction
from api.routes.draws import create_from_spec
from api.schemas import ApplicantCreated, ApplicantsCreated, DrawPublic
from api.services import corrections, receipts
from api.services.access import bureau_draw, operator_draw
from api.services.applicant_template import applicant_template_xlsx
from api.upload import read_limited

router = APIRouter(tags=["bureau files"])

_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_MAX_WORKBOOK = 8 * 1024 * 1024
_MAX_REPLACEMENT = 1024 * 1024
Reason = Annotated[str, StringConstraints(min_length=1, max_length=500)]
Text = Annotated[str, StringConstraints(max_length=200)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CorrectionCreate(_Strict):
    """The fields to change (absent: kept; "" clears category or group) and why."""

    reason: Reason
    name: Text | None = None
    id_number: Text | None = None
    preferences: list[Text] | None = Field(default=None, max_length=50)
    tiers: Text | None = None
    category: Text | None = None
    group: Text | None = None


class WithdrawalCreate(_Strict):
    reason: Reason


class ReceiptsRequest(_Strict):
    applications: list[Text] | None = Field(default=None, max_length=100_000)
    format: Literal["pdf", "csv"] = "pdf"


def _attachment(data: bytes, media_type: str, filename: str) -> Response:
    quoted = filename.encode("utf-8").decode("latin-1", "replace")
    headers = {"Content-Disposition": f'attachment; filename="{quoted}"'}
    return Response(data, media_type=media_type, headers=headers)


@router.get("/api/draw-template.xlsx")
def draw_template() -> Response:
    """A filled-in draw workbook to edit (the same as `lottery init`)."""
    return _attachment(draw_template_xlsx(), _XLSX, "draw-template.xlsx")


@router.post("/api/draws/workbook", status_code=201)
async def create_from_workbook(
    request: Request,
    session: SessionDep,
    caller: CallerDep,
    signer: SignerDep,
    now: NowDep,
    filename: Annotated[str, Query(min_length=1, max_length=200)] = "draw.xlsx",
) -> DrawPublic:
    """Create a draw from the workbook sent as the request body; faults name sheet and cell."""
    require_role(caller, Role.OPERATOR)
    data = await read_limited(request, limit=_MAX_WORKBOOK)  # streamed, after the role check
    spec = read_draw_workbook(data, filename=filename)
    return create_from_spec(session, spec, caller=caller, now=now, signer=signer)


@router.get("/api/draws/{draw_id}/applicants/template.xlsx")
def applicant_template(draw_id: str, session: SessionDep, caller: OptionalCallerDep) -> Response:
    """The applicant list template of this draw, with drop-downs for schools and tiers."""
    draw = bureau_draw(session, draw_id, caller)
    return _attachment(applicant_template_xlsx(session, draw), _XLSX, f"{draw_id}-applicants.xlsx")


@router.patch("/api/draws/{draw_id}/applicants/{application}")
def correct(
    draw_id: str,
    application: str,
    body: CorrectionCreate,
    session: SessionDep,
    caller: OptionalCallerDep,
    signer: SignerDep,
    now: NowDep,
) -> ApplicantCreated:
    """Edit one child before sealing; the receipt code is kept."""
    correction = corrections.Correction(
        name=body.name,
        id_number=body.id_number,
        preferences=None if body.preferences is None else tuple(body.preferences),
        tiers=body.tiers,
        category=body.category,
        group=body.group,
    )
    with transaction(session):
        draw = operator_draw(session, draw_id, caller)
        assert caller is not None
        return corrections.correct_applicant(
            session,
            draw,
            application=application,
            correction=correction,
            reason=body.reason,
            actor=caller.actor,
            at=now,
            signer=signer,
        )


@router.post("/api/draws/{draw_id}/applicants/{application}/withdraw", status_code=204)
def withdraw(
    draw_id: str,
    application: str,
    body: WithdrawalCreate,
    session: SessionDep,
    caller: OptionalCallerDep,
    signer: SignerDep,
    now: NowDep,
) -> Response:
    """Remove one child before sealing."""
    with transaction(session):
        draw = operator_draw(session, draw_id, caller)
        assert caller is not None
        corrections.withdraw_applicant(
            session,
            draw,
            application=application,
            reason=body.reason,
            actor=caller.actor,
            at=now,
            signer=signer,
        )
    return Response(status_code=204)


@router.post("/api/draws/{draw_id}/applicants/{application}/replace", status_code=201)
async def replace(
    draw_id: str,
    application: str,
    request: Request,
    session: SessionDep,
    caller: OptionalCallerDep,
    signer: SignerDep,
    now: NowDep,
    reason: Annotated[str, Query(min_length=1, max_length=500)],
    filename: Annotated[str, Query(min_length=1, max_length=200)] = "replacement.csv",
) -> ApplicantsCreated:
    """Withdraw one child and import the file sent as the body (CSV or XLSX) in its place."""
    with transaction(session):
        draw = operator_draw(session, draw_id, caller)
        assert caller is not None
        data = await read_limited(request, limit=_MAX_REPLACEMENT)
        created = corrections.replace_applicant(
            session,
            draw,
            application=application,
            data=data,
            filename=filename,
            reason=reason,
            actor=caller.actor,
            at=now,
            signer=signer,
        )
    return ApplicantsCreated(count=len(created), receipts=created)


@router.post("/api/draws/{draw_id}/receipts")
def print_receipts(
    draw_id: str,
    body: ReceiptsRequest,
    session: SessionDep,
    caller: OptionalCallerDep,
    signer: SignerDep,
    now: NowDep,
    settings: SettingsDep,
) -> Response:
    """Receipts (回执), PDF or SMS CSV, for some or all children; recorded in the audit log."""
    with transaction(session):
        draw = operator_draw(session, draw_id, caller)
        assert caller is not None
        files = receipts.print_receipts(
            session,
            draw,
            applications=body.applications,
            actor=caller.actor,
            at=now,
            signer=signer,
            lookup_url=settings.public_base_url,
        )
    data = files.pdf() if body.format == "pdf" else files.csv()  # laid out after the commit
    if body.format == "pdf":
        return _attachment(data, "application/pdf", f"{draw_id}-receipts.pdf")
    return _attachment(data, "text/csv; charset=utf-8", f"{draw_id}-receipts.csv")
