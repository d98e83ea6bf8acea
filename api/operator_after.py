"""Commands after the draw: export the bundle, fill a freed seat (decline, with a confirmation
and a reason), the second round (补录)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError
from sqlmodel import select

from api import schemas
from api.clock import utc_now
from api.db import session_scope
from api.errors import InvalidInput, NotFound
from api.models import Outcome
from api.operator_support import (
    OPERATOR,
    DrawId,
    database,
    draw_change,
    invalid_input,
    operator_signer,
    reported,
)
from api.progress import step, track
from api.services import actions, draws, rounds
from api.services.access import find_draw
from api.services.publication import bundle_contents, bundle_zip

__all__ = ["after_app", "write_bundle_files"]

after_app = typer.Typer()

_STATUS_TEXT = {
    "admitted": "已录取 admitted",
    "waitlisted": "候补 waitlisted",
    "unplaced": "未录取 not placed",
    "declined": "已放弃 declined",
    "disqualified": "资格复核未通过 disqualified",
}


def write_bundle_files(out: Path, files: dict[str, bytes]) -> None:
    """Write the bundle into the new or empty directory `out`, whole or not at all."""
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise InvalidInput(f"输出目录不是空目录: {out}", f"output directory is not empty: {out}")
    fresh = out.with_name(f".{out.name}.partial-{os.getpid()}")
    fresh.mkdir(parents=True)
    for name in track(sorted(files), f"写出数据包 / writing {len(files)} files"):
        (fresh / name).write_bytes(files[name])
    if out.exists():
        out.rmdir()
    fresh.rename(out)


@after_app.command()
def export(
    draw_id: DrawId,
    out: Annotated[Path, typer.Option(help="新目录或 .zip 文件 / a new directory or a .zip file")],
) -> None:
    """导出公开数据包 / write the public bundle (for anyone to verify) to a directory or zip."""
    with reported(), database() as engine, session_scope(engine) as session:
        draw = find_draw(session, draw_id)
        if out.suffix.lower() == ".zip":
            if out.exists():
                raise InvalidInput(f"文件已存在: {out}", f"file exists: {out}")
            with step(f"打包 / zipping the bundle to {out}"):
                data = bundle_zip(session, draw)
                partial = out.with_name(f".{out.name}.partial-{os.getpid()}")
                partial.write_bytes(data)
                partial.rename(out)
        else:
            write_bundle_files(out, bundle_contents(session, draw))
    typer.echo(str(out))


def _current_status(draw_id: str, application: str) -> str:
    with database() as engine, session_scope(engine) as session:
        draw = find_draw(session, draw_id)
        row = session.exec(
            select(Outcome).where(Outcome.draw_id == draw.id, Outcome.application == application)
        ).first()
    if row is None:
        raise NotFound(f"没有报名号 {application}", f"no applicant {application} in this draw")
    where = f" {row.school}" if row.school else ""
    return _STATUS_TEXT.get(row.status, row.status) + where


@after_app.command()
def decline(
    draw_id: DrawId,
    application: Annotated[str, typer.Argument(help="报名号 / the application number")],
    reason: Annotated[
        str | None, typer.Option(help="原因, 记入审计日志 / the reason (in the audit log)")
    ] = None,
    disqualify: Annotated[
        bool, typer.Option(help="资格复核未通过 / failed the eligibility re-check instead")
    ] = False,
    yes: Annotated[
        bool, typer.Option("--yes", help="不再询问 (脚本用) / do not ask (scripts)")
    ] = False,
) -> None:
    """放弃或资格复核未通过: 让出学位, 由候补递补 / a decline or disqualification frees the seat
    for the waitlist. Asks for confirmation and a reason; cannot be undone."""
    kind = "disqualify" if disqualify else "decline"
    what = "资格复核未通过 disqualify" if disqualify else "放弃 decline"
    with reported():
        current = _current_status(draw_id, application)
        if reason is None:
            reason = typer.prompt("原因 / reason").strip()
        if not reason:
            raise InvalidInput("请填写原因", "give a reason (--reason)")
        if not yes:
            typer.echo(
                f"{application}: 目前 now {current}\n将记录 will record: {what}; 原因 reason: {reason}"
            )
            if not typer.confirm("确认? 此操作不能撤销 / confirm? this cannot be undone"):
                typer.echo("未记录 / nothing recorded")
                raise typer.Exit(1)
        signer = operator_signer()
        with draw_change(draw_id) as (session, draw):
            row = actions.record_action(
                session,
                draw,
                kind=kind,
                application=application,
                actor=OPERATOR,
                at=utc_now(),
                signer=signer,
                reason=reason,
            )
            moves = [tuple(m) for m in json.loads(row.moves)]
    typer.echo(f"递补记录 action {row.seq}: {kind} {application} (原因 reason: {reason})")
    for moved, source, target in moves:
        typer.echo(f"  递补 moved {moved}: {source or '-'} -> {target}")


@after_app.command("second-round")
def second_round(
    draw_id: DrawId,
    new_id: Annotated[str, typer.Argument(help="补录的抽签编号 / the second round's own id")],
    title: Annotated[str, typer.Option(help="补录标题 / the second round's title")],
    beacon_source: Annotated[
        str | None,
        typer.Option(help="信标来源 (必填), 如 drand:<链哈希> / beacon source (required)"),
    ] = None,
    beacon_round: Annotated[
        str | None, typer.Option(help="信标轮次 (必填) / beacon round (required)")
    ] = None,
    beacon_format: Annotated[
        str, typer.Option(help="信标格式 hex64 / decimal / beacon format")
    ] = "hex64",
    beacon_at: Annotated[
        str | None,
        typer.Option(help="公布时间 UTC (drand 不用填) / publication time (not for drand)"),
    ] = None,
    min_reveals: Annotated[
        int | None, typer.Option(help="默认同第一轮 / default: the first's")
    ] = None,
) -> None:
    """补录: 用剩余学位和未录取考生建立新一轮, 有自己的信标 / the second round, a new draw in
    objection with its own beacon."""
    with reported():
        try:
            beacon = None
            if beacon_source is not None or beacon_round is not None:
                primary = {"source": beacon_source, "round": beacon_round, "format": beacon_format}
                if beacon_at is not None:
                    primary["at"] = beacon_at
                beacon = schemas.BeaconSpec.model_validate({"primary": primary})
            spec = schemas.SecondRoundCreate(
                id=new_id, title=title, min_reveals=min_reveals, beacon=beacon
            )
        except ValidationError as error:
            raise invalid_input(error, ("补录参数", "second round")) from None
        signer = operator_signer()
        with draw_change(draw_id) as (session, first):
            draw = rounds.create_second_round(
                session, first, spec=spec, actor=OPERATOR, at=utc_now(), signer=signer
            )
            count = draws.draw_public(session, draw).applicant_count
    typer.echo(f"{new_id}: second round of {draw_id}, {count} applicants, objection open")
