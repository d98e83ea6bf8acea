"""Warnings before sealing (§6.5)."""

from __future__ import annotations

from sample_draws import Child, plain_school, record_for, rules_for

from lottery import SealingWarning, sealing_warnings


def _records(children: list[Child]) -> list:  # type: ignore[type-arg]
    return [record_for(child)[1] for child in children]


def test_an_empty_list_is_warned_of() -> None:
    rules = rules_for([plain_school(2)])
    (warning,) = sealing_warnings(rules, [])
    assert warning.code == "no-applicants"
    assert "没有任何报名" in warning.message_zh and "no child" in warning.message_en


def test_a_group_larger_than_every_school_of_its_list() -> None:
    rules = rules_for(
        [plain_school(2, "S01"), plain_school(2, "S02"), plain_school(5, "S03")],
        mode="deferred_acceptance",
        max_preferences=2,
    )
    triplets = [Child(f"T00{i}", preferences=("S01", "S02"), group="T") for i in (1, 2, 3)]
    twins = [Child(f"W00{i}", preferences=("S01", "S02"), group="W") for i in (1, 2)]
    big = [Child(f"B00{i}", preferences=("S03",), group="B") for i in (1, 2, 3)]
    warnings = sealing_warnings(rules, _records(triplets + twins + big))
    assert warnings == (
        SealingWarning(
            code="group-larger-than-its-schools",
            groups=("T",),
            schools=("S01", "S02"),
            message_zh=warnings[0].message_zh,
            message_en=warnings[0].message_en,
        ),
    )
    assert "S01、S02" in warnings[0].message_zh and "3" in warnings[0].message_en


def test_a_zone_with_too_few_spare_seats() -> None:
    """§6.5 item 2: S = 2 schools of 3 seats, 4 children of whom one pair: spare 2, and
    S·(g-1) - g + 1 = 1: no warning. With 5 children (spare 1) a triple needs 2·2 - 3 + 1 = 2."""
    rules = rules_for([plain_school(3, "S01"), plain_school(3, "S02")], mode="zone_assignment")
    pair = [Child(f"P00{i}", preferences=(), group="P") for i in (1, 2)]
    singles = [Child(f"A00{i}", preferences=()) for i in (1, 2)]
    assert sealing_warnings(rules, _records(pair + singles)) == ()
    triple = [Child(f"T00{i}", preferences=(), group="T") for i in (1, 2, 3)]
    warnings = sealing_warnings(rules, _records(triple + singles))
    assert [(w.code, w.groups, w.schools) for w in warnings] == [
        ("zone-spare-seats-short", ("T",), ("S01", "S02"))
    ]
    assert "1" in warnings[0].message_en


def test_zone_group_larger_than_every_school() -> None:
    rules = rules_for([plain_school(2, "S01"), plain_school(2, "S02")], mode="zone_assignment")
    triple = [Child(f"T00{i}", preferences=(), group="T") for i in (1, 2, 3)]
    codes = [w.code for w in sealing_warnings(rules, _records(triple))]
    assert codes == ["group-larger-than-its-schools", "zone-spare-seats-short"]
