"""Ledger commands (`lottery ledger ...`): the objection and complaint ledger
(招生入学工作问题线索管理台账) from the terminal, exactly as `api.routes.ledger` keeps it."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError

from api.clock import utc_now
from api.db import session_scope
from api.errors import InvalidInput
from api.ledger_schemas import LedgerClose, LedgerCreate
from api.operator_support import (
    OPERATOR,
    DrawId,
    database,
    draw_change,
    invalid_input,
    operator_settings,
    operator_signer,
    reported,
)
from api.services import ledger
from api.services.access import find_draw
from api.services.ledger_export import ledger_xlsx

__all__ = ["ledger_app"]

ledger_app = typer.Typer(
    help="问题线索台账 (异议、投诉) / the objection and complaint ledger", no_args_is_help=True
)


@ledger_app.command("add")
def ledger_add(
    draw_id: DrawId,
    kind: Annotated[
        str,
        typer.Option(
            help="objection (公示异议), complaint (结果投诉) 或 or placement (人工安置 manual placement)"
        ),
    ],
    by: Annotated[str, typer.Option(help="反映人 / who raised it (公开时脱敏 / masked in public)")],
    subject: Annotated[str, typer.Option(help="反映问题 / what it is about")],
    at: Annotated[str | None, typer.Option(help="反映时间, 如 2026-07-10 09:30 (本地时间)")] = None,
    contact: Annotated[str | None, typer.Option(help="联系方式 / contact (never public)")] = None,
    channel: Annotated[str | None, typer.Option(help="反映渠道 / channel, e.g. 来电")] = None,
    application: Annotated[str | None, typer.Option(help="涉及报名号 / application")] = None,
    school: Annotated[
        str | None, typer.Option(help="人工安置的学校 / the school of a placement")
    ] = None,
    place: Annotated[
        str | None,
        typer.Option(help="人工安置的报名号, 逗号分隔 / applications placed, comma-separated"),
    ] = None,
) -> None:
    """登记一条异议、投诉或人工安置 / record an objection, a complaint, or the bureau's manual
    placement of a group left without room (§10.10) at a school (logged in the audit log; it
    records the decision and changes no published outcome)."""
    with reported():
        try:
            spec = LedgerCreate(
                kind=kind,  # type: ignore[arg-type]
                raised_by=by,
                subject=subject,
                contact=contact,
                raised_at=at,
                channel=channel,
                application=application,
                school=school,
                applications=None
                if place is None
                else [a.strip() for a in place.split(",") if a.strip()],
            )
        except ValidationError as error:
            raise invalid_input(error, ("台账条目", "ledger entry")) from None
        zone = operator_settings().timezone
        signer = operator_signer()
        with draw_change(draw_id) as (session, draw):
            entry = ledger.record_entry(
                session, draw, spec, zone=zone, actor=OPERATOR, at=utc_now(), signer=signer
            )
            seq, audit_seq = entry.seq, entry.recorded_seq
    typer.echo(f"台账第 {seq} 条已登记 / ledger entry {seq} recorded (审计 / audit #{audit_seq})")


@ledger_app.command("close")
def ledger_close(
    draw_id: DrawId,
    seq: Annotated[int, typer.Argument(help="台账序号 / entry number")],
    handling: Annotated[str, typer.Option(help="办理情况 / how it was handled")],
    result: Annotated[str, typer.Option(help="办理结果 / the result")],
    change: Annotated[str | None, typer.Option(help="引起的变更 / the change it caused")] = None,
    change_audit: Annotated[
        int | None, typer.Option(help="变更的审计记录号 / the change's audit entry")
    ] = None,
) -> None:
    """办结一条 / close an entry: how handled, result, change (logged)."""
    with reported():
        try:
            spec = LedgerClose(
                handling=handling, result=result, change=change, change_audit_seq=change_audit
            )
        except ValidationError as error:
            raise invalid_input(error, ("办结信息", "closing")) from None
        signer = operator_signer()
        with draw_change(draw_id) as (session, draw):
            entry = ledger.close_entry(
                session, draw, seq, spec, actor=OPERATOR, at=utc_now(), signer=signer
            )
            audit_seq = entry.closed_seq
    typer.echo(f"台账第 {seq} 条已办结 / ledger entry {seq} closed (审计 / audit #{audit_seq})")


@ledger_app.command("list")
def ledger_list(draw_id: DrawId) -> None:
    """列出台账 / list the ledger (the bureau's copy, local times)."""
    zone = operator_settings().timezone
    with reported(), database() as engine, session_scope(engine) as session:
        rows = ledger.private_rows(session, find_draw(session, draw_id), zone=zone)
    if not rows:
        typer.echo("台账为空 / the ledger is empty")
    for row in rows:
        status = "已办结 closed" if row.status == "closed" else "办理中 open"
        typer.echo(
            f"{row.seq}. [{row.kind_text}] {row.raised_at_local} {row.raised_by}: {row.subject}"
        )
        typer.echo(f"   {status}" + (f"; {row.result}" if row.result else ""))
        if row.placement is not None:
            group = "" if row.placement.group is None else f" ({row.placement.group})"
            typer.echo(
                f"   人工安置 placed at {row.placement.school}: "
                f"{', '.join(row.placement.applications)}{group}"
            )


@ledger_app.command("export")
def ledger_export(
    draw_id: DrawId,
    out: Annotated[Path, typer.Option(help="xlsx 文件 / the workbook to write")],
    masked: Annotated[
        bool, typer.Option(help="脱敏版 (公开) / the masked copy to publish")
    ] = False,
) -> None:
    """导出台账 xlsx / export the ledger as the bureau's workbook."""
    zone = operator_settings().timezone
    with reported(), database() as engine, session_scope(engine) as session:
        if out.exists():
            raise InvalidInput(f"文件已存在: {out}", f"file exists: {out}")
        draw = find_draw(session, draw_id)
        rows = (
            ledger.public_rows(session, draw, zone=zone)
            if masked
            else ledger.private_rows(session, draw, zone=zone)
        )
        out.write_bytes(ledger_xlsx(title=draw.title, rows=rows))
    typer.echo(str(out))
