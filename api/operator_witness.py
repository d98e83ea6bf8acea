"""Witness commands (`lottery witness ...`, protocol §7.1, §7.3): register a witness, draw a
secret on the witness's own machine, commit before sealing, reveal during the ceremony. Commit
and reveal act with the witness's own credential, never the operator's."""

from __future__ import annotations

import secrets
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

witness_app = typer.Typer(help="见证人 / witnesses (protocol §7)", no_args_is_help=True)


@witness_app.command("add")
def witness_add(
    draw_id: DrawId,
    witness_id: Annotated[str, typer.Argument(help="the witness's id, e.g. W1-notary")],
    name: Annotated[str, typer.Argument(help="who the witness is, e.g. 公证处")],
) -> None:
    """Register a witness; prints its own credential (once) for commit and reveal."""
    with reported():
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
    typer.echo(token)


@witness_app.command("secret")
def witness_secret(
    witness_id: Annotated[str, typer.Argument(help="the witness's id")],
) -> None:
    """Draw a fresh 32-byte secret on THIS machine; print it and its commitment (§7.1)."""
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
    witness_id: Annotated[str, typer.Argument(help="the witness's id")],
    token: Annotated[str, typer.Option(help="the witness's own credential")],
    commitment: Annotated[str | None, typer.Option(help="hex64 commitment")] = None,
    secret: Annotated[str | None, typer.Option(help="hex64 secret (commitment computed)")] = None,
) -> None:
    """A witness registers its commitment before sealing (protocol §7.1)."""
    with reported():
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
    witness_id: Annotated[str, typer.Argument(help="the witness's id")],
    secret: Annotated[str, typer.Argument(help="the hex64 secret committed to")],
    token: Annotated[str, typer.Option(help="the witness's own credential")],
) -> None:
    """A witness reveals its secret during the ceremony (protocol §7.3)."""
    with reported():
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
