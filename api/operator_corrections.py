"""Operator commands for corrections during the objection period, and receipts printed again.

    correct DRAW APPLICATION --reason R [--name N] [--id-number X] [--preferences P] [--tier T]
            [--category C] [--group G]          edit one child; the receipt code is kept
    withdraw DRAW APPLICATION --reason R        remove one child
    replace DRAW APPLICATION FILE --reason R    remove one child and import the file's row(s)
    receipts DRAW [--application A] [--out DIR] print receipts (回执) again (audit-logged)

Corrections are allowed until sealing (draft and objection); each needs a reason, which goes
into the public audit log and so may not contain a name or an ID number.
"""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Annotated

import typer

from api.clock import utc_now
from api.operator_import import receipts_dir, save_receipts, tell_receipts
from api.operator_support import OPERATOR, DrawId, draw_change, operator_signer, reported
from api.services import corrections

__all__ = ["app"]

app = typer.Typer(help="更正与回执 / corrections and receipts", no_args_is_help=True)

Application = Annotated[str, typer.Argument(help="报名号 / the application number")]
Reason = Annotated[
    str, typer.Option(help="原因, 写入公开审计日志, 不写姓名和身份证号 / reason (public log)")
]


@app.command()
def correct(
    draw_id: DrawId,
    application: Application,
    reason: Reason,
    name: Annotated[str | None, typer.Option(help="姓名 / name")] = None,
    id_number: Annotated[str | None, typer.Option(help="身份证号 / ID number")] = None,
    preferences: Annotated[
        str | None, typer.Option(help="志愿, 学校代码或名称, 用 ; 分隔 / schools, ; separated")
    ] = None,
    tier: Annotated[str | None, typer.Option(help="类别 / tier (code or label)")] = None,
    category: Annotated[str | None, typer.Option(help="专项类别, 空为无 / category")] = None,
    group: Annotated[str | None, typer.Option(help="同胞组, 空为无 / group")] = None,
) -> None:
    """更正一名考生 (封存前), 回执码不变 / edit one child before sealing; the code is kept."""
    correction = corrections.Correction(
        name=name,
        id_number=id_number,
        preferences=None
        if preferences is None
        else tuple(preferences.replace("；", ";").split(";")),
        tiers=tier,
        category=category,
        group=group,
    )
    with reported():
        signer = operator_signer()
        with draw_change(draw_id) as (session, draw):
            corrections.correct_applicant(
                session,
                draw,
                application=application,
                correction=correction,
                reason=reason,
                actor=OPERATOR,
                at=utc_now(),
                signer=signer,
            )
    typer.echo(f"{draw_id}: {application} corrected; receipt code unchanged / 回执码不变")


@app.command()
def withdraw(draw_id: DrawId, application: Application, reason: Reason) -> None:
    """撤回一名考生 (封存前) / remove one child before sealing."""
    with reported():
        signer = operator_signer()
        with draw_change(draw_id) as (session, draw):
            corrections.withdraw_applicant(
                session,
                draw,
                application=application,
                reason=reason,
                actor=OPERATOR,
                at=utc_now(),
                signer=signer,
            )
    typer.echo(f"{draw_id}: {application} withdrawn / 已撤回")


@app.command()
def replace(
    draw_id: DrawId,
    application: Application,
    file: Annotated[Path, typer.Argument(help="替换考生的名单 (.csv/.xlsx) / the replacement")],
    reason: Reason,
    receipts: Annotated[Path | None, typer.Option(help="回执保存目录 / receipts directory")] = None,
) -> None:
    """撤回一名考生并导入替换者 / withdraw one child and import the replacement row(s)."""
    with reported():
        try:
            data = file.read_bytes()
        except OSError as error:
            typer.echo(f"无法读取文件 / cannot read {file}: {error.strerror}", err=True)
            raise typer.Exit(1) from None
        signer = operator_signer()
        with draw_change(draw_id) as (session, draw):
            created = corrections.replace_applicant(
                session,
                draw,
                application=application,
                data=data,
                filename=file.name,
                reason=reason,
                actor=OPERATOR,
                at=utc_now(),
                signer=signer,
                entropy=secrets.token_bytes,
            )
        added = ", ".join(c.application for c in created)
        typer.echo(f"{draw_id}: {application} replaced by {added}")
        tell_receipts(draw_id, created, receipts)


@app.command("receipts")
def receipts_command(
    draw_id: DrawId,
    application: Annotated[
        list[str] | None, typer.Option(help="只打印这些报名号 (可重复) / only these children")
    ] = None,
    out: Annotated[Path | None, typer.Option(help="保存目录 / directory")] = None,
) -> None:
    """再次打印回执 (记入审计日志) / print receipts again, recorded in the audit log."""
    with reported():
        pdfs, csv, count = save_receipts(
            draw_id, application or None, receipts_dir(draw_id, out), reprint=True
        )
    typer.echo(f"回执 receipts ({count}): {', '.join(str(pdf) for pdf in pdfs)}")
    typer.echo(f"短信 CSV for SMS: {csv}")
