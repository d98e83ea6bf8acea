"""What every operator command shares: settings, the signer, one transaction per change, and
errors printed in Chinese and English (`api.operator_cli`, `api.operator_witness`)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

import typer
from pydantic import ValidationError
from sqlalchemy import Engine
from sqlmodel import Session

from api.db import make_engine, session_scope
from api.error_answers import problem_report_csv
from api.errors import InvalidInput, Problem, ServiceError
from api.lifecycle import transaction
from api.models import Draw
from api.progress import print_error
from api.services.access import find_draw
from api.settings import Settings
from api.signer import Signer, load_signer

__all__ = [
    "OPERATOR",
    "DrawId",
    "database",
    "draw_change",
    "invalid_input",
    "operator_settings",
    "operator_signer",
    "problem_report_csv",
    "reported",
]

OPERATOR = "operator:cli"

DrawId = Annotated[str, typer.Argument(help="抽签编号 / the draw's id")]


def operator_settings() -> Settings:
    return Settings.from_environ()


def operator_signer() -> Signer:
    return load_signer(operator_settings().signing_key_file)


@contextmanager
def reported() -> Iterator[None]:
    """Service errors become a bilingual message on stderr and exit code 1."""
    try:
        yield
    except ServiceError as error:
        print_error(error)
        raise typer.Exit(1) from None


@contextmanager
def database() -> Iterator[Engine]:
    engine = make_engine(operator_settings().database_url)
    try:
        yield engine
    finally:
        engine.dispose()


@contextmanager
def draw_change(draw_id: str) -> Iterator[tuple[Session, Draw]]:
    """The draw, in one transaction: all of the change or nothing (api.lifecycle)."""
    with database() as engine, session_scope(engine) as session, transaction(session):
        yield session, find_draw(session, draw_id)


def invalid_input(error: ValidationError, what: tuple[str, str]) -> InvalidInput:
    """A pydantic validation error as `InvalidInput` naming each field and value."""
    problems = tuple(
        Problem(
            field=".".join(str(part) for part in detail["loc"]) or None,
            message_zh="格式不符",
            message_en=detail["msg"],
            value=None if isinstance(detail["input"], dict) else str(detail["input"])[:80],
        )
        for detail in error.errors()
    )
    return InvalidInput(f"{what[0]}无效", f"invalid {what[1]}", problems=problems)
