"""Every role-endpoint pair that must be refused is refused, and refusing changes nothing."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import _KEY, NOW, make_bureau, postgres_schema, sqlite_copy
from fastapi.testclient import TestClient
from helpers import DRAW_ID, applicant_rows, draw_spec

from api.db import make_engine
from api.main import create_app
from api.settings import Settings
from api.signer import Signer

D = f"/api/draws/{DRAW_ID}"
HEX = "ab" * 32

# (method, path, JSON body) of every endpoint that changes something or reads private data.
OPERATOR_ONLY: list[tuple[str, str, Any]] = [
    ("PUT", f"{D}/rules", draw_spec()),
    ("POST", f"{D}/applicants", applicant_rows(1)),
    ("POST", f"{D}/applicants/import?filename=a.csv", None),
    ("POST", f"{D}/witnesses", {"id": "W9", "name": "x"}),
    ("POST", f"{D}/objection", None),
    ("POST", f"{D}/seal", None),
    ("POST", f"{D}/ceremony", None),
    ("POST", f"{D}/beacon", {"value": HEX}),
    ("POST", f"{D}/run", None),
    ("POST", f"{D}/publish", None),
    ("POST", f"{D}/rehearsals", {"text": "practice"}),
    ("POST", f"{D}/actions", {"type": "decline", "application": "XQ000001"}),
    ("POST", f"{D}/second-round", {"id": "XQ-2026-R2", "title": "补录"}),
]
BUREAU_READS: list[tuple[str, str, Any]] = [
    ("GET", f"{D}/applicants/private", None),
    ("GET", f"{D}/audit", None),
    ("GET", f"{D}/rehearsals", None),
]
# A witness file is uploaded by its own witness or by the draw's operator (a USB stick); any
# other caller is refused, and the refusal is logged (`refused.token`, §15.3).
WITNESS_OWN: list[tuple[str, str, Any]] = [
    ("PUT", f"{D}/witnesses/W1/commitment", {"witness": "W1", "commitment": HEX}),
    ("POST", f"{D}/witnesses/W1/reveal", {"witness": "W1", "secret": HEX}),
]
WITNESS_FILE_CASES = [
    (role, endpoint, status)
    for endpoint in WITNESS_OWN
    for role, status in (
        ("public", 401),
        ("auditor", 403),
        ("other_operator", 403),
        ("other_witness", 403),
    )
]

CASES: list[tuple[str, tuple[str, str, Any], int]] = []
for endpoint in OPERATOR_ONLY:
    CASES += [
        ("public", endpoint, 401),
        ("witness", endpoint, 403),
        ("auditor", endpoint, 403),
        ("other_operator", endpoint, 404),
    ]
for endpoint in BUREAU_READS:
    CASES += [
        ("public", endpoint, 401),
        ("witness", endpoint, 403),
        ("other_operator", endpoint, 404),
    ]
CASES.append(("operator", ("POST", "/api/draws", draw_spec()), 409))  # same id: conflict
CASES += [
    (role, ("POST", "/api/draws", draw_spec()), code)
    for role, code in (("public", 401), ("witness", 403), ("auditor", 403))
]
# The public never sees a draft draw, its list or its manifest.
CASES += [
    ("public", ("GET", D, None), 404),
    ("public", ("GET", f"{D}/applicants/public", None), 404),
    ("public", ("GET", f"{D}/manifest.json", None), 404),
    ("public", ("GET", f"{D}/bundle.zip", None), 404),
    ("public", ("GET", f"{D}/actions.json", None), 404),
    ("public", ("GET", f"{D}/results.json", None), 404),
]


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def role_client(
    request: pytest.FixtureRequest, sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[TestClient, dict[str, dict[str, str]]]]:
    """One draft draw with two witnesses, shared by the refusal cases of this module.

    Sharing is safe because every case asserts that its refused request changed nothing (same
    draw version, same audit log length); a case that fails to refuse fails itself.
    """
    with contextlib.ExitStack() as stack:
        if request.param == "sqlite":
            url = sqlite_copy(sqlite_template, tmp_path_factory.mktemp("roles"))
        else:
            url = stack.enter_context(postgres_schema("roles"))
        engine = make_engine(url)
        bureau = make_bureau(engine)
        app = create_app(
            Settings(database_url=url), signer=Signer(_KEY), clock=lambda: NOW, run_migrations=False
        )
        client = stack.enter_context(TestClient(app))
        assert (
            client.post("/api/draws", json=draw_spec(), headers=bureau.operator).status_code == 201
        )
        tokens = {}
        for code in ("W1", "W2"):
            answer = client.post(
                f"{D}/witnesses", json={"id": code, "name": code}, headers=bureau.operator
            )
            tokens[code] = {"Authorization": f"Bearer {answer.json()['token']}"}
        yield (
            client,
            {
                "public": {},
                "operator": bureau.operator,
                "auditor": bureau.auditor,
                "other_operator": bureau.other_operator,
                "witness": tokens["W1"],
                "other_witness": tokens["W2"],
            },
        )
        app.state.engine.dispose()
        engine.dispose()


@pytest.mark.parametrize(
    ("role", "endpoint", "status"),
    CASES,
    ids=[f"{role}-{method}-{path.removeprefix(D) or path}" for role, (method, path, _), _ in CASES],
)
def test_refused(role_client, role: str, endpoint, status: int) -> None:
    client, roles = role_client
    method, path, body = endpoint
    before = client.get(D, headers=roles["operator"]).json()["version"]
    audit_before = len(client.get(f"{D}/audit", headers=roles["auditor"]).json())
    answer = client.request(method, path, json=body, headers=roles[role])
    assert answer.status_code == status, answer.text
    assert answer.json()["message_en"] and answer.json()["message_zh"]
    assert client.get(D, headers=roles["operator"]).json()["version"] == before
    assert len(client.get(f"{D}/audit", headers=roles["auditor"]).json()) == audit_before


@pytest.mark.parametrize(
    ("role", "endpoint", "status"),
    WITNESS_FILE_CASES,
    ids=[
        f"{role}-{method}-{path.removeprefix(D)}"
        for role, (method, path, _), _ in WITNESS_FILE_CASES
    ],
)
def test_a_witness_file_from_anyone_else_is_refused_and_logged(
    role_client, role: str, endpoint, status: int
) -> None:
    client, roles = role_client
    method, path, body = endpoint
    before = client.get(D, headers=roles["operator"]).json()["version"]
    audit_before = client.get(f"{D}/audit", headers=roles["auditor"]).json()
    answer = client.request(method, path, json=body, headers=roles[role])
    assert answer.status_code == status, answer.text
    assert client.get(D, headers=roles["operator"]).json()["version"] == before
    audit_after = client.get(f"{D}/audit", headers=roles["auditor"]).json()
    assert audit_after[:-1] == audit_before
    assert audit_after[-1]["action"] == "refused.token"
    assert audit_after[-1]["details"]["witness"] == "W1"


def test_a_bad_token_is_401_not_public(role_client) -> None:
    client, _ = role_client
    answer = client.get(f"{D}/audit", headers={"Authorization": "Bearer sdt_nope"})
    assert answer.status_code == 401
    assert client.get(f"{D}/audit", headers={"Authorization": "Basic abc"}).status_code == 401


def test_public_answers_never_carry_personal_data(client: TestClient, bureau) -> None:
    assert client.post("/api/draws", json=draw_spec(), headers=bureau.operator).status_code == 201
    roles = {"operator": bureau.operator, "auditor": bureau.auditor}
    rows = applicant_rows(4)
    created = client.post(f"{D}/applicants", json=rows, headers=roles["operator"]).json()
    client.post(f"{D}/objection", headers=roles["operator"])
    public = client.get(f"{D}/applicants/public")
    assert public.status_code == 200
    text = public.text + client.get(D).text + client.get(f"{D}/witnesses").text
    for row, receipt in zip(rows, created["receipts"], strict=True):
        assert row["name"] not in text and row["id_number"] not in text
        assert receipt["receipt_code"] not in text
    private = client.get(f"{D}/applicants/private", headers=roles["auditor"])
    assert {r["id_number"] for r in private.json()} == {r["id_number"] for r in rows}
