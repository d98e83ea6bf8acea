"""Witness commitments, reveals, beacon and seed, protocol §7."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sample_draws import Ceremonial, Child, derive, plain_school, rules_for, seal_test_draw

from lottery import BeaconValue, CeremonyError, ceremony_document, form_seed, witness_commitment
from lottery.reading import ceremony_from_document

SEALED = seal_test_draw(
    rules_for([plain_school(2)]),
    [Child("A1"), Child("A2")],
    label="ceremony",
    how=Ceremonial(min_reveals=2, fallback=True),
)
SECRETS = {f"W{i}": derive(f"ceremony/witness/{i}") for i in (1, 2, 3)}
BEACON = BeaconValue(used="primary", value="ab" * 32)


def test_commitment_binds_witness_and_secret() -> None:
    secret = bytes(range(32))
    assert witness_commitment("W1", secret) != witness_commitment("W2", secret)
    assert witness_commitment("W1", secret) != witness_commitment("W1", bytes(32))
    with pytest.raises(CeremonyError, match="31 bytes"):
        witness_commitment("W1", bytes(31))


def test_reveal_not_matching_commitment() -> None:
    with pytest.raises(CeremonyError, match="witness W2: revealed secret does not match"):
        form_seed(SEALED.manifest, {**SECRETS, "W2": bytes(32)}, BEACON)


def test_missing_reveals_below_min_reveals() -> None:
    form_seed(SEALED.manifest, {"W1": SECRETS["W1"], "W3": SECRETS["W3"]}, BEACON)
    with pytest.raises(CeremonyError, match="1 of 3 witnesses revealed, the policy requires 2"):
        form_seed(SEALED.manifest, {"W1": SECRETS["W1"], "W2": None}, BEACON)


def test_reveal_from_a_stranger() -> None:
    with pytest.raises(CeremonyError, match="'W9', who is not a witness"):
        form_seed(SEALED.manifest, {**SECRETS, "W9": bytes(32)}, BEACON)


@pytest.mark.parametrize(
    ("beacon", "message"),
    [
        (None, "its value is required"),
        (BeaconValue(used="primary", value="AB" * 32), "not in format hex64"),
        (BeaconValue(used="primary", value="ab" * 31), "not in format hex64"),
        (BeaconValue(used="fallback", value="3012.4x"), "not in format decimal"),
        (BeaconValue(used="fallback", value="03012.4"), "not in format decimal"),
        (BeaconValue(used="sideways", value="1"), "'sideways'"),  # type: ignore[arg-type]
    ],
)
def test_beacon_errors(beacon: BeaconValue | None, message: str) -> None:
    with pytest.raises(CeremonyError, match=message):
        form_seed(SEALED.manifest, SECRETS, beacon)


def test_fallback_must_be_declared_and_beacon_must_be_registered() -> None:
    no_fallback = dataclasses.replace(
        SEALED.manifest,
        beacon=dataclasses.replace(SEALED.manifest.beacon, fallback=None),  # type: ignore[type-var]
    )
    with pytest.raises(CeremonyError, match="fallback used, but the manifest declares none"):
        form_seed(no_fallback, SECRETS, BeaconValue(used="fallback", value="1.5"))
    no_beacon = dataclasses.replace(SEALED.manifest, beacon=None)
    with pytest.raises(CeremonyError, match="registers no beacon"):
        form_seed(no_beacon, SECRETS, BEACON)
    form_seed(SEALED.manifest, SECRETS, BeaconValue(used="fallback", value="0"))


def test_ceremony_document_round_trips() -> None:
    ceremony = form_seed(SEALED.manifest, {**SECRETS, "W2": None}, BEACON)
    document = ceremony_document(ceremony)
    assert document["reveals"][1] == {"secret": None, "witness": "W2"}
    assert ceremony_from_document(document, SEALED.manifest) == ceremony
    with pytest.raises(CeremonyError, match=r"ceremony\.seed"):
        ceremony_from_document({**document, "seed": "0" * 64}, SEALED.manifest)


@settings(max_examples=60, deadline=None)
@given(
    witness=st.sampled_from(["W1", "W2", "W3"]),
    byte=st.integers(0, 31),
    bit=st.integers(0, 7),
    beacon_flip=st.integers(0, 63),
)
def test_any_changed_input_changes_the_seed(
    witness: str, byte: int, bit: int, beacon_flip: int
) -> None:
    # A changed secret cannot pass its commitment, so compare seeds with that witness's reveal
    # withheld against revealed: each reveal and the beacon change the seed.
    base = form_seed(SEALED.manifest, SECRETS, BEACON).seed
    withheld = form_seed(SEALED.manifest, {**SECRETS, witness: None}, BEACON).seed
    assert withheld != base
    flipped = bytearray(SECRETS[witness])
    flipped[byte] ^= 1 << bit
    with pytest.raises(CeremonyError):
        form_seed(SEALED.manifest, {**SECRETS, witness: bytes(flipped)}, BEACON)
    value = list(BEACON.value)
    value[beacon_flip] = "0" if value[beacon_flip] != "0" else "1"
    other = form_seed(SEALED.manifest, SECRETS, BeaconValue(used="primary", value="".join(value)))
    assert other.seed != base
