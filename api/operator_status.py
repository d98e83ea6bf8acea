"""Where things stand, for the clerk and the people watching: `lottery status` (digests, the key
fingerprint, the next step) and `lottery list` (every draw)."""

from __future__ import annotations

import json

import typer
from sqlmodel import Session, col, func, select

from api.db import session_scope
from api.errors import NotConfigured
from api.lifecycle import State
from api.localtime import local_time
from api.models import Applicant, Draw, School
from api.operator_support import DrawId, database, operator_settings, operator_signer, reported
from api.services.access import find_draw
from api.services.sealing import signed_document

__all__ = ["NEXT_STEP", "STATE_TEXT", "key_fingerprint_of", "school_names", "status_app"]

status_app = typer.Typer()

STATE_TEXT = {
    State.DRAFT: "草稿 draft",
    State.OBJECTION: "公示中 objection period",
    State.SEALED: "已封存 sealed",
    State.CEREMONY: "摇号仪式中 ceremony",
    State.DRAWN: "已摇号, 未公布 drawn, not published",
    State.PUBLISHED: "已公布 published",
}
NEXT_STEP = {
    State.DRAFT: "导入考生 lottery import; 登记见证人 lottery witness add; 开始公示 lottery objection"
    " / import, add witnesses, open the objection period",
    State.OBJECTION: "见证人提交承诺 lottery witness commit; 登记异议 lottery ledger add; "
    "封存 lottery seal / witnesses commit, record objections, seal",
    State.SEALED: "模拟摇号 lottery rehearse; 开始仪式 lottery ceremony / rehearse, open the ceremony",
    State.CEREMONY: "见证人揭示 lottery witness reveal; 录入信标 lottery beacon; 摇号 lottery run"
    " / witnesses reveal, enter the beacon, run",
    State.DRAWN: "公布结果 lottery publish / publish the results",
    State.PUBLISHED: "导出数据包 lottery export; 递补 lottery decline; 登记投诉 lottery ledger add"
    " / export the bundle, fill freed seats, record complaints",
}


def school_names(session: Session, draw: Draw) -> dict[str, str]:
    """School code -> name, for the screen."""
    rows = session.exec(select(School.code, School.name).where(School.draw_id == draw.id))
    return dict(rows.all())


def key_fingerprint_of(session: Session, draw: Draw) -> str:
    """The fingerprint the draw is signed with (the manifest's), else the key file's."""
    manifest = signed_document(session, draw, "manifest")
    if manifest is not None:
        return str(json.loads(manifest.document)["signing_key"]["fingerprint"])
    try:
        return operator_signer().fingerprint
    except NotConfigured:
        return "— (尚无签名密钥 / no signing key yet: lottery keys)"


@status_app.command()
def status(draw_id: DrawId) -> None:
    """抽签状态: 摘要、密钥指纹、下一步 / where the draw stands: digests, key fingerprint, next step."""
    zone = operator_settings().timezone
    with reported(), database() as engine, session_scope(engine) as session:
        draw = find_draw(session, draw_id)
        state = State(draw.state)
        count = session.exec(select(func.count()).where(Applicant.draw_id == draw.id)).one()
        manifest = signed_document(session, draw, "manifest")
        results = signed_document(session, draw, "results")
        fingerprint = key_fingerprint_of(session, draw)
        previous = (
            None if draw.previous_draw_id is None else session.get(Draw, draw.previous_draw_id)
        )
    sealed_at = "" if manifest is None else f" ({local_time(manifest.at, zone)})"
    lines = [
        f"抽签 draw:                {draw.public_id}  {draw.title}",
        f"状态 state:               {STATE_TEXT[state]}",
        f"考生 applicants:          {count}",
        f"清单摘要 manifest digest: {'—' if manifest is None else manifest.digest}{sealed_at}",
        f"结果摘要 results digest:  {'—' if results is None else results.digest}",
        f"密钥指纹 key fingerprint: {fingerprint}",
        f"下一步 next step:         {NEXT_STEP[state]}",
    ]
    if previous is not None:
        lines.append(f"补录自 second round of:   {previous.public_id}")
    typer.echo("\n".join(lines))


@status_app.command("list")
def list_draws() -> None:
    """列出所有抽签 / list every draw: id, state, applicants, title."""
    with reported(), database() as engine, session_scope(engine) as session:
        counts = dict(
            session.exec(
                select(Applicant.draw_id, func.count()).group_by(col(Applicant.draw_id))
            ).all()
        )
        draws = list(session.exec(select(Draw).order_by(col(Draw.id))))
    if not draws:
        typer.echo("尚无抽签 / no draws yet (lottery create)")
    for draw in draws:
        state = STATE_TEXT[State(draw.state)]
        typer.echo(f"{draw.public_id}\t{state}\t考生 {counts.get(draw.id or 0, 0)}\t{draw.title}")
