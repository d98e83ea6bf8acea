"""Operator commands for scripting the service (a typer app; the lead mounts it in `lottery`).

    keys            create the bureau's Ed25519 signing key file
    migrate         bring the database schema up to date (alembic upgrade head)
    create-bureau   register a bureau and print its first operator token
    issue-token     print a new operator or auditor token for a bureau

Tokens are printed once and stored hashed; keep them like passwords.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from api.auth import Role
from api.clock import utc_now
from api.db import make_engine, migrate, session_scope
from api.errors import ServiceError
from api.services.bureaus import create_bureau, issue_bureau_token
from api.settings import Settings
from api.signer import generate_key_file

__all__ = ["app"]

app = typer.Typer(
    help="阳光摇号服务运维命令 / sunshine draw service operator commands", no_args_is_help=True
)


def _settings() -> Settings:
    return Settings.from_environ()


@app.command()
def keys(
    out: Annotated[Path | None, typer.Option(help="key file (default: the setting)")] = None,
) -> None:
    """Create the bureau's signing key (refuses to overwrite an existing file)."""
    path = out or _settings().signing_key_file
    try:
        signer = generate_key_file(path)
    except FileExistsError:
        typer.echo(f"密钥文件已存在 / key file exists: {path}", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"{path}\nfingerprint {signer.fingerprint}")


@app.command("migrate")
def migrate_command() -> None:
    """Create or upgrade the database schema."""
    migrate(make_engine(_settings().database_url))
    typer.echo("schema up to date")


@app.command("create-bureau")
def create_bureau_command(
    code: Annotated[str, typer.Option(help="short code, prefixes application numbers")],
    name: Annotated[str, typer.Option(help="the bureau's name, as in the manifest")],
) -> None:
    """Register a bureau and print its first operator token."""
    engine = make_engine(_settings().database_url)
    migrate(engine)
    now = utc_now()
    try:
        with session_scope(engine) as session:
            create_bureau(session, code=code, name=name, at=now)
            token = issue_bureau_token(
                session, code=code, role=Role.OPERATOR, label="first", at=now
            )
            session.commit()
    except ServiceError as error:
        typer.echo(str(error), err=True)
        raise typer.Exit(1) from None
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
    engine = make_engine(_settings().database_url)
    try:
        with session_scope(engine) as session:
            token = issue_bureau_token(
                session, code=code, role=Role(role), label=label, at=utc_now()
            )
            session.commit()
    except ServiceError as error:
        typer.echo(str(error), err=True)
        raise typer.Exit(1) from None
    typer.echo(token)
