"""Applicant records, protocol §4: receipt codes, private digest, public record, groups."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st

from lottery import (
    InvalidRecord,
    PrivateRecord,
    PublicRecord,
    format_receipt,
    make_receipt_code,
    mask_id_number,
    mask_name,
    normalise_receipt,
    private_digest,
    public_record,
)
from lottery.records import RECEIPT_ALPHABET, check_groups, sorted_records

VECTORS = json.loads(
    (Path(__file__).parents[1] / "vectors" / "records" / "records.json").read_text("utf-8")
)
PRIVATE = PrivateRecord(
    application="A001", id_number="11010120190101123X", name="王小明", receipt="0123456789ABCDEF"
)


@pytest.mark.parametrize("case", VECTORS["receipts"], ids=lambda c: c["entropy"])
def test_receipt_vector(case: dict[str, str]) -> None:
    code = make_receipt_code(bytes.fromhex(case["entropy"]))
    assert code == case["code"]
    assert format_receipt(code) == case["printed"]


@pytest.mark.parametrize("case", VECTORS["private"], ids=lambda c: c["private"]["application"])
def test_private_digest_vector(case: dict[str, dict[str, str] | str]) -> None:
    private = PrivateRecord(**case["private"])  # type: ignore[arg-type]
    assert private_digest(private) == case["private_digest"]


def test_receipt_code_uses_all_80_bits() -> None:
    assert make_receipt_code(bytes(10)) == "0" * 16
    assert make_receipt_code(b"\xff" * 10) == "Z" * 16
    assert make_receipt_code(b"\x00" * 9 + b"\x01") == "0" * 15 + "1"
    assert make_receipt_code(b"\x80" + bytes(9)) == "G" + "0" * 15
    with pytest.raises(ValueError, match="10 bytes"):
        make_receipt_code(bytes(9))


@settings(max_examples=200)
@given(st.binary(min_size=10, max_size=10))
def test_receipt_codes_are_a_bijection(entropy: bytes) -> None:
    code = make_receipt_code(entropy)
    assert len(code) == 16 and set(code) <= set(RECEIPT_ALPHABET)
    number = 0
    for char in code:
        number = number * 32 + RECEIPT_ALPHABET.index(char)
    assert number.to_bytes(10, "big") == entropy


def test_normalise_receipt_reads_what_families_type() -> None:
    assert normalise_receipt("0123-4567-89ab-cdef") == "0123456789ABCDEF"
    assert normalise_receipt("O123 4567 89AB CDEF") == "0123456789ABCDEF"
    assert normalise_receipt("l123-4567-89AB-CDEF") == "1123456789ABCDEF"
    with pytest.raises(InvalidRecord, match="receipt code"):
        normalise_receipt("0123-4567-89AB-CDEU")


def test_masks() -> None:
    assert mask_name("王小明") == "王*明"
    assert mask_name("欧阳娜娜") == "欧**娜"
    assert mask_name("李四") == "李*"
    assert mask_name("李") == "*"
    assert mask_name("John Smith") == "J* S*"  # the last letter is not shown either
    assert mask_name("Anna") == "A*"
    assert mask_name("A") == "*" and mask_name(" ") == "*"
    assert mask_id_number("1234567") == "*******"
    assert mask_id_number("11010120190101123X") == "1101**********123X"


def test_public_record_has_digest_and_masks_only() -> None:
    record = public_record(
        PRIVATE, category=None, group=None, preferences=["S01"], tiers={"S01": "T1"}, sex="M"
    )
    encoded = record.encoded().decode("utf-8")
    assert "王小明" not in encoded and "11010120190101123X" not in encoded
    assert PRIVATE.receipt not in encoded
    assert record.private_digest == private_digest(PRIVATE)
    assert PublicRecord.from_document(json.loads(encoded)) == record


def test_digest_depends_on_every_private_field() -> None:
    base = private_digest(PRIVATE)
    changes = [
        {"application": "A002"},
        {"id_number": "110101201901011231"},
        {"name": "王小名"},
        {"receipt": "0123456789ABCDEG"},
    ]
    for change in changes:
        fields = {**PRIVATE.document(), **change}
        assert private_digest(PrivateRecord(**fields)) != base, change


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"application": "A 1"}, "not an identifier"),
        ({"application": "A" * 65}, "not an identifier"),
        ({"id_number": "1101012019010112"}, "id_number"),
        ({"id_number": "11010120190101123x"}, "id_number"),
        ({"name": ""}, "name"),
        ({"name": "e\u0301"}, "NFC"),
        ({"receipt": "0123456789ABCDEI"}, "receipt"),
    ],
)
def test_private_record_validation(fields: dict[str, str], message: str) -> None:
    with pytest.raises(InvalidRecord, match=message):
        PrivateRecord(**{**PRIVATE.document(), **fields})


def _record(application: str, **fields: object) -> PublicRecord:
    base: dict[str, object] = {
        "category": None,
        "group": None,
        "preferences": ["S01"],
        "tiers": {},
        "sex": "F",
    }
    private = PrivateRecord(application, "110101201901011231", "张三", "0" * 16)
    return public_record(private, **{**base, **fields})  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"sex": "X"}, "sex 'X'"),
        ({"preferences": ["S01", "S01"]}, "repeat"),
        ({"preferences": ["S 1"]}, "not an identifier"),
        ({"category": ""}, "category"),
        ({"tiers": {"S01": "bad tier"}}, "tiers"),
    ],
)
def test_public_record_validation(fields: dict[str, object], message: str) -> None:
    with pytest.raises(InvalidRecord, match=message):
        _record("A001", **fields)


def test_duplicate_application_numbers_are_refused() -> None:
    with pytest.raises(InvalidRecord, match="'A001' appears twice"):
        sorted_records([_record("A001"), _record("A002"), _record("A001", sex="M")])


def test_groups_follow_4_4() -> None:
    with pytest.raises(InvalidRecord, match="group 'G1': 1 member"):
        check_groups([_record("A001", group="G1")])
    with pytest.raises(InvalidRecord, match="9 member"):
        check_groups([_record(f"A{i}", group="G1") for i in range(9)])
    with pytest.raises(InvalidRecord, match="different preferences"):
        check_groups([_record("A1", group="G1"), _record("A2", group="G1", preferences=["S02"])])
    with pytest.raises(InvalidRecord, match="different categories"):
        check_groups([_record("A1", group="G1"), _record("A2", group="G1", category="C")])
    check_groups([_record("A1", group="G1"), _record("A2", group="G1", tiers={"S01": "T1"})])


@settings(max_examples=150, deadline=None)
@given(
    name=st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=8),
    masked_id=st.text(st.characters(exclude_categories=("Cs",)), max_size=20),
    tiers=st.dictionaries(st.from_regex(r"[A-Za-z0-9._-]{1,5}", fullmatch=True), st.just("T1")),
)
def test_record_encoding_equals_rfc8785(name: str, masked_id: str, tiers: dict[str, str]) -> None:
    record = _record("A1", tiers=tiers)
    record = dataclasses.replace(record, masked_name=name, masked_id=masked_id)
    assert record.encoded() == rfc8785.dumps(record.document())
