"""Property-based API testing (schemathesis) against the app's own OpenAPI schema: no request that
fits the schema, or breaks it, may get a 5xx answer.

Each API operation gets a fresh SQLite database holding two draws of bureau XQ, so that path
parameters hit real draws: a published one (with a rehearsal, a ceremony, results, a bundle)
and one still in draft. Every generated request goes to one of them (or to an unknown id), as
the bureau's operator, as a witness, as another bureau's operator, or as the public.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from conftest import _KEY, NOW, make_bureau, sqlite_copy
from fastapi import FastAPI
from fastapi.testclient import TestClient
from helpers import DRAW_ID, draw_spec, run_ceremony, sealed_draw
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error

from api.main import create_app
from api.settings import Settings
from api.signer import Signer

DRAFT_ID = "XQ-2026-draft"


@dataclass(frozen=True)
class Population:
    """A migrated SQLite file with the two draws, and who may call."""

    database: Path
    callers: dict[str, dict[str, str]]
    application: str


@pytest.fixture(scope="module")
def population(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Population:
    directory = tmp_path_factory.mktemp("schemathesis")
    url = sqlite_copy(sqlite_template, directory)
    app = _app(url)
    bureau = make_bureau(app.state.engine)
    with TestClient(app) as client:
        setup = sealed_draw(client, bureau.operator, applicants=8)
        client.post(f"/api/draws/{DRAW_ID}/rehearsals", json={"text": "t"}, headers=bureau.operator)
        run_ceremony(client, bureau.operator, setup["witnesses"])
        assert client.post(f"/api/draws/{DRAW_ID}/run", headers=bureau.operator).status_code == 200
        assert client.post(f"/api/draws/{DRAW_ID}/publish", headers=bureau.operator).is_success
        draft = {**draw_spec(), "id": DRAFT_ID}
        assert client.post("/api/draws", json=draft, headers=bureau.operator).status_code == 201
    app.state.engine.dispose()
    return Population(
        database=Path(url.removeprefix("sqlite:///")),
        callers={
            "operator": bureau.operator,
            "other bureau": bureau.other_operator,
            "witness": setup["witnesses"]["W1"],
            "public": {},
        },
        application=setup["receipts"][0]["application"],
    )


def _app(url: str) -> FastAPI:
    settings_ = Settings(
        database_url=url, lookup_per_ip=1_000_000, lookup_per_application=1_000_000
    )
    return create_app(settings_, signer=Signer(_KEY), clock=lambda: NOW, run_migrations=False)


@pytest.fixture
def served(population: Population, tmp_path: Path) -> Iterator[FastAPI]:
    """A fresh copy of the populated database for each operation, and the app on it."""
    copy = tmp_path / "service.db"
    shutil.copy(population.database, copy)
    app = _app(f"sqlite:///{copy}")
    yield app
    app.state.engine.dispose()


# The schema is the app's own OpenAPI document; requests go to the fixture's app.
schema = schemathesis.openapi.from_dict(_app("sqlite://").openapi())


@schema.parametrize()
@schema.given(
    draw=st.sampled_from([DRAW_ID, DRAFT_ID, "NO-SUCH-DRAW"]),
    caller=st.sampled_from(["operator", "other bureau", "witness", "public"]),
    known_applicant=st.booleans(),
)
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.function_scoped_fixture,  # on purpose: one database per operation
    ],
)
def test_no_request_gets_a_server_error(
    case: Any,
    draw: str,
    caller: str,
    known_applicant: bool,
    served: FastAPI,
    population: Population,
) -> None:
    if "draw_id" in (case.path_parameters or {}):
        case.path_parameters["draw_id"] = draw
    if known_applicant and isinstance(case.body, dict) and "application" in case.body:
        case.body["application"] = population.application
    headers = dict(population.callers[caller])
    case.call_and_validate(app=served, headers=headers, checks=[not_a_server_error])
