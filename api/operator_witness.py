"""Witness commands (`lottery witness ...`, protocol §7.1, §7.3): register a witness, draw a
secret on the witness's own machine, commit before sealing, reveal during the ceremony. Commit
and reveal act with the witness's own credential, never the operator's.

A witness's credential goes to that witness only: `witness add` writes it to a file of its own
(mode 0600, never overwritten) for the clerk to hand over, and never prints it on the clerk's
screen; `commit` and `reveal` read it back with `--credential FILE`."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError
from sqlmodel import Session

from api.auth import authenticate
from api.clock import utc_now
from api.errors import InvalidInput
from api.models import Draw, Witness
from api.operator_support import (
    OPERATOR,
    DrawId,
    draw_change,
    invalid_input,
    operator_signer,
    reported,
)
from api.schemas import CommitmentCreate, RevealCreate
from api.services import ceremony, sealing
from api.services.access import witness_of
from lottery import witness_commitment

__all__ = ["witness_app"]

witness_app = typer.Typer(
    help="见证人: 登记、承诺、揭示 / witnesses: add, commit, reveal", no_args_is_help=True
)


@witness_app.command("add")
def witness_add(
    draw_id: DrawId,
    witness_id: Annotated[str, typer.Argument(help="见证人编号, 如 W1-notary / the witness's id")],
    name: Annotated[str, typer.Argument(help="见证人身份, 如 公证处 / who the witness is")],
    out: Annotated[
        Path | None,
        typer.Option(help="凭证文件, 默认 witness-<编号>.credential / the credential file"),
    ] = None,
) -> None:
    """登记见证人; 凭证写入只交给该见证人的文件 / register a witness; its credential is written
    to a file for that witness only, never shown on this screen."""
    path = out or Path(f"witness-{witness_id}.credential")
    with reported():
        if path.exists():
            raise InvalidInput(f"文件已存在: {path}", f"file exists: {path}")
        signer = operator_signer()
        with draw_change(draw_id) as (session, draw):
            _, token = sealing.register_witness(
                session,
                draw,
                code=witness_id,
                name=name,
                actor=OPERATOR,
                at=utc_now(),
                signer=signer,
            )
            _write_credential(path, token, draw_id=draw_id, witness=f"{witness_id} {name}")
    typer.echo(
        f"见证人 {witness_id} 已登记; 凭证已写入 {path}, 请只交给该见证人\n"
        f"witness {witness_id} registered; credential written to {path}: hand it to them only"
    )


def _write_credential(path: Path, token: str, *, draw_id: str, witness: str) -> None:
    """The credential file, readable by its owner only; written before the commit, so a
    registration whose file could not be written is rolled back."""
    text = (
        "# 阳光摇号见证人凭证 / sunshine draw witness credential\n"
        f"# 抽签 draw: {draw_id}    见证人 witness: {witness}\n"
        "# 请像密码一样保管, 不要给他人看 / keep it like a password\n"
        f"{token}\n"
    )
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except OSError as error:
        raise InvalidInput(
            f"无法写凭证文件 {path}", f"cannot write the credential file {path}: {error.strerror}"
        ) from None
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(text)


def _credential(token: str | None, credential: Path | None) -> str:
    """The token given, or read from the witness's credential file."""
    if (token is None) == (credential is None):
        raise InvalidInput(
            "请给出 --credential 凭证文件 (或 --token) 之一",
            "give the credential file with --credential (or --token)",
        )
    if token is not None:
        return token
    assert credential is not None
    try:
        lines = credential.read_text(encoding="utf-8").splitlines()
    except OSError as error:
        raise InvalidInput(
            f"无法读取凭证文件 {credential}", f"cannot read {credential}: {error.strerror}"
        ) from None
    tokens = [line.strip() for line in lines if line.strip() and not line.startswith("#")]
    if len(tokens) != 1:
        raise InvalidInput(
            f"凭证文件格式不对: {credential}", f"not a witness credential file: {credential}"
        )
    return tokens[0]


@witness_app.command("secret")
def witness_secret(
    witness_id: Annotated[str, typer.Argument(help="见证人编号 / the witness's id")],
) -> None:
    """在本机生成秘密并显示其承诺值 (在见证人自己的电脑上运行) / draw a fresh secret on THIS
    machine (the witness's own) and print it with its commitment."""
    secret = secrets.token_bytes(32)
    typer.echo(f"secret     {secret.hex()}\ncommitment {witness_commitment(witness_id, secret)}")


def _own_witness(session: Session, draw: Draw, witness_id: str, token: str) -> tuple[Witness, str]:
    """The witness row of `token`'s holder, who must be `witness_id`, and its audit name."""
    caller = authenticate(session, f"Bearer {token}")
    assert caller is not None
    witness = witness_of(session, draw, caller)
    if witness.code != witness_id:
        raise InvalidInput(
            f"凭证属于见证人 {witness.code}, 不是 {witness_id}",
            f"the credential is witness {witness.code}'s, not {witness_id}'s",
        )
    return witness, caller.actor


@witness_app.command("commit")
def witness_commit(
    draw_id: DrawId,
    witness_id: Annotated[str, typer.Argument(help="见证人编号 / the witness's id")],
    credential: Annotated[
        Path | None, typer.Option(help="见证人凭证文件 / the witness's credential file")
    ] = None,
    token: Annotated[str | None, typer.Option(help="或直接给令牌 / or the token itself")] = None,
    commitment: Annotated[str | None, typer.Option(help="承诺值 hex64 / commitment")] = None,
    secret: Annotated[str | None, typer.Option(help="秘密 hex64 (自动算承诺) / secret")] = None,
) -> None:
    """见证人在封存前提交承诺 / a witness registers its commitment before sealing."""
    with reported():
        token = _credential(token, credential)
        if (commitment is None) == (secret is None):
            raise InvalidInput(
                "请给出 --commitment 或 --secret 之一", "give --commitment or --secret"
            )
        try:
            if secret is not None:
                commitment = witness_commitment(
                    witness_id, bytes.fromhex(RevealCreate(secret=secret).secret)
                )
            value = CommitmentCreate(commitment=commitment or "").commitment
        except ValidationError as error:
            raise invalid_input(error, ("承诺值", "commitment")) from None
        signer = operator_signer()
        with draw_change(draw_id) as (session, draw):
            witness, actor = _own_witness(session, draw, witness_id, token)
            sealing.commit(
                session, draw, witness, commitment=value, actor=actor, at=utc_now(), signer=signer
            )
    typer.echo(f"{witness_id} committed {value}")


@witness_app.command("reveal")
def witness_reveal(
    draw_id: DrawId,
    witness_id: Annotated[str, typer.Argument(help="见证人编号 / the witness's id")],
    secret: Annotated[str, typer.Argument(help="承诺时的秘密 hex64 / the secret committed to")],
    credential: Annotated[
        Path | None, typer.Option(help="见证人凭证文件 / the witness's credential file")
    ] = None,
    token: Annotated[str | None, typer.Option(help="或直接给令牌 / or the token itself")] = None,
) -> None:
    """见证人在仪式中揭示秘密 / a witness reveals its secret during the ceremony."""
    with reported():
        token = _credential(token, credential)
        try:
            value = RevealCreate(secret=secret).secret
        except ValidationError as error:
            raise invalid_input(error, ("秘密值", "secret")) from None
        signer = operator_signer()
        with draw_change(draw_id) as (session, draw):
            witness, actor = _own_witness(session, draw, witness_id, token)
            ceremony.reveal(
                session, draw, witness, secret_hex=value, actor=actor, at=utc_now(), signer=signer
            )
    typer.echo(f"{witness_id} revealed")
