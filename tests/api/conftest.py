"""Fixtures of the service tests: every test runs on SQLite and on the real PostgreSQL.

PostgreSQL (127.0.0.1:5432, database `test`) gets one schema per xdist worker, migrated once
and truncated before each test. If it is unreachable the PostgreSQL cases are skipped locally
and FAIL when CI=true. The schema is only ever made by the Alembic migrations.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text

from api.auth import Role
from api.db import make_engine, migrate, session_scope
from api.main import create_app
from api.services.bureaus import create_bureau, issue_bureau_token
from api.settings import Settings
from api.signer import Signer

PG_BASE = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
NOW = "2026-06-01T09:00:00Z"
_SHM_DIRS: list[Path] = []
_KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))


def _worker() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    migrate(engine)
    engine.dispose()
    return path


@contextmanager
def postgres_schema(name: str) -> Iterator[str]:
    """A fresh, migrated PostgreSQL schema `<name>_<xdist worker>`; its URL; dropped after."""
    schema = f"{name}_{_worker()}"
    url = f"{PG_BASE}?options=-csearch_path%3D{schema}"
    try:
        admin = make_engine(PG_BASE)
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as error:  # pragma: no cover - depends on the machine
        if os.environ.get("CI") == "true":
            pytest.fail(f"PostgreSQL unreachable in CI: {error}")
        pytest.skip(f"PostgreSQL unreachable: {error}")
    engine = make_engine(url)
    migrate(engine)
    engine.dispose()
    try:
        yield url
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


def sqlite_copy(template: Path, tmp_path: Path) -> str:
    """A fresh, migrated SQLite database (a copy of the migrated template); its URL."""
    path = _fast_dir(tmp_path) / "service.db"
    shutil.copy(template, path)
    return f"sqlite:///{path}"


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    with postgres_schema("test") as url:
        yield url


def _fast_dir(tmp_path: Path) -> Path:
    """A directory in memory when the machine has one (SQLite's fsyncs are slow on disk)."""
    shm = Path("/dev/shm")
    if not shm.is_dir():
        return tmp_path
    directory = Path(tempfile.mkdtemp(prefix="sunshine-test-", dir=shm))
    _SHM_DIRS.append(directory)
    return directory


def pytest_sessionfinish() -> None:
    for directory in _SHM_DIRS:
        shutil.rmtree(directory, ignore_errors=True)


def _truncate(engine: Engine) -> None:
    with engine.begin() as connection:
        names = connection.execute(
            text("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
        ).scalars()
        tables = ", ".join(f'"{n}"' for n in names if n != "alembic_version")
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return sqlite_copy(request.getfixturevalue("sqlite_template"), tmp_path)
    url: str = request.getfixturevalue("postgres_url")
    engine = make_engine(url)
    _truncate(engine)
    engine.dispose()
    return url


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def signer() -> Signer:
    return Signer(_KEY)


@dataclass(frozen=True)
class Bureau:
    code: str
    operator: dict[str, str]
    auditor: dict[str, str]
    other_operator: dict[str, str]


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(
        database_url=database_url,
        data_dir=tmp_path / "data",
        lookup_per_ip=1000,
        lookup_per_application=1000,
    )


@pytest.fixture
def client(settings: Settings, signer: Signer) -> Iterator[TestClient]:
    app = create_app(settings, signer=signer, clock=lambda: NOW, run_migrations=False)
    with TestClient(app) as test_client:
        yield test_client
    app.state.engine.dispose()


def make_bureau(engine: Engine) -> Bureau:
    """Two bureaus (XQ and ZZ) and tokens: XQ's operator and auditor, ZZ's operator."""
    with session_scope(engine) as session:
        create_bureau(session, code="XQ", name="某县教育局", at=NOW)
        create_bureau(session, code="ZZ", name="另一县教育局", at=NOW)
        operator = issue_bureau_token(session, code="XQ", role=Role.OPERATOR, label="clerk", at=NOW)
        auditor = issue_bureau_token(session, code="XQ", role=Role.AUDITOR, label="audit", at=NOW)
        other = issue_bureau_token(session, code="ZZ", role=Role.OPERATOR, label="other", at=NOW)
        session.commit()
    return Bureau(
        code="XQ",
        operator={"Authorization": f"Bearer {operator}"},
        auditor={"Authorization": f"Bearer {auditor}"},
        other_operator={"Authorization": f"Bearer {other}"},
    )


@pytest.fixture
def bureau(engine: Engine) -> Bureau:
    return make_bureau(engine)
