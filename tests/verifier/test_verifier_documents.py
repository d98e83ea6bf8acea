"""Manifest (protocol §6) and record (§4) checks: each rule names the field and the value."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from verifier.canonical import encode
from verifier.errors import CheckFailed
from verifier.manifest import parse_manifest
from verifier.records import build_units, parse_records

BUNDLE = Path(__file__).resolve().parents[1] / "vectors" / "draws" / "single" / "09-several-schools"
MANIFEST = json.loads((BUNDLE / "manifest.json").read_bytes())
RECORDS = [json.loads(line) for line in (BUNDLE / "applicants.jsonl").read_bytes().splitlines()]


def _mutated(change: Callable[[dict[str, Any]], object]) -> dict[str, Any]:
    document = copy.deepcopy(MANIFEST)
    change(document)
    return document


@pytest.mark.parametrize(
    ("change", "field", "value"),
    [
        (
            lambda m: m.__setitem__("protocol", "sunshine-draw/3"),
            "manifest.protocol",
            "sunshine-draw/3",
        ),
        (lambda m: m.__setitem__("mode", "first_come"), "manifest.mode", "first_come"),
        (lambda m: m["schools"][0].__setitem__("seats", 0), "manifest.schools[0].seats", "0"),
        (lambda m: m["schools"][1].__setitem__("id", "S 2"), "manifest.schools[1].id", "S 2"),
        (lambda m: m["schools"].reverse(), "manifest.schools[1].id", "S02"),
        (
            lambda m: m["schools"][0].__setitem__("reserved", [{"category": "nobody", "seats": 1}]),
            "category",
            "nobody",
        ),
        (
            lambda m: m["schools"][0].__setitem__(
                "classes", {"count": None, "max_size": 46, "twins": "apart"}
            ),
            "max_size",
            "46",
        ),
        (lambda m: m["reveal_policy"].__setitem__("min_reveals", 9), "min_reveals", "9"),
        (lambda m: m["signing_key"].__setitem__("fingerprint", "0" * 64), "fingerprint", "0000"),
        (
            lambda m: m["draw"].__setitem__("sealed_at", "2026-02-30T00:00:00Z"),
            "sealed_at",
            "2026-02-30",
        ),
        (lambda m: m.__setitem__("max_preferences", 3), "max_preferences", "3"),
        (lambda m: m.pop("beacon"), "manifest", "beacon"),
        # Version 2 (§6.3, §7.2): the beacon is later than sealing and fits Appendix A.
        (lambda m: m.__setitem__("beacon", None), "manifest.beacon", "None"),
        (
            lambda m: m["beacon"].__setitem__("at", m["draw"]["sealed_at"]),
            "manifest.beacon.at",
            "2026-07-01T02:00:00Z",
        ),
        (
            lambda m: m["beacon"].__setitem__("round", m["beacon"]["round"] + "0"),
            "manifest.beacon.at",
            "round's time",
        ),
        (
            lambda m: m["beacon"].__setitem__("source", "drand:" + "ab" * 32),
            "manifest.beacon.source",
            "Appendix A",
        ),
        (
            lambda m: m["witnesses"][0].__setitem__("public_key", m["signing_key"]["public_key"]),
            "manifest.witnesses[0].public_key",
            "bureau",
        ),
        (lambda m: m.__setitem__("audit", {"seq": 0, "hash": "0" * 64}), "manifest.audit.seq", "0"),
    ],
)
def test_manifest_rule_names_field_and_value(
    change: Callable[[dict[str, Any]], object], field: str, value: str
) -> None:
    with pytest.raises(CheckFailed) as caught:
        parse_manifest(_mutated(change))
    assert field in str(caught.value) and value in str(caught.value)


def test_the_vector_manifest_is_valid() -> None:
    manifest = parse_manifest(MANIFEST)
    assert manifest.digest.hex() == json.loads((BUNDLE / "ceremony.json").read_bytes())["manifest"]


def _lines(records: list[dict[str, Any]]) -> list[bytes]:
    return [encode(r) for r in records]


@pytest.mark.parametrize(
    ("index", "key", "value", "expected"),
    [
        (2, "preferences", ["S09"], "S09"),
        (2, "preferences", ["S01", "S02"], "between 1 and 1 schools"),
        (2, "sex", "X", "'X'"),
        (2, "tiers", {"S01": "VIP"}, "'VIP'"),
        (2, "category", "vip", "'vip'"),
        (2, "private_digest", "ABC", "'ABC'"),
        (2, "application", "A000", "is not after the line before"),
        (2, "application", "A 2", "'A 2'"),
        (2, "masked_name", None, "masked_name"),
        (2, "masked_name", "张三丰", "masked name"),
        (2, "masked_name", "John Smith", "masked name"),
        (2, "masked_id", "110101201501010012", "masked ID"),
        (2, "masked_id", "1101**********001x", "masked ID"),
        (2, "preferences", [["S01"]], "line 3"),
    ],
)
def test_record_rule_names_line_field_and_value(
    index: int, key: str, value: object, expected: str
) -> None:
    records = copy.deepcopy(RECORDS)
    records[index][key] = value
    with pytest.raises(CheckFailed) as caught:
        parse_records(_lines(records), parse_manifest(MANIFEST))
    assert "line 3" in str(caught.value) and expected in str(caught.value)


def test_group_of_one_and_groups_with_different_preferences() -> None:
    manifest = parse_manifest(MANIFEST)
    records = copy.deepcopy(RECORDS)
    records[0]["group"] = "G1"
    with pytest.raises(CheckFailed, match="group G1 has 1 member"):
        build_units(parse_records(_lines(records), manifest))
    records[1]["group"] = "G1"
    records[1]["preferences"] = ["S03"] if records[0]["preferences"] != ["S03"] else ["S01"]
    with pytest.raises(CheckFailed, match="group G1: A001 has other preferences"):
        build_units(parse_records(_lines(records), manifest))


def test_valid_records_make_units_sorted_by_key() -> None:
    records = copy.deepcopy(RECORDS)
    for index in (3, 4):
        records[index]["group"] = "T1"
        records[index]["preferences"] = ["S02"]
        records[index]["category"] = None
    manifest = parse_manifest(MANIFEST)
    units = build_units(parse_records(_lines(records), manifest))
    assert len(units) == len(records) - 1
    assert [u.key for u in units] == sorted(u.key for u in units)
    twins = next(u for u in units if u.key == "g:T1")
    assert (twins.size, [m.application for m in twins.members]) == (2, ["A003", "A004"])
