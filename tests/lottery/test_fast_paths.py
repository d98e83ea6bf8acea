"""The fast paths of the draw give exactly the bytes and numbers of the plain definitions.

Batch lottery numbers (§8.2, §8.3, §10.5) equal the one-at-a-time functions; the results JCS
assembled from parts (§12.3) equals `rfc8785` on real draws of every mode; the part encoders
equal `rfc8785` on strings that need escaping, and fall back to it.
"""

from __future__ import annotations

import gc
from dataclasses import replace
from itertools import pairwise
from typing import Any
from unittest import mock

import numpy as np
import pytest
import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st
from sample_draws import (
    Ceremonial,
    Child,
    rules_for,
    run_test_draw,
    seal_test_draw,
    signing_test_key,
    tiers,
)

from lottery import (
    ClassPolicy,
    EncodingError,
    ReservedSeats,
    School,
    byte_rows,
    canonical_parts,
    rehearse,
    results_json,
    tagged_hash,
)
from lottery import results as results_module
from lottery import tickets as ticket_module
from lottery.byte_rows import hex16_column, join_rows, plain_column
from lottery.canonical_parts import array_of, is_plain, object_of
from lottery.draw import _without_gc_pauses
from lottery.encoding import canonical_items, canonical_json
from lottery.results import _hex16_all, encode_results, results_document
from lottery.results_json import applicant_rows_json, string_arrays_json
from lottery.tickets import (
    hex16,
    school_ticket,
    school_ticket_array,
    ticket,
    ticket_array,
    tickets_for_keys,
    zone_order,
    zone_order_array,
)
from lottery.units import build_problem

SEED = bytes(range(32))
_identifier = st.text(
    st.sampled_from("ABCXYZabcxyz0189._-"), min_size=1, max_size=12
)  # §1.3 alphabet
_any_text = st.text(st.characters(exclude_categories=("Cs",)), max_size=8)


# --- lottery numbers in batches ---------------------------------------------------------------


@settings(max_examples=40, deadline=None)
@given(st.lists(_any_text.map(lambda t: "a:" + t), max_size=40), st.integers(1, 7))
def test_ticket_array_equals_ticket(keys: list[str], chunk: int) -> None:
    with mock.patch.object(ticket_module, "_CHUNK", chunk):
        numbers = ticket_array(SEED, keys)
        assert numbers.dtype == np.uint64
        assert numbers.tolist() == [ticket(SEED, k) for k in keys]
        assert tickets_for_keys(SEED, keys) == [ticket(SEED, k) for k in keys]


@settings(max_examples=40, deadline=None)
@given(
    st.lists(_any_text, min_size=1, max_size=6, unique=True),
    st.lists(_any_text, min_size=1, max_size=5, unique=True),
    st.data(),
    st.integers(1, 7),
)
def test_pair_arrays_equal_the_scalar_functions(
    keys: list[str], schools: list[str], data: st.DataObject, chunk: int
) -> None:
    pairs = data.draw(
        st.lists(st.tuples(st.integers(0, len(keys) - 1), st.integers(0, len(schools) - 1)))
    )
    units = np.array([u for u, _ in pairs], dtype=np.int64)
    at = np.array([s for _, s in pairs], dtype=np.int64)
    with mock.patch.object(ticket_module, "_CHUNK", chunk):
        by_school = school_ticket_array(SEED, keys, schools, units, at).tolist()
        by_zone = zone_order_array(SEED, keys, schools, units, at).tolist()
    assert by_school == [school_ticket(SEED, keys[u], schools[s]) for u, s in pairs]
    assert by_zone == [zone_order(SEED, keys[u], schools[s]) for u, s in pairs]


def test_pair_arrays_refuse_mismatched_lengths() -> None:
    with pytest.raises(ValueError, match="2 units but 1 schools"):
        school_ticket_array(SEED, ["a:A"], ["S"], np.zeros(2, np.int64), np.zeros(1, np.int64))


# --- the part encoders ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("strings", "plain"),
    [
        (["A001", "b.c_d-e", " !#~[]{}"], True),
        ([], True),
        (["A001", 'quote"'], False),
        (["back\\slash"], False),
        (["tab\t"], False),
        (["del\x7f"], False),
        (["\u00e9"], False),
        (["\u2028"], False),
        (["A", None], False),
        (["A", 1], False),
    ],
)
def test_is_plain(strings: list[object], plain: bool) -> None:
    assert is_plain(strings) is plain


def test_object_of_sorts_keys_and_refuses_non_ascii_keys() -> None:
    members = {"b": b"1", "a": b'"x"', "A": b"[]"}
    assert object_of(members) == rfc8785.dumps({"b": 1, "a": "x", "A": []})
    assert array_of([b"1", b"null"]) == b"[1,null]"
    with pytest.raises(EncodingError, match="not ASCII"):
        object_of({"\u00e9": b"1"})


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.recursive(
            st.none() | st.integers(-(2**53) + 1, 2**53 - 1) | _any_text,
            lambda inner: (
                st.lists(inner, max_size=3)
                | st.dictionaries(
                    st.text(st.characters(codec="ascii"), max_size=3), inner, max_size=3
                )
            ),
            max_leaves=8,
        ),
        max_size=6,
    )
)
def test_canonical_items_equal_rfc8785(items: list[Any]) -> None:
    assert canonical_items(items) == [rfc8785.dumps(item) for item in items]


def test_canonical_items_check_every_item() -> None:
    with pytest.raises(EncodingError):
        canonical_items([1, [2, 2.5]])
    with pytest.raises(EncodingError):
        canonical_items(["ok", 2**53])


_plain_text = st.text(
    st.characters(min_codepoint=0x20, max_codepoint=0x7E, exclude_characters='"\\'), max_size=7
)
_OUTCOMES = [("admitted", "S01", "open"), ("waitlisted", None, None), ("unplaced", None, None)]


@settings(max_examples=80, deadline=None)
@given(st.lists(_plain_text, max_size=12), st.data(), st.integers(1, 5))
def test_byte_rows_are_the_concatenation_of_their_segments(
    strings: list[str], data: st.DataObject, rows_per_block: int
) -> None:
    with mock.patch.object(byte_rows, "_ROWS_PER_BLOCK", rows_per_block):
        _check_byte_rows(strings, data)
    assert join_rows(2, [b"ab"], opening=b"[", closing=b"]", skip=1) == b"[bab]"


def _check_byte_rows(strings: list[str], data: st.DataObject) -> None:
    n = len(strings)
    numbers = data.draw(st.lists(st.integers(0, 2**64 - 1), min_size=n, max_size=n))
    column = plain_column(strings)
    expected = b"".join(
        b"<" + text.encode() + b"|" + hex16(number).encode() + b">"
        for text, number in zip(strings, numbers, strict=True)
    )
    hexes = hex16_column(np.array(numbers, dtype=np.uint64))
    assert join_rows(n, [b"<", column, b"|", hexes, b">"]) == expected
    index = data.draw(st.lists(st.integers(0, n - 1), max_size=8)) if n else []
    taken = column.take(np.array(index, dtype=np.int64))
    assert join_rows(len(index), [taken, b","]) == b"".join(
        strings[i].encode() + b"," for i in index
    )


@settings(max_examples=80, deadline=None)
@given(st.lists(_plain_text, max_size=12), st.data())
def test_applicant_rows_json_equals_rfc8785(applications: list[str], data: st.DataObject) -> None:
    n = len(applications)
    numbers = data.draw(st.lists(_plain_text, min_size=n, max_size=n))
    outcome = np.array(
        data.draw(st.lists(st.integers(0, 2), min_size=n, max_size=n)), dtype=np.int64
    )
    rows = [[a, b, *_OUTCOMES[k]] for a, b, k in zip(applications, numbers, outcome, strict=True)]
    encoded = applicant_rows_json(
        plain_column(applications), plain_column(numbers), outcome, _OUTCOMES
    )
    assert encoded == rfc8785.dumps(rows)


@settings(max_examples=80, deadline=None)
@given(st.lists(_plain_text, min_size=1, max_size=12), st.data())
def test_string_arrays_json_equals_rfc8785(strings: list[str], data: st.DataObject) -> None:
    lists = data.draw(st.lists(st.lists(st.integers(0, len(strings) - 1), max_size=6), max_size=5))
    encoded = string_arrays_json(
        plain_column(strings), [np.array(items, dtype=np.int64) for items in lists]
    )
    assert encoded == [rfc8785.dumps([strings[i] for i in items]) for items in lists]


def test_byte_columns_refuse_what_they_cannot_hold() -> None:
    with pytest.raises(ValueError, match="3 strings expected, 4 found"):
        plain_column(["A1", "A\n2", "A3"])
    with pytest.raises(ValueError, match="a column of 2 rows among 3 rows"):
        join_rows(3, [b"x", plain_column(["A", "B"])])
    assert join_rows(0, [b"x"]) == b""
    assert len(plain_column([])) == 0


def test_big_results_take_no_generic_encoder() -> None:
    schools = [_school("S01", 5, classes=ClassPolicy(count=None, max_size=40, twins="apart"))]
    children = [Child(f"A{i:05d}", tiers={"S01": "T1"} if i % 7 == 0 else {}) for i in range(3000)]

    def small_only(document: object) -> bytes:
        big = isinstance(document, list | tuple) and len(document) > 10
        assert not big, "generic path for a big array"
        return canonical_json(document)

    with (
        mock.patch.object(results_module, "canonical_json", side_effect=small_only),
        mock.patch.object(results_json, "canonical_json", side_effect=small_only),
        mock.patch.object(canonical_parts, "canonical_json", side_effect=small_only),
    ):
        result = run_test_draw(rules_for(schools), children, how=Ceremonial(beacon="decimal"))
    assert len(result.results["schools"][0]["waitlist"]) == 2995
    assert result.results_json == rfc8785.dumps(result.results)


def test_results_of_application_numbers_that_are_not_plain_are_encoded_whole() -> None:
    # §1.3 identifiers are always plain; the generic path is there should that ever change.
    schools = [_school("S01", 2, classes=ClassPolicy(count=None, max_size=40, twins="apart"))]
    children = [Child(f"A{i:02d}") for i in range(5)]
    result = run_test_draw(rules_for(schools), children, how=Ceremonial(beacon="decimal"))
    odd = ['A"0', "A\\1", "A\t2", "\u00e93", "A4"]
    problem = replace(result.problem, applicant_ids=tuple(odd))
    arguments: dict[str, Any] = {
        "manifest": result.sealed.manifest,
        "manifest_digest": bytes(32),
        "ceremony_digest": bytes(32),
        "problem": problem,
        "allocation": result.allocation,
    }
    document = results_document(**arguments)
    assert {row[0] for row in document["applicants"]} == set(odd)
    assert encode_results(**arguments) == rfc8785.dumps(document)


# --- the whole results document, on real draws -----------------------------------------------


def _school(sid: str, seats: int, **extra: Any) -> School:
    return School(id=sid, name=f"School {sid} 学校", seats=seats, tiers=tiers("T1", "T2"), **extra)


def _single_school_draw() -> Any:
    classes = ClassPolicy(count=None, max_size=3, twins="apart")
    schools = [_school("S01", 7, reserved=(ReservedSeats("MIG", 2),), classes=classes)]
    children = [
        Child(
            f"A{i:03d}",
            tiers={"S01": "T1"} if i % 5 == 0 else {},
            category="MIG" if i % 4 == 0 else None,
            sex="M" if i % 3 else "F",
        )
        for i in range(20)
    ]
    children += [Child(f"B{i:03d}", group="G1") for i in range(3)]
    return rules_for(schools, categories=["MIG"]), children


def _multi_school_draw(mode: str, tie_breaking: str) -> Any:
    schools = [_school(f"S{s:02d}", 6 + s) for s in range(4)]
    children = []
    for i in range(30):
        if mode == "zone_assignment":
            prefs: tuple[str, ...] = ()
        else:
            prefs = tuple(f"S{(i + k) % 4:02d}" for k in range(1 + i % 3))
        group = "G7" if i in (7, 8) else None
        if group:
            prefs = prefs if mode == "zone_assignment" else ("S01", "S02")
        children.append(
            Child(
                f"A{i:03d}",
                preferences=prefs,
                tiers={"S02": "T1"} if i % 6 == 0 else {},
                group=group,
            )
        )
    rules = rules_for(schools, mode=mode, tie_breaking=tie_breaking, max_preferences=3)  # type: ignore[arg-type]
    return rules, children


DRAWS = {
    "single-school": _single_school_draw,
    "da-single": lambda: _multi_school_draw("deferred_acceptance", "single"),
    "da-multiple": lambda: _multi_school_draw("deferred_acceptance", "multiple"),
    "ia-multiple": lambda: _multi_school_draw("immediate_acceptance", "multiple"),
    "zone": lambda: _multi_school_draw("zone_assignment", "single"),
}


@pytest.mark.parametrize("name", sorted(DRAWS))
def test_results_json_equals_rfc8785_on_real_draws(name: str) -> None:
    rules, children = DRAWS[name]()
    result = run_test_draw(rules, children, how=Ceremonial(beacon="decimal"))
    assert result.results_json == rfc8785.dumps(result.results)
    assert result.results_json == canonical_json(result.results)
    rehearsal, signature = rehearse(result.sealed, "practice 1", signing_test_key())
    assert signature["digest"] == tagged_hash("results", rfc8785.dumps(rehearsal)).hex()


# --- lottery numbers as published, and the collector ------------------------------------------


@settings(max_examples=30, deadline=None)
@given(st.lists(st.integers(0, 2**64 - 1), max_size=20))
def test_hex16_of_every_number(numbers: list[int]) -> None:
    array = np.array(numbers, dtype=np.uint64)
    assert _hex16_all(array) == [hex16(n) for n in numbers]


def test_the_collector_is_restored_after_a_draw() -> None:
    assert gc.isenabled()
    with _without_gc_pauses():
        assert not gc.isenabled()
    assert gc.isenabled() and gc.get_freeze_count() == 0


def test_objects_frozen_by_someone_else_stay_frozen() -> None:
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        with _without_gc_pauses():
            made = [[i] for i in range(100)]
        assert gc.get_freeze_count() == frozen and gc.isenabled() and len(made) == 100
    finally:
        gc.unfreeze()


# --- build_problem against a plain reading of §8 ----------------------------------------------


def _reference_problem(
    records: list[Any], school_ids: list[str], tier_ids: list[str]
) -> dict[str, Any]:
    """Units, numbers, lists and ranks of §8.1-§8.4, one record at a time."""
    unit_of = {
        r.application: ("a:" + r.application if r.group is None else "g:" + r.group)
        for r in records
    }
    keys = sorted(set(unit_of.values()))
    index = {k: i for i, k in enumerate(keys)}
    first = {k: next(r for r in records if unit_of[r.application] == k) for k in keys}
    ranks: dict[tuple[int, int], int] = {}
    for r in records:
        for school, tier in r.tiers:
            at = (index[unit_of[r.application]], school_ids.index(school))
            ranks[at] = min(ranks.get(at, 99), tier_ids.index(tier))
    return {
        "unit_keys": keys,
        "applicant_unit": [index[unit_of[r.application]] for r in records],
        "unit_size": [sum(unit_of[r.application] == k for r in records) for k in keys],
        "ticket": [ticket(SEED, k) for k in keys],
        "prefs": [[school_ids.index(s) for s in first[k].preferences] for k in keys],
        "category": [-1 if first[k].category is None else 0 for k in keys],
        "ranks": sorted((u, s, v) for (u, s), v in ranks.items()),
        "male": [r.sex == "M" for r in records],
    }


@settings(max_examples=25, deadline=None)
@given(st.data())
def test_build_problem_equals_a_plain_reading(data: st.DataObject) -> None:
    school_ids = ["S00", "S01", "S02"]
    schools = [_school(s, 4) for s in school_ids]
    n = data.draw(st.integers(1, 14))
    children = []
    for i in range(n):
        group = data.draw(st.sampled_from([None, None, "G1", "G2"]))
        if sum(c.group == group for c in children) >= 8:
            group = None  # a group has at most eight members (§4.4)
        prefs = (
            ("S01", "S00")
            if group == "G1"
            else ("S02",)
            if group == "G2"
            else tuple(
                data.draw(
                    st.lists(st.sampled_from(school_ids), min_size=1, max_size=3, unique=True)
                )
            )
        )
        chosen_tiers = data.draw(
            st.dictionaries(st.sampled_from(school_ids), st.sampled_from(["T1", "T2"]))
        )
        category = (
            "MIG"
            if group == "G1"
            else data.draw(st.sampled_from([None, "MIG"]))
            if group is None
            else None
        )
        sex = data.draw(st.sampled_from(["F", "M"]))
        children.append(
            Child(
                f"A{i:03d}",
                preferences=prefs,
                tiers=chosen_tiers,
                category=category,
                group=group,
                sex=sex,
            )
        )
    for g in ("G1", "G2"):  # a group has at least two members (§4.4)
        if sum(c.group == g for c in children) == 1:
            children = [c for c in children if c.group != g]
    if not children:
        return
    rules = rules_for(schools, categories=["MIG"], mode="deferred_acceptance", max_preferences=3)
    sealed = seal_test_draw(rules, children, how=Ceremonial(beacon="decimal"))
    problem = build_problem(sealed.manifest, sealed.records, SEED)
    expected = _reference_problem(list(sealed.records), school_ids, ["T1", "T2"])
    rank_units = np.repeat(np.arange(len(problem.unit_keys)), np.diff(problem.rank_start))
    assert list(problem.unit_keys) == expected["unit_keys"]
    assert problem.applicant_unit.tolist() == expected["applicant_unit"]
    assert problem.unit_size.tolist() == expected["unit_size"]
    assert problem.ticket.tolist() == expected["ticket"]
    starts = problem.pref_start.tolist()
    prefs = problem.pref_school.tolist()
    assert [prefs[a:b] for a, b in pairwise(starts)] == expected["prefs"]
    assert problem.unit_category.tolist() == expected["category"]
    got_ranks = list(
        zip(
            rank_units.tolist(),
            problem.rank_school.tolist(),
            problem.rank_value.tolist(),
            strict=True,
        )
    )
    assert got_ranks == expected["ranks"]
    assert problem.applicant_male.tolist() == expected["male"]
    assert list(problem.applicant_ids) == [r.application for r in sealed.records]
