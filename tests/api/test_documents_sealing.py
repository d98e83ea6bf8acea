"""The sealing announcement (封存公告, protocol §12.6), read back from the PDF with pdfplumber."""

from __future__ import annotations

import io
import re
from typing import Any

import pdfplumber
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from api.documents import InvalidDocumentInput
from api.documents.sealing import group_pin, sealing_announcement_pdf, sealing_facts
from lottery import key_fingerprint

PIN = "7K3M9QXR2T5VW8YZ0A1B"
DIGEST = "5d" * 32


def public_key(seed: int) -> str:
    key = Ed25519PrivateKey.from_private_bytes(bytes([seed]) * 32)
    return key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw).hex()


def manifest(*, fallback: bool = True) -> dict[str, Any]:
    return {
        "draw": {
            "id": "XQ-2026-01",
            "title": "某县 2026 年小学一年级电脑派位",
            "authority": "某县教育局",
            "sealed_at": "2026-07-10T01:30:00Z",
        },
        "applicants": {"count": 1234, "root": "ab" * 32},
        "witnesses": [
            {
                "id": "W1",
                "name": "公证员 李四",
                "commitment": "01" * 32,
                "public_key": public_key(1),
            },
            {
                "id": "W2",
                "name": "家长代表 王五",
                "commitment": "02" * 32,
                "public_key": public_key(2),
            },
        ],
        "beacon": {
            "source": "drand:52db9ba70e0cc0f6eaf7803dd07447a1f5477735fd3f661792ba94600c84e971",
            "round": "9000000",
            "format": "hex64",
            "at": "2026-07-10T02:00:00Z",
            "fallback": {
                "source": "上证指数收盘",
                "round": "2026-07-10",
                "format": "decimal",
                "at": "2026-07-10T07:00:00Z",
            }
            if fallback
            else None,
        },
        "signing_key": {
            "algorithm": "ed25519",
            "public_key": public_key(9),
            "fingerprint": "c4" * 32,
        },
    }


def pdf_text(data: bytes) -> str:
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        return re.sub(r"\s+", "", "".join(page.extract_text() or "" for page in pdf.pages))


def test_the_announcement_gives_the_notary_every_pin_and_the_beacon_in_local_time() -> None:
    facts = sealing_facts(
        manifest(), manifest_digest=DIGEST, pin=PIN, page_url="https://zs.example.gov.cn/d/1"
    )
    found = pdf_text(sealing_announcement_pdf(facts))
    for value in (
        "封存公告",
        "某县教育局",
        "XQ-2026-01",
        "2026年7月10日09:30",  # sealed_at in Asia/Shanghai
        "1234",
        DIGEST,  # in groups, spaces removed by the extraction
        "c4" * 32,
        "7K3M-9QXR-2T5V-W8YZ-0A1B",
        "轮次9000000，公布时间2026年7月10日10:00",
        "上证指数收盘，轮次2026-07-10，公布时间2026年7月10日15:00",
        "公证员李四",
        key_fingerprint(bytes.fromhex(public_key(1))),
        key_fingerprint(bytes.fromhex(public_key(2))),
        "请家长记下这个核对码",
        "https://zs.example.gov.cn/d/1",
    ):
        assert value in found, value
    assert "01" * 32 not in found  # commitments belong to the manifest, not to this page


def test_the_pin_is_printed_large() -> None:
    data = sealing_announcement_pdf(sealing_facts(manifest(), manifest_digest=DIGEST, pin=PIN))
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        sizes = {round(c["size"]) for c in pdf.pages[0].chars if c["text"] in "7K3M"}
        body = {round(c["size"]) for c in pdf.pages[0].chars if c["text"] == "某"}
    assert max(sizes) >= 24 > max(body)


def test_the_english_announcement_is_a_document_of_its_own() -> None:
    facts = sealing_facts(manifest(fallback=False), manifest_digest=DIGEST, pin=PIN)
    found = pdf_text(sealing_announcement_pdf(facts, language="en"))
    assert "Sealingannouncement" in found and "10July2026,09:30" in found
    assert "Fallback" not in found and "封存公告" not in found
    assert group_pin(PIN) in found


@pytest.mark.parametrize(
    ("digest", "pin", "problem"),
    [
        ("5D" * 32, PIN, "manifest_digest"),
        (DIGEST, "7K3M-9QXR-2T5V-W8YZ-0A1B", "pin"),
        (DIGEST, "7K3M9QXR2T5VW8YZ0A1I", "pin"),  # I is not in the receipt alphabet
    ],
)
def test_a_malformed_pin_or_digest_is_refused_by_name(digest: str, pin: str, problem: str) -> None:
    with pytest.raises(InvalidDocumentInput, match=problem):
        sealing_facts(manifest(), manifest_digest=digest, pin=pin)


def test_a_version_1_manifest_is_refused() -> None:
    old = manifest()
    for witness in old["witnesses"]:
        del witness["public_key"]
    with pytest.raises(InvalidDocumentInput, match="version 2"):
        sealing_facts(old, manifest_digest=DIGEST, pin=PIN)
