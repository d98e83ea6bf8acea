"""Settings, migrations, the operator CLI and the look-up rate limit."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from conftest import NOW
from fastapi.testclient import TestClient
from helpers import DRAW_ID, run_ceremony, sealed_draw
from sqlalchemy import inspect
from typer.testing import CliRunner

from api.db import downgrade, make_engine, migrate
from api.main import create_app
from api.operator_cli import app as cli
from api.ratelimit import WrongGuessCounter
from api.settings import Settings


def test_settings_read_the_environment_and_refuse_nonsense() -> None:
    settings = Settings.from_environ(
        {"DATABASE_URL": "postgresql+psycopg://x/y", "SUNSHINE_LOOKUP_PER_IP": "5"}
    )
    assert settings.database_url == "postgresql+psycopg://x/y"
    assert settings.lookup_per_ip == 5
    assert Settings.from_environ({}).database_url == "sqlite:///./sunshine.db"
    with pytest.raises(ValueError, match="SUNSHINE_LOOKUP_PER_IP must be an integer, found 'x'"):
        Settings.from_environ({"SUNSHINE_LOOKUP_PER_IP": "x"})
    with pytest.raises(ValueError, match="lookup_per_application must be at least 1"):
        Settings(lookup_per_application=0)


def test_migrations_go_up_and_down(database_url: str, tmp_path: Path) -> None:
    engine = make_engine(database_url)
    tables = set(inspect(engine).get_table_names())
    assert {"draws", "applicants", "applicants_private", "audit_events", "api_tokens"} <= tables
    downgrade(engine)
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    migrate(engine)
    assert set(inspect(engine).get_table_names()) == tables
    engine.dispose()


def test_operator_cli_creates_keys_bureau_and_tokens(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.setenv("SUNSHINE_SIGNING_KEY_FILE", str(tmp_path / "key.pem"))
    runner = CliRunner()
    assert runner.invoke(cli, ["keys"]).exit_code == 0
    assert runner.invoke(cli, ["keys"]).exit_code == 1  # never overwrites a key
    made = runner.invoke(cli, ["create-bureau", "--code", "XQ", "--name", "某县教育局"])
    assert made.exit_code == 0, made.output
    assert made.output.strip().startswith("sdt_")
    again = runner.invoke(cli, ["create-bureau", "--code", "XQ", "--name", "x"])
    assert again.exit_code == 1
    token = runner.invoke(cli, ["issue-token", "--code", "XQ", "--role", "auditor", "--label", "a"])
    assert token.exit_code == 0 and token.output.strip().startswith("sdt_")
    bad = runner.invoke(cli, ["issue-token", "--code", "XQ", "--role", "witness", "--label", "a"])
    assert bad.exit_code == 2


def test_wrong_guess_counter_limits_and_forgets() -> None:
    counter = WrongGuessCounter(limit=2, window=10)
    assert counter.count("a", now=0) == 0
    assert counter.count("a", now=1) == 0
    assert counter.count("a", now=2) == 8  # over: wait until the guess at 0 leaves the window
    assert counter.count("b", now=2) == 0
    assert counter.count("a", now=10.5) == 1  # the guess at 0 left; those at 1, 2, 10.5 remain


def test_lookup_is_rate_limited_per_application(settings, signer, bureau) -> None:
    limited = replace(settings, lookup_per_application=3)
    client = TestClient(create_app(limited, signer=signer, clock=lambda: NOW, run_migrations=False))
    setup = sealed_draw(client, bureau.operator)
    run_ceremony(client, bureau.operator, setup["witnesses"])
    target = setup["receipts"][0]["application"]
    codes = [
        client.post(
            f"/api/draws/{DRAW_ID}/lookup", json={"application": target, "receipt": "WRONG-CODE"}
        ).status_code
        for _ in range(4)
    ]
    assert codes == [404, 404, 404, 429]
    other = setup["receipts"][1]
    ok = client.post(
        f"/api/draws/{DRAW_ID}/lookup",
        json={"application": other["application"], "receipt": other["receipt_code"]},
    )
    assert ok.status_code == 200
    body = ok.json()
    assert body["status"] is None and body["state"] == "ceremony"  # not published yet
    assert body["tree_size"] == 6 and len(body["applicant_root"]) == 64
