"""Operator commands: the whole draw from the terminal (`lottery ...`), Chinese first.

They work through the service layer (`api.services`) on the service's own database (setting
`DATABASE_URL`), in one transaction each, exactly as the HTTP routes do, and sign with the key of
`SUNSHINE_SIGNING_KEY_FILE`. The audit log names the operator `operator:cli`.

    keys / migrate / create-bureau / issue-token        set-up
    init / create / template / import / correct ...     in api.operator_import, api.operator_corrections
    objection DRAW                                      publish the masked list (公示)
    witness add|reveal|cosign FILE...                   witness files on a USB stick (api.operator_witness)
    ledger add|close|list|export ...                    the objection and complaint ledger
    seal DRAW / announce DRAW                           sealing and its announcement (pins)
    ceremony close DRAW / beacon DRAW --value V / void  the checkpoint, the beacon, voiding
    rehearse DRAW TEXT / run DRAW / publish DRAW        practice runs (模拟), the draw, publication
    export / decline / second-round                     after the draw (api.operator_after)
    status DRAW / list                                  where things stand (api.operator_status)

What people watch is shown in words: `seal` the manifest digest, the key fingerprint and the pin,
`rehearse` a result marked 模拟, `run` per-school counts, cutoffs and the first lines of each
list. Tokens are stored hashed; an error prints its message in Chinese and English and exits 1.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from api.auth import Role
from api.ceremony_display import result_lines, warning_lines
from api.clock import utc_now
from api.db import migrate, session_scope
from api.lifecycle import transaction
from api.operator_after import after_app
from api.operator_ledger import ledger_app
from api.operator_status import key_fingerprint_of, school_names, status_app
from api.operator_support import (
    OPERATOR,
    DrawId,
    database,
    draw_change,
    operator_settings,
    operator_signer,
    reported,
)
from api.operator_witness import (
    announce,
    announcement_lines,
    beacon,
    ceremony_app,
    check_free,
    void,
    witness_app,
    write_sealed_manifest,
)
from api.progress import step
from api.services import draws, running, sealing
from api.services.bureaus import create_bureau, issue_bureau_token
from api.signer import generate_key_file

__all__ = ["app"]

app = typer.Typer(
    help="阳光摇号服务运维命令 / sunshine draw service operator commands", no_args_is_help=True
)
app.add_typer(witness_app, name="witness")
app.add_typer(ceremony_app, name="ceremony")
app.add_typer(ledger_app, name="ledger")


# -- set-up ----------------------------------------------------------------------------------


@app.command()
def keys(
    out: Annotated[
        Path | None, typer.Option(help="密钥文件 (默认按设置) / key file (default: the setting)")
    ] = None,
) -> None:
    """生成教育局签名密钥 (不覆盖已有文件) / create the bureau's signing key (never overwrites)."""
    path = out or operator_settings().signing_key_file
    try:
        signer = generate_key_file(path)
    except FileExistsError:
        typer.echo(f"密钥文件已存在 / key file exists: {path}", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"{path}\nfingerprint {signer.fingerprint}")


@app.command("migrate")
def migrate_command() -> None:
    """建立或升级数据库 / create or upgrade the database schema."""
    with database() as engine:
        migrate(engine)
    typer.echo("schema up to date")


@app.command("create-bureau")
def create_bureau_command(
    code: Annotated[
        str,
        typer.Option(help="教育局代码, 用作报名号前缀 / short code, prefixes application numbers"),
    ],
    name: Annotated[str, typer.Option(help="教育局名称 / the bureau's name")],
) -> None:
    """登记教育局并显示第一个操作员令牌 / register a bureau and print its first operator token."""
    now = utc_now()
    with reported(), database() as engine:
        migrate(engine)
        with session_scope(engine) as session, transaction(session):
            create_bureau(session, code=code, name=name, at=now)
            token = issue_bureau_token(
                session, code=code, role=Role.OPERATOR, label="first", at=now
            )
    typer.echo(token)


@app.command("issue-token")
def issue_token_command(
    code: Annotated[str, typer.Option(help="教育局代码 / the bureau's code")],
    role: Annotated[str, typer.Option(help="operator (操作员) 或 or auditor (审计员)")],
    label: Annotated[
        str, typer.Option(help="持有人 (记入审计日志) / who holds it (in the audit log)")
    ],
) -> None:
    """签发操作员或审计员令牌 / print a new operator or auditor token."""
    if role not in (Role.OPERATOR.value, Role.AUDITOR.value):
        typer.echo(f"role must be operator or auditor, found {role!r}", err=True)
        raise typer.Exit(2)
    with reported(), database() as engine, session_scope(engine) as session, transaction(session):
        token = issue_bureau_token(session, code=code, role=Role(role), label=label, at=utc_now())
    typer.echo(token)


# -- before sealing --------------------------------------------------------------------------


@app.command()
def objection(draw_id: DrawId) -> None:
    """开始公示: 脱敏名单公开, 可提出异议 / open the objection period: the masked list is public."""
    with reported():
        signer = operator_signer()
        with draw_change(draw_id) as (session, draw):
            draws.open_objection(session, draw, actor=OPERATOR, at=utc_now(), signer=signer)
    typer.echo(f"{draw_id}: objection period open")


# -- sealing, ceremony, run ------------------------------------------------------------------


@app.command()
def seal(
    draw_id: DrawId,
    out: Annotated[
        Path | None,
        typer.Option(
            help="同时写出 manifest.json 和签名供见证人核对 / also write the sealed manifest and "
            "its signature into this folder, for each witness to check"
        ),
    ] = None,
) -> None:
    """封存名单、规则和见证人的公钥与承诺; 显示封存公告 / seal the list, rules and the witnesses'
    keys and commitments; shows the sealing announcement (digest, fingerprint, pin)."""
    with reported():
        if out is not None:
            for name in ("manifest.json", "manifest.sig.json"):
                check_free(out / name)
        signer = operator_signer()
        with step(f"封存 / sealing {draw_id}"), draw_change(draw_id) as (session, draw):
            sealed = sealing.seal_draw(session, draw, actor=OPERATOR, at=utc_now(), signer=signer)
            facts = sealing.sealing_announcement(session, draw)
            if out is not None:
                write_sealed_manifest(session, draw, out)
    typer.echo("\n".join([f"已封存 / sealed: {draw_id}", *announcement_lines(facts)[1:]]))
    for line in warning_lines(sealed.warnings):
        typer.echo(line)


app.command()(announce)
app.command()(beacon)
app.command()(void)


@app.command()
def rehearse(
    draw_id: DrawId,
    text: Annotated[
        str, typer.Argument(help="模拟用的文字, 如 彩排一 / the stated rehearsal text")
    ],
) -> None:
    """模拟摇号: 记入日志, 永远不是正式结果 / a practice run: logged, never the official result;
    shows the simulated result per school, marked 模拟."""
    with reported():
        signer = operator_signer()
        with step(f"模拟摇号 / rehearsal {text!r}"), draw_change(draw_id) as (session, draw):
            row = running.rehearsal(
                session, draw, text=text, actor=OPERATOR, at=utc_now(), signer=signer
            )
            names = school_names(session, draw)
    document = json.loads(row.document)
    lines = result_lines(document, school_names=names, simulated=True)
    typer.echo(
        "\n".join(
            [
                f"模拟 rehearsal {row.seq}: {text}",
                *lines,
                f"模拟摘要 rehearsal digest: {row.digest}",
                running.REHEARSAL_MARK,
            ]
        )
    )


@app.command()
def run(draw_id: DrawId) -> None:
    """正式摇号; 显示各校人数、录取线和名单前几行 / run the official draw; shows per-school counts,
    cutoffs and the first lines of each list (a second run shows the same)."""
    with reported():
        signer = operator_signer()
        with step(f"摇号 / running {draw_id}"), draw_change(draw_id) as (session, draw):
            digest = running.run(session, draw, actor=OPERATOR, at=utc_now(), signer=signer)
            results = sealing.signed_document(session, draw, "results")
            assert results is not None
            names = school_names(session, draw)
            fingerprint = key_fingerprint_of(session, draw)
    lines = result_lines(json.loads(results.document), school_names=names, simulated=False)
    typer.echo(
        "\n".join(
            [
                *lines,
                f"结果摘要 results digest: {digest}",
                f"密钥指纹 key fingerprint: {fingerprint}",
                "下一步 / next: lottery publish " + draw_id,
            ]
        )
    )


@app.command()
def publish(draw_id: DrawId) -> None:
    """公布结果和公开数据包 / publish the results and the bundle."""
    with reported():
        signer = operator_signer()
        with draw_change(draw_id) as (session, draw):
            running.publish(session, draw, actor=OPERATOR, at=utc_now(), signer=signer)
    typer.echo(f"{draw_id}: published")


# After the draw, and where things stand: listed after the draw's own steps in `--help`.
app.registered_commands += after_app.registered_commands
app.registered_commands += status_app.registered_commands
