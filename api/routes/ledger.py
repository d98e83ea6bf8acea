"""The objection and complaint ledger (问题线索台账): record, close, read, export."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Response

from api.auth import OptionalCallerDep
from api.db import SessionDep
from api.deps import NowDep, SettingsDep, SignerDep
from api.ledger_schemas import LedgerClose, LedgerCreate, LedgerEntryPrivate, LedgerEntryPublic
from api.lifecycle import transaction
from api.services import ledger
from api.services.access import bureau_draw, operator_draw, visible_draw
from api.services.ledger_export import ledger_xlsx

router = APIRouter(prefix="/api/draws/{draw_id}/ledger", tags=["ledger"])

_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@router.post("", status_code=201)
def record(
    draw_id: str,
    spec: LedgerCreate,
    session: SessionDep,
    caller: OptionalCallerDep,
    signer: SignerDep,
    now: NowDep,
    settings: SettingsDep,
) -> LedgerEntryPrivate:
    """Record an objection (during the 公示) or a complaint (after the draw); logged."""
    with transaction(session):
        draw = operator_draw(session, draw_id, caller)
        assert caller is not None
        entry = ledger.record_entry(
            session, draw, spec, zone=settings.timezone, actor=caller.actor, at=now, signer=signer
        )
        seq = entry.seq
    return _row(session, draw_id, caller, seq, settings.timezone)


@router.post("/{seq}/close")
def close(
    draw_id: str,
    seq: int,
    spec: LedgerClose,
    session: SessionDep,
    caller: OptionalCallerDep,
    signer: SignerDep,
    now: NowDep,
    settings: SettingsDep,
) -> LedgerEntryPrivate:
    """How it was handled, the result, the change it caused; the entry is closed and logged."""
    with transaction(session):
        draw = operator_draw(session, draw_id, caller)
        assert caller is not None
        ledger.close_entry(session, draw, seq, spec, actor=caller.actor, at=now, signer=signer)
    return _row(session, draw_id, caller, seq, settings.timezone)


def _row(
    session: SessionDep, draw_id: str, caller: OptionalCallerDep, seq: int, zone: str
) -> LedgerEntryPrivate:
    rows = ledger.private_rows(session, bureau_draw(session, draw_id, caller), zone=zone)
    return next(r for r in rows if r.seq == seq)


@router.get("")
def read(
    draw_id: str, session: SessionDep, caller: OptionalCallerDep, settings: SettingsDep
) -> list[LedgerEntryPrivate]:
    """The bureau's ledger (operator and auditor): everything."""
    draw = bureau_draw(session, draw_id, caller)
    return ledger.private_rows(session, draw, zone=settings.timezone)


@router.get("/public")
def read_public(
    draw_id: str, session: SessionDep, caller: OptionalCallerDep, settings: SettingsDep
) -> list[LedgerEntryPublic]:
    """The ledger as anyone may read it: masked, no contact."""
    draw = visible_draw(session, draw_id, caller)
    return ledger.public_rows(session, draw, zone=settings.timezone)


@router.get(".xlsx")
def export(
    draw_id: str,
    session: SessionDep,
    caller: OptionalCallerDep,
    settings: SettingsDep,
    masked: bool = False,
) -> Response:
    """The ledger as the bureau's workbook; `masked=true` for the copy to publish."""
    draw = bureau_draw(session, draw_id, caller)
    rows = (
        ledger.public_rows(session, draw, zone=settings.timezone)
        if masked
        else ledger.private_rows(session, draw, zone=settings.timezone)
    )
    name = f"{draw.public_id}-ledger{'-masked' if masked else ''}.xlsx"
    headers = {"Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}"}
    return Response(ledger_xlsx(title=draw.title, rows=rows), media_type=_XLSX, headers=headers)
