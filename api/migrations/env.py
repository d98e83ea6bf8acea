"""Alembic environment: the schema of `api.models`, on SQLite or PostgreSQL.

`api.db.migrate` passes an open connection in `config.attributes["connection"]`; the
`alembic` command line uses `sqlalchemy.url` from `alembic.ini` or `DATABASE_URL`.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection, create_engine
from sqlmodel import SQLModel

import api.models  # noqa: F401  (registers the tables)
from api.settings import Settings

target_metadata = SQLModel.metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


def _online() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = context.config.get_main_option("sqlalchemy.url") or Settings.from_environ().database_url
    engine = create_engine(url)
    with engine.begin() as new_connection:
        _run(new_connection)


if context.is_offline_mode():
    raise SystemExit("offline migrations are not supported; run against a database")
_online()
