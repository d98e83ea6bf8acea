"""Operator commands: the whole draw lifecycle for operators who script (`lottery ...`).

They work through the service layer (`api.services`) on the service's own database (setting
`DATABASE_URL`), in one transaction each, exactly as the HTTP routes do, and sign with the key of
`SUNSHINE_SIGNING_KEY_FILE`. The audit log names the operator `operator:cli`.

    keys / migrate / create-bureau / issue-token        set-up
    create SPEC.json --bureau CODE                      a draw and its rules (protocol §6)
    import DRAW FILE                                    the applicant list, CSV or XLSX, all or nothing
    objection DRAW                                      publish the masked list (公示)
    witness add|secret|commit|reveal ...                the witness ceremony (§7.1, §7.3)
    seal DRAW / ceremony DRAW / beacon DRAW VALUE        sealing, the ceremony, the beacon (§6, §7)
    rehearse DRAW TEXT / run DRAW / publish DRAW        practice runs (§16), the draw, publication
    export DRAW --out DIR|ZIP                           the public bundle (§13)
    decline DRAW APPLICATION [--disqualify]             a seat freed after the draw (§14)
    second-round DRAW NEW --title T                     the second round (补录, §14.5), a new draw
    status DRAW                                         where the draw stands

Tokens are printed once and stored hashed; keep them like passwords. An error prints its message
in Chinese and English (and every problem it lists) and exits 1.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError
from sqlmodel import Session, select

from api import schemas
from api.auth import Role
from api.clock import utc_now
from api.db import migrate, session_scope
from api.errors import InvalidInput, NotFound
from api.lifecycle import transaction
from api.models import Bureau
from api.operator_ledger import ledger_app
from api.operator_support import (
    OPERATOR,
    DrawId,
    database,
    draw_change,
    invalid_input,
    operator_settings,
    operator_signer,
    problem_report_csv,
    reported,
)
from api.operator_witness import witness_app
from api.progress import print_error, step, track
from api.schemas import BeaconCreate, DrawCreate
from api.services import actions, applicants, ceremony, draws, rounds, running, sealing
from api.services.access import find_draw
from api.services.bureaus import create_bureau, issue_bureau_token
from api.services.publication import bundle_contents, bundle_zip
from api.signer import generate_key_file

__all__ = ["app"]

app = typer.Typer(
    help="阳光摇号服务运维命令 / sunshine draw service operator commands", no_args_is_help=True
)
app.add_typer(witness_app, name="witness")
app.add_typer(ledger_app, name="ledger")


# -- set-up ----------------------------------------------------------------------------------


@app.command()
def keys(
    out: Annotated[Path | None, typer.Option(help="key file (default: the setting)")] = None,
) -> None:
    """Create the bureau's signing key (refuses to overwrite an existing file)."""
    path = out or operator_settings().signing_key_file
    try:
        signer = generate_key_file(path)
    except FileExistsError:
        typer.echo(f"密钥文件已存在 / key file exists: {path}", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"{path}\nfingerprint {signer.fingerprint}")


@app.command("migrate")
def migrate_command() -> None:
    """Create or upgrade the database schema."""
    with database() as engine:
        migrate(engine)
    typer.echo("schema up to date")


@app.command("create-bureau")
def create_bureau_command(
    code: Annotated[str, typer.Option(help="short code, prefixes application numbers")],
    name: Annotated[str, typer.Option(help="the bureau's name, as in the manifest")],
) -> None:
    """Register a bureau and print its first operator token."""
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
    code: Annotated[str, typer.Option(help="the bureau's code")],
    role: Annotated[str, typer.Option(help="operator or auditor")],
    label: Annotated[str, typer.Option(help="who holds it (shown in the audit log)")],
) -> None:
    """Print a new operator or auditor token."""
    if role not in (Role.OPERATOR.value, Role.AUDITOR.value):
        typer.echo(f"role must be operator or auditor, found {role!r}", err=True)
        raise typer.Exit(2)
    with reported(), database() as engine, session_scope(engine) as session, transaction(session):
        token = issue_bureau_token(session, code=code, role=Role(role), label=label, at=utc_now())
    typer.echo(token)


# -- before sealing --------------------------------------------------------------------------


def _bureau(session: Session, code: str | None) -> Bureau:
    rows = list(session.exec(select(Bureau)))
    if code is None and len(rows) == 1:
        return rows[0]
    if code is None:
        raise InvalidInput(
            f"有 {len(rows)} 个教育局, 请用 --bureau 指定",
            f"{len(rows)} bureaus are registered; name one with --bureau",
        )
    for row in rows:
        if row.code == code:
            return row
    raise NotFound(f"没有代码为 {code} 的教育局", f"no bureau with code {code}")


def read_draw_spec(path: Path) -> DrawCreate:
    """The draw spec file (JSON, the shape of `POST /api/draws`), checked field by field."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise InvalidInput(
            f"无法读取规则文件 {path}", f"cannot read the draw spec {path}: {error.strerror}"
        ) from None
    try:
        return DrawCreate.model_validate_json(data)
    except ValidationError as error:
        raise invalid_input(error, ("抽签规则文件", f"draw spec {path}")) from None


@app.command()
def create(
    spec: Annotated[Path, typer.Argument(help="the draw's rules, JSON (as POST /api/draws)")],
    bureau: Annotated[str | None, typer.Option(help="the bureau's code (if several)")] = None,
) -> None:
    """Create a draw in draft with its rules (checked by the engine, protocol §6.3)."""
    with reported():
        rules = read_draw_spec(spec)
        signer = operator_signer()
        with database() as engine, session_scope(engine) as session, transaction(session):
            owner = _bureau(session, bureau)
            assert owner.id is not None
            draw = draws.create_draw(
                session, spec=rules, bureau_id=owner.id, actor=OPERATOR, at=utc_now(), signer=signer
            )
    typer.echo(draw.public_id)


@app.command("import")
def import_command(
    draw_id: DrawId,
    file: Annotated[Path, typer.Argument(help="the applicant list, .csv or .xlsx")],
) -> None:
    """Import the applicant list, all or nothing; a rejection writes FILE.problems.csv."""
    with reported():
        try:
            data = file.read_bytes()
        except OSError as error:
            raise InvalidInput(
                f"无法读取文件 {file}", f"cannot read {file}: {error.strerror}"
            ) from None
        signer = operator_signer()
        try:
            with step(f"导入考生 / importing {file.name}"), draw_change(draw_id) as (s, draw):
                receipts = applicants.import_file(
                    s,
                    draw,
                    data=data,
                    filename=file.name,
                    actor=OPERATOR,
                    at=utc_now(),
                    signer=signer,
                )
        except InvalidInput as error:
            if not error.problems:
                raise
            report = file.with_name(file.name + ".problems.csv")
            report.write_bytes(problem_report_csv(error))
            print_error(error, more=f"问题报告 / problem report: {report}")
            raise typer.Exit(1) from None
    typer.echo(f"imported {len(receipts)} applicants into {draw_id}")


@app.command()
def objection(draw_id: DrawId) -> None:
    """Open the objection period: the masked applicant list becomes public (公示)."""
    with reported():
        signer = operator_signer()
        with draw_change(draw_id) as (session, draw):
            draws.open_objection(session, draw, actor=OPERATOR, at=utc_now(), signer=signer)
    typer.echo(f"{draw_id}: objection period open")


# -- sealing, ceremony, run ------------------------------------------------------------------


@app.command()
def seal(draw_id: DrawId) -> None:
    """Seal the list, rules and commitments; prints the manifest digest (protocol §6.4)."""
    with reported():
        signer = operator_signer()
        with step(f"封存 / sealing {draw_id}"), draw_change(draw_id) as (session, draw):
            digest = sealing.seal_draw(session, draw, actor=OPERATOR, at=utc_now(), signer=signer)
    typer.echo(digest)


@app.command("ceremony")
def ceremony_command(draw_id: DrawId) -> None:
    """Open the ceremony: witnesses may now reveal."""
    with reported():
        signer = operator_signer()
        with draw_change(draw_id) as (session, draw):
            ceremony.open_ceremony(session, draw, actor=OPERATOR, at=utc_now(), signer=signer)
    typer.echo(f"{draw_id}: ceremony open")


@app.command()
def beacon(
    draw_id: DrawId,
    value: Annotated[str, typer.Argument(help="the public beacon value, as published")],
    fallback: Annotated[bool, typer.Option(help="the declared fallback source was used")] = False,
    reason: Annotated[str | None, typer.Option(help="why the fallback (logged)")] = None,
) -> None:
    """Enter the beacon value; closes the reveals (protocol §7.2, §7.3)."""
    with reported():
        try:
            body = BeaconCreate(
                used="fallback" if fallback else "primary", value=value, reason=reason
            )
        except ValidationError as error:
            raise invalid_input(error, ("信标值", "beacon value")) from None
        signer = operator_signer()
        with draw_change(draw_id) as (session, draw):
            ceremony.enter_beacon(
                session,
                draw,
                used=body.used,
                value=body.value,
                reason=body.reason,
                actor=OPERATOR,
                at=utc_now(),
                signer=signer,
            )
    typer.echo(f"{draw_id}: beacon {body.used} {body.value}")


@app.command()
def rehearse(
    draw_id: DrawId, text: Annotated[str, typer.Argument(help="the stated rehearsal text")]
) -> None:
    """A practice run (模拟摇号, protocol §16): logged, never the official result."""
    with reported():
        signer = operator_signer()
        with step(f"模拟摇号 / rehearsal {text!r}"), draw_change(draw_id) as (session, draw):
            row = running.rehearsal(
                session, draw, text=text, actor=OPERATOR, at=utc_now(), signer=signer
            )
    typer.echo(f"rehearsal {row.seq} {row.digest}\n{running.REHEARSAL_MARK}")


@app.command()
def run(draw_id: DrawId) -> None:
    """Run the official draw; prints the results digest (a second run prints the same)."""
    with reported():
        signer = operator_signer()
        with step(f"摇号 / running {draw_id}"), draw_change(draw_id) as (session, draw):
            digest = running.run(session, draw, actor=OPERATOR, at=utc_now(), signer=signer)
    typer.echo(digest)


@app.command()
def publish(draw_id: DrawId) -> None:
    """Publish the results and the bundle."""
    with reported():
        signer = operator_signer()
        with draw_change(draw_id) as (session, draw):
            running.publish(session, draw, actor=OPERATOR, at=utc_now(), signer=signer)
    typer.echo(f"{draw_id}: published")


# -- after the draw --------------------------------------------------------------------------


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


@app.command()
def export(
    draw_id: DrawId,
    out: Annotated[Path, typer.Option(help="a new directory, or a file ending in .zip")],
) -> None:
    """Write the public bundle (protocol §13) to a directory or a zip archive."""
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


@app.command()
def decline(
    draw_id: DrawId,
    application: Annotated[str, typer.Argument(help="the application number")],
    disqualify: Annotated[
        bool, typer.Option(help="failed the eligibility re-check (资格复核) instead")
    ] = False,
) -> None:
    """Record a decline (or disqualification); the waitlist fills the seat (protocol §14)."""
    kind = "disqualify" if disqualify else "decline"
    with reported():
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
            )
            moves = [tuple(m) for m in json.loads(row.moves)]
    typer.echo(f"action {row.seq}: {kind} {application}")
    for moved, source, target in moves:
        typer.echo(f"  {moved}: {source or '-'} -> {target}")


@app.command("second-round")
def second_round(
    draw_id: DrawId,
    new_id: Annotated[str, typer.Argument(help="the second round's own draw id")],
    title: Annotated[str, typer.Option(help="the second round's title")],
    min_reveals: Annotated[int | None, typer.Option(help="default: the first draw's")] = None,
    beacon: Annotated[str | None, typer.Option(help="beacon JSON, as in the spec")] = None,
) -> None:
    """Create the second round (补录, §14.5) of a published draw: a new draw, in objection."""
    with reported():
        try:
            spec = schemas.SecondRoundCreate(
                id=new_id,
                title=title,
                min_reveals=min_reveals,
                beacon=None if beacon is None else schemas.BeaconSpec.model_validate_json(beacon),
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


@app.command()
def status(draw_id: DrawId) -> None:
    """Where the draw stands: state, applicants, manifest digest."""
    with reported(), database() as engine, session_scope(engine) as session:
        public = draws.draw_public(session, find_draw(session, draw_id))
    follows = f" previous={public.previous_draw}" if public.previous_draw else ""
    typer.echo(
        f"{public.id} {public.state} applicants={public.applicant_count} "
        f"manifest={public.manifest_digest or '-'}{follows}"
    )
