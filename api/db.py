"""Database engine, sessions and schema migration.

SQLite (the embedded default) and PostgreSQL (production) are both supported. The schema is
only ever created by the Alembic migrations in `api/migrations`, so the tests exercise them.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

from alembic import command
from alembic.config import Config
from fastapi import Depends, Request
from sqlalchemy import Engine, event
from sqlmodel import Session, create_engine

__all__ = ["SessionDep", "get_session", "make_engine", "migrate", "session_scope"]

_MIGRATIONS = Path(__file__).parent / "migrations"


def make_engine(database_url: str) -> Engine:
    """An engine for `database_url`; SQLite gets foreign keys on and cross-thread use allowed."""
    if database_url.startswith("sqlite"):
        engine = create_engine(
            database_url, connect_args={"check_same_thread": False, "timeout": 30}
        )
        event.listen(engine, "connect", _sqlite_on_connect)
        return engine
    return create_engine(database_url, pool_pre_ping=True)


def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def alembic_config(database_url: str | None = None) -> Config:
    """Alembic configuration pointing at the migrations inside the `api` package."""
    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    if database_url is not None:
        config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def migrate(engine: Engine, revision: str = "head") -> None:
    """Bring the schema of `engine`'s database to `revision` (`alembic upgrade`)."""
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def downgrade(engine: Engine, revision: str = "base") -> None:
    """Take the schema back to `revision` (`alembic downgrade`); for tests and operators."""
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, revision)


def session_scope(engine: Engine) -> Session:
    """A new session; use as `with session_scope(engine) as session:`."""
    return Session(engine, expire_on_commit=False)


def get_session(request: Request) -> Iterator[Session]:
    """FastAPI dependency: one session per request, on the app's engine."""
    with session_scope(request.app.state.engine) as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]
