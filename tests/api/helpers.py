"""Small draws for the service tests: rules, applicants with valid ID numbers, witnesses with
their own keys, and the whole ceremony of protocol §7 through the HTTP API."""

from __future__ import annotations

import datetime
import hashlib
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi.testclient import TestClient

from lottery import canonical_json, commitment_file, cosignature_file, reveal_file, tagged_hash
from lottery.drand import DRAND_CHAINS

DRAW_ID = "XQ-2026-primary"
QUICKNET = "52db9ba70e0cc0f6eaf7803dd07447a1f5477735fd3f661792ba94600c84e971"
SEALED_AT = "2026-06-01T09:00:00Z"  # the tests' clock (conftest.NOW)
CLOSE_AT = "2026-06-01T09:30:00Z"  # the reveals close here, before the beacon's time


def drand_round(at: str) -> str:
    """The first quicknet round published at or after `at` (Appendix A)."""
    chain = DRAND_CHAINS[QUICKNET]
    moment = int(datetime.datetime.fromisoformat(at.replace("Z", "+00:00")).timestamp())
    return str(-(-(moment - chain.genesis) // chain.period) + 1)


BEACON_ROUND = drand_round("2026-06-01T10:00:00Z")
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"


def id_number(serial: int, *, male: bool) -> str:
    """A valid GB 11643 ID number (check digit computed) for test child `serial` (< 10,000)."""
    birth = datetime.date(2020, 1, 1) + datetime.timedelta(days=serial // 100)
    body = f"110101{birth:%Y%m%d}{serial % 100:02d}{1 if male else 2}"
    total = sum(int(d) * w for d, w in zip(body, _WEIGHTS, strict=True))
    return body + _CHECK[total % 11]


def draw_spec(*, seats: int = 3, beacon: bool = True) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "id": DRAW_ID,
        "title": "某县第一小学 2026 年摇号",
        "mode": "single_school_lottery",
        "min_reveals": 2,
        "birth_date_from": "2019-09-01",
        "birth_date_to": "2020-08-31",
        "schools": [
            {
                "id": "S01",
                "name": "第一小学",
                "seats": seats,
                "tiers": [{"id": "T1", "label": "户籍+房产"}, {"id": "T2", "label": "其他"}],
                "reserved": [{"category": "MIG", "seats": 1}],
            }
        ],
        "categories": [{"id": "MIG", "label": "随迁子女"}],
    }
    if beacon:
        spec["beacon"] = {
            "primary": {"source": f"drand:{QUICKNET}", "round": BEACON_ROUND, "format": "hex64"}
        }
    return spec


def applicant_rows(count: int) -> list[dict[str, Any]]:
    names = ["张三丰", "李四", "王小明", "赵敏", "钱多多", "孙悟空", "周芷若", "吴用"]
    rows = []
    for i in range(count):
        row: dict[str, Any] = {
            "name": names[i % len(names)] + ("" if i < len(names) else "甲"),
            "id_number": id_number(i + 1, male=i % 2 == 0),
            "preferences": ["S01"],
        }
        if i % 3 == 0:
            row["tiers"] = {"S01": "T1"}
        if i % 4 == 1:
            row["category"] = "MIG"
        rows.append(row)
    return rows


def secret(code: str) -> bytes:
    return hashlib.sha256(b"test witness " + code.encode()).digest()


def witness_key(code: str) -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(hashlib.sha256(b"key " + code.encode()).digest())


def commitment(code: str, draw_id: str = DRAW_ID) -> dict[str, Any]:
    """The witness's commitment file (§7.9), as its own tool makes it."""
    return commitment_file(draw_id, code, f"见证人{code}", witness_key(code), secret(code))


def reveal(code: str, manifest: str) -> dict[str, Any]:
    return reveal_file(bytes.fromhex(manifest), code, secret(code), witness_key(code))


def cosign(code: str, of: str, document: dict[str, Any]) -> dict[str, Any]:
    """The witness's co-signature file of a checkpoint or beacon statement document."""
    digest = tagged_hash(of, canonical_json(document))
    return cosignature_file(of, digest, code, witness_key(code))  # type: ignore[arg-type]


def sealed_draw(
    client: TestClient, headers: dict[str, str], *, applicants: int = 6
) -> dict[str, Any]:
    """Create a draw, add applicants and 3 witnesses that upload their own commitment files,
    open objection and seal.

    Returns the witnesses' tokens, the applicants' receipts and the manifest digest."""
    assert client.post("/api/draws", json=draw_spec(), headers=headers).status_code == 201
    created = client.post(
        f"/api/draws/{DRAW_ID}/applicants", json=applicant_rows(applicants), headers=headers
    )
    assert created.status_code == 201, created.text
    witnesses = {}
    for code in ("W1", "W2", "W3"):
        answer = client.post(
            f"/api/draws/{DRAW_ID}/witnesses",
            json={"id": code, "name": f"见证人{code}"},
            headers=headers,
        )
        assert answer.status_code == 201, answer.text
        token = {"Authorization": f"Bearer {answer.json()['token']}"}
        witnesses[code] = token
        put = client.put(
            f"/api/draws/{DRAW_ID}/witnesses/{code}/commitment",
            json=commitment(code),
            headers=token,
        )
        assert put.status_code == 200, put.text
    assert client.post(f"/api/draws/{DRAW_ID}/objection", headers=headers).status_code == 200
    sealed = client.post(f"/api/draws/{DRAW_ID}/seal", headers=headers)
    assert sealed.status_code == 200, sealed.text
    return {
        "witnesses": witnesses,
        "receipts": created.json()["receipts"],
        "manifest": sealed.json()["manifest_digest"],
    }


def manifest_of(client: TestClient, draw_id: str = DRAW_ID) -> str:
    digest: str = client.get(f"/api/draws/{draw_id}").json()["manifest_digest"]
    return digest


def run_ceremony(
    client: TestClient,
    headers: dict[str, str],
    witnesses: dict[str, Any],
    *,
    reveal: tuple[str, ...] = ("W1", "W2", "W3"),
    value: str = "ab" * 32,
) -> dict[str, Any]:
    """Reveals, checkpoint (at CLOSE_AT), co-signatures, beacon value and its co-signatures.
    Returns the receipts, the checkpoint and the beacon statement."""
    manifest = manifest_of(client)
    receipts = {}
    for code in reveal:
        answer = client.post(
            f"/api/draws/{DRAW_ID}/witnesses/{code}/reveal",
            json=reveal_of(code, manifest),
            headers=witnesses[code],
        )
        assert answer.status_code == 200, answer.text
        receipts[code] = answer.json()
    client.app.state.clock = lambda: CLOSE_AT  # type: ignore[attr-defined]
    closed = client.post(f"/api/draws/{DRAW_ID}/checkpoint", headers=headers)
    assert closed.status_code == 200, closed.text
    checkpoint = closed.json()
    for code in reveal:
        signed = client.post(
            f"/api/draws/{DRAW_ID}/cosignatures",
            json=cosign(code, "checkpoint", checkpoint),
            headers=witnesses[code],
        )
        assert signed.status_code == 200, signed.text
    beacon = client.post(f"/api/draws/{DRAW_ID}/beacon", json={"value": value}, headers=headers)
    assert beacon.status_code == 200, beacon.text
    statement = beacon.json()
    for code in reveal:
        signed = client.post(
            f"/api/draws/{DRAW_ID}/cosignatures",
            json=cosign(code, "beacon", statement),
            headers=witnesses[code],
        )
        assert signed.status_code == 200, signed.text
    return {"receipts": receipts, "checkpoint": checkpoint, "beacon": statement}


reveal_of = reveal
