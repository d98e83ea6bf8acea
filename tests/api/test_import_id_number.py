"""GB 11643 ID numbers: shape, check character, birth date, sex."""

from __future__ import annotations

import datetime

import pytest
from import_corpus.builders import iso7064_check, make_id

from api.importing.id_number import check_digit, parse_id_number
from api.importing.report import InvalidValue


@pytest.mark.parametrize(
    ("id_number", "sex", "birth_date"),
    [
        # The two worked examples printed in GB 11643-1999.
        ("11010519491231002X", "F", datetime.date(1949, 12, 31)),
        ("440524188001010014", "M", datetime.date(1880, 1, 1)),
    ],
)
def test_examples_from_the_standard(id_number: str, sex: str, birth_date: datetime.date) -> None:
    facts = parse_id_number(id_number)
    assert (facts.sex, facts.birth_date) == (sex, birth_date)


def test_check_digit_agrees_with_iso7064_formulation_on_every_remainder() -> None:
    """All eleven check characters (0-9 and X) are reached and agree with MOD 11-2."""
    seen = set()
    for sequence in range(300):
        first_17 = f"11010520130307{sequence:03d}"
        assert check_digit(first_17) == iso7064_check(first_17)
        seen.add(check_digit(first_17))
    assert seen == set("0123456789X")


def test_sex_comes_from_the_seventeenth_digit() -> None:
    assert parse_id_number(make_id(sequence="001")).sex == "M"
    assert parse_id_number(make_id(sequence="998")).sex == "F"


def _messages(id_number: str) -> list[str]:
    with pytest.raises(InvalidValue) as caught:
        parse_id_number(id_number)
    return [message.en for message in caught.value.messages]


def test_wrong_check_digit_says_what_was_expected() -> None:
    good = make_id()
    bad = good[:17] + ("3" if good[17] != "3" else "4")
    assert _messages(bad) == [f"check digit should be {good[17]}, found {bad[17]}"]


def test_impossible_birth_date_and_wrong_check_are_both_reported() -> None:
    first_17 = "11010520130230123"  # 30 February
    wrong = "0" if iso7064_check(first_17) != "0" else "1"
    messages = _messages(first_17 + wrong)
    assert any("20130230" in m and "not a real date" in m for m in messages)
    assert any(m.startswith("check digit should be") for m in messages)


def test_impossible_date_with_correct_check_digit_is_still_rejected() -> None:
    assert "not a real date" in _messages(make_id(birth="20131301"))[0]


@pytest.mark.parametrize(
    ("id_number", "fragment"),
    [
        ("", "empty"),
        ("1101052013030712", "found 16 characters"),
        ("11010520130307123Y", "17 digits then a digit or X"),
        ("110105130307123", "15-digit first-generation"),
        ("1.10105E+17", "stored as a number"),
    ],
)
def test_malformed_shapes(id_number: str, fragment: str) -> None:
    assert fragment in _messages(id_number)[0]
