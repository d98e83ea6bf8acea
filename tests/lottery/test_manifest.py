"""Manifest validity, protocol §6.3, and records against the rules (§4): every error named."""

from __future__ import annotations

import contextlib
import copy
import dataclasses

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sample_draws import (
    MAINNET,
    QUICKNET,
    QUICKNET_ROUND,
    SEALED_AT,
    Child,
    plain_school,
    rules_for,
    seal_test_draw,
    tiers,
)

from lottery import (
    DRAND_CHAINS,
    AuditHead,
    Beacon,
    BeaconSource,
    ClassPolicy,
    InvalidRecord,
    InvalidRules,
    LotteryError,
    Replaces,
    ReservedSeats,
    School,
    UnsupportedVersion,
    canonical_json,
    check_beacon_registration,
    drand_round_time,
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
    with pytest.raises(UnsupportedVersion, match="sunshine-draw/1"):
        manifest_from_document({**document, "protocol": "sunshine-draw/1"})
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


# --- version 2: witness keys, beacon bound to time, audit head, replaces (§6.3, §7.2) ---------

SEALED = seal_test_draw(rules_for([plain_school(3)]), [Child("A1")])


def _witness_key(index: int, public_key: str) -> object:
    witnesses = list(SEALED.manifest.witnesses)
    witnesses[index] = dataclasses.replace(witnesses[index], public_key=public_key)
    return dataclasses.replace(SEALED.manifest, witnesses=tuple(witnesses))


def test_witness_key_equal_to_the_signing_key_is_refused() -> None:
    manifest = _witness_key(1, SEALED.manifest.signing_key.public_key)
    with pytest.raises(InvalidRules, match="witness W2: public_key is the bureau's signing key"):
        validate_manifest(manifest)  # type: ignore[arg-type]


def test_witness_keys_are_distinct_and_strict() -> None:
    manifest = _witness_key(2, SEALED.manifest.witnesses[0].public_key)
    with pytest.raises(InvalidRules, match="witness W3: public_key is also the key of witness W1"):
        validate_manifest(manifest)  # type: ignore[arg-type]
    identity = "01" + "00" * 31
    with pytest.raises(InvalidRules, match=r"witness W1: public_key .* small order"):
        validate_manifest(_witness_key(0, identity))  # type: ignore[arg-type]
    with pytest.raises(InvalidRules, match="not 64 lowercase hex"):
        validate_manifest(_witness_key(0, "AB" * 32))  # type: ignore[arg-type]


def _quicknet(round_: int, at: str | None = None) -> BeaconSource:
    return BeaconSource(
        source=f"drand:{QUICKNET}",
        round=str(round_),
        format="hex64",
        at=at or drand_round_time(QUICKNET, round_),
    )


@pytest.mark.parametrize(
    ("beacon", "message"),
    [
        (None, "version 2 requires a beacon"),
        (
            Beacon(_quicknet(QUICKNET_ROUND - 1200)),  # one hour earlier: 02:00, at sealing
            r"beacon.at 2026-07-01T02:00:00Z is not later than draw.sealed_at",
        ),
        (
            Beacon(BeaconSource("drand:" + "ab" * 32, "5", "hex64", "2026-07-02T00:00:00Z")),
            "is not a drand chain of Appendix A",
        ),
        (
            Beacon(_quicknet(QUICKNET_ROUND, at="2026-07-01T03:00:30Z")),
            r"round 30023812 of drand chain 52db9ba70e0cc0f6\.\.\. .* is published at "
            "2026-07-01T03:00:00Z",
        ),
        (
            Beacon(dataclasses.replace(_quicknet(QUICKNET_ROUND), round="030023812")),
            "without leading zeros",
        ),
        (
            Beacon(dataclasses.replace(_quicknet(QUICKNET_ROUND), format="decimal")),
            "a drand value is hex64",
        ),
        (
            Beacon(
                _quicknet(QUICKNET_ROUND),
                BeaconSource("SSE closing", "2026-07-01", "decimal", "2026-07-01T03:00:00Z"),
            ),
            "fallback.at 2026-07-01T03:00:00Z is not later than the primary's",
        ),
        (
            Beacon(BeaconSource("SSE closing", "2026-07-01", "base64", "2026-07-01T07:00:00Z")),
            "format 'base64'",
        ),
        (
            Beacon(BeaconSource("SSE closing", "2026-07-01", "decimal", "2026-07-01 07:00")),
            "beacon.at",
        ),
    ],
)
def test_beacon_registration_errors(beacon: Beacon | None, message: str) -> None:
    with pytest.raises(InvalidRules, match=message):
        validate_manifest(dataclasses.replace(SEALED.manifest, beacon=beacon))  # type: ignore[arg-type]
    with pytest.raises(InvalidRules, match=message):
        check_beacon_registration(beacon, SEALED_AT)


def test_drand_round_times_follow_appendix_a() -> None:
    assert drand_round_time(QUICKNET, 1) == "2023-08-23T15:09:27Z"
    assert drand_round_time(MAINNET, 1) == "2020-07-22T15:17:30Z"
    assert drand_round_time(MAINNET, 3) == "2020-07-22T15:18:30Z"
    assert DRAND_CHAINS[MAINNET].chained and not DRAND_CHAINS[QUICKNET].chained
    with pytest.raises(InvalidRules, match="not a chain of Appendix A"):
        drand_round_time("00" * 32, 1)
    with pytest.raises(InvalidRules, match="beyond any time"):
        drand_round_time(QUICKNET, 10**15)


def test_seal_refuses_a_beacon_already_public() -> None:
    early = Beacon(_quicknet(QUICKNET_ROUND - 1200))
    with pytest.raises(InvalidRules, match=r"not later than draw.sealed_at"):
        from sample_draws import record_for, registered, signing_test_key, witnesses_for

        from lottery import seal

        seal(
            rules=rules_for([plain_school(3)]),
            records=[record_for(Child("A1"))[1]],
            witnesses=registered("TEST-2026", witnesses_for("test", 3)),
            min_reveals=3,
            beacon=early,
            signing_key=signing_test_key(),
            sealed_at=SEALED_AT,
        )


def test_audit_head_and_replaces_round_trip() -> None:
    manifest = dataclasses.replace(
        SEALED.manifest,
        audit=AuditHead(seq=4, hash="ab" * 32),
        replaces=Replaces(manifest="cd" * 32, reason="witness W2 did not co-sign"),
    )
    document = manifest_document(manifest)
    assert document["audit"] == {"seq": 4, "hash": "ab" * 32}
    assert document["replaces"]["reason"] == "witness W2 did not co-sign"
    assert manifest_from_document(document) == manifest
    with pytest.raises(InvalidRules, match=r"audit.seq 0"):
        validate_manifest(dataclasses.replace(manifest, audit=AuditHead(seq=0, hash="ab" * 32)))
    with pytest.raises(InvalidRules, match=r"replaces.manifest"):
        validate_manifest(dataclasses.replace(manifest, replaces=Replaces("x", "why")))
