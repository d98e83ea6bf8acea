"""Manifest validity, protocol §6.3, and records against the rules (§4): every error named."""

from __future__ import annotations

import contextlib
import copy
import dataclasses

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sample_draws import Child, plain_school, rules_for, seal_test_draw, tiers

from lottery import (
    ClassPolicy,
    InvalidRecord,
    InvalidRules,
    LotteryError,
    ReservedSeats,
    School,
    UnsupportedVersion,
    canonical_json,
    manifest_document,
    manifest_from_document,
    validate_manifest,
    validate_rules,
)

MANIFEST_DOCUMENT = manifest_document(
    seal_test_draw(
        rules_for(
            [
                School(
                    "S01",
                    "School",
                    40,
                    tiers("T1", "T2"),
                    (ReservedSeats("MIG", 4),),
                    "primary",
                    ClassPolicy(2, 45, "apart"),
                )
            ],
            categories=["MIG"],
        ),
        [Child("A1")],
    ).manifest
)


def _school(**changes: object) -> School:
    base = School(
        id="S03",
        name="School 3",
        seats=40,
        tiers=tiers("T1", "T2"),
        reserved=(ReservedSeats("MIG", 4),),
        level="primary",
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("school", "message"),
    [
        (_school(seats=0), "school S03: seats 0 must be a whole number >= 1"),
        (_school(seats=-5), "seats -5"),
        (_school(seats=True), "seats True"),
        (
            _school(reserved=(ReservedSeats("MIG", 50),)),
            "school S03: reserved seats 50 exceed seats 40",
        ),
        (_school(reserved=(ReservedSeats("MIG", 0),)), "reserved seats 0"),
        (_school(reserved=(ReservedSeats("XX", 1),)), "reserved category 'XX' is not declared"),
        (_school(reserved=(ReservedSeats("MIG", 1), ReservedSeats("MIG", 1))), "appears twice"),
        (_school(tiers=()), "no tiers"),
        (_school(tiers=tiers("T1", "T1")), "repeat"),
        (_school(id="S 3"), "not an identifier"),
        (_school(level="senior"), "level 'senior'"),
        (_school(classes=ClassPolicy(None, 46, "apart")), "max_size 46 must be 1 to 45"),
        (_school(classes=ClassPolicy(0, 40, "apart")), "count 0"),
        (_school(classes=ClassPolicy(None, 45, "sideways")), "twins 'sideways'"),
    ],
)
def test_school_errors(school: School, message: str) -> None:
    with pytest.raises(InvalidRules, match=message):
        validate_rules(rules_for([school], categories=["MIG"]))


def test_class_size_cap_uses_seats_over_count() -> None:
    school = _school(seats=100, reserved=(), classes=ClassPolicy(2, 45, "apart"))
    with pytest.raises(InvalidRules, match="100 seats in 2 classes makes classes of 50"):
        validate_rules(rules_for([school]))
    junior = _school(seats=100, reserved=(), level="junior", classes=ClassPolicy(2, 50, "apart"))
    validate_rules(rules_for([junior]))


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"mode": "lottery"}, "mode 'lottery'"),
        ({"tie_breaking": "random"}, "tie_breaking"),
        ({"max_preferences": 2}, "must be 1 in single_school_lottery"),
        ({"max_preferences": 0}, "max_preferences 0"),
        ({"schools": ()}, "at least one school"),
        ({"schools": (plain_school(1, "S02"), plain_school(1, "S01"))}, "strictly increasing"),
        ({"schools": (plain_school(1, "S01"), plain_school(1, "S01"))}, "strictly increasing"),
        ({"draw_id": "draw 1"}, "draw id"),
        ({"group_policy": "split"}, "group_policy"),
    ],
)
def test_rules_errors(changes: dict[str, object], message: str) -> None:
    rules = dataclasses.replace(rules_for([plain_school(3)]), **changes)  # type: ignore[arg-type]
    with pytest.raises(InvalidRules, match=message):
        validate_rules(rules)


@pytest.mark.parametrize(
    ("child", "message"),
    [
        (Child("A9", preferences=("S99",)), "application A9: preference 'S99' is not a school"),
        (Child("A9", preferences=()), "lists 0 schools; single_school_lottery needs 1"),
        (Child("A9", tiers={"S01": "T9"}), "tier 'T9' is not a tier of school S01"),
        (Child("A9", tiers={"S77": "G"}), "tiers names school 'S77'"),
        (Child("A9", category="VET"), "category 'VET' is not declared"),
    ],
)
def test_record_errors_at_sealing(child: Child, message: str) -> None:
    with pytest.raises(InvalidRecord, match=message):
        seal_test_draw(rules_for([plain_school(3)]), [Child("A1"), child])


def test_duplicate_application_number_at_sealing() -> None:
    with pytest.raises(InvalidRecord, match="'A1' appears twice"):
        seal_test_draw(rules_for([plain_school(3)]), [Child("A1"), Child("A2"), Child("A1")])


def test_manifest_round_trips_and_version_is_checked() -> None:
    sealed = seal_test_draw(rules_for([plain_school(3)]), [Child("A1")])
    document = manifest_document(sealed.manifest)
    assert manifest_from_document(document) == sealed.manifest
    with pytest.raises(UnsupportedVersion, match="sunshine-draw/2"):
        manifest_from_document({**document, "protocol": "sunshine-draw/2"})
    with pytest.raises(InvalidRules, match="unexpected \\['extra'\\]"):
        manifest_from_document({**document, "extra": 1})
    assert canonical_json(document)  # encodable


def test_manifest_level_checks() -> None:
    sealed = seal_test_draw(rules_for([plain_school(3)]), [Child("A1")])
    manifest = sealed.manifest
    with pytest.raises(InvalidRules, match="min_reveals 4 must be 1 to 3"):
        validate_manifest(dataclasses.replace(manifest, min_reveals=4))
    with pytest.raises(InvalidRules, match="min_reveals 0"):
        validate_manifest(dataclasses.replace(manifest, min_reveals=0))
    with pytest.raises(InvalidRules, match="at least one witness"):
        validate_manifest(dataclasses.replace(manifest, witnesses=()))
    with pytest.raises(InvalidRules, match="sealed_at"):
        validate_manifest(dataclasses.replace(manifest, sealed_at="2026-07-01 02:00"))
    key = dataclasses.replace(manifest.signing_key, fingerprint="0" * 64)
    with pytest.raises(InvalidRules, match="not the key's fingerprint"):
        validate_manifest(dataclasses.replace(manifest, signing_key=key))


_JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-3, 3) | st.text(max_size=4),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner, max_size=3)
    ),
    max_leaves=5,
)


def _paths(value: object, path: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    found = [path]
    if isinstance(value, dict):
        for key, child in value.items():
            found += _paths(child, (*path, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            found += _paths(child, (*path, index))
    return found


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_any_mangled_manifest_gives_a_lottery_error(data: st.DataObject) -> None:
    document = copy.deepcopy(MANIFEST_DOCUMENT)
    path = data.draw(st.sampled_from(_paths(document)[1:]))
    target = document
    for step in path[:-1]:
        target = target[step]  # type: ignore[index]
    target[path[-1]] = data.draw(_JSON_VALUES)  # type: ignore[index]
    # Either it is still valid, or a specific LotteryError says why; never a crash.
    with contextlib.suppress(LotteryError):
        manifest_from_document(document)
