"""Canonical encoding, protocol §2: checks, both encoding paths, strict parsing."""

from __future__ import annotations

import json
from pathlib import Path
from unittest import mock

import pytest
import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st

from lottery import EncodingError, canonical_json, encoding, parse_canonical
from lottery.encoding import MAX_INT

CASES = json.loads(
    (Path(__file__).parents[1] / "vectors" / "encoding" / "cases.json").read_text("utf-8")
)


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_encoding_vector(case: dict[str, object]) -> None:
    document = json.loads(str(case["input"]))
    if case["canonical"] is None:
        with pytest.raises(EncodingError):
            canonical_json(document)
    else:
        encoded = canonical_json(document)
        assert encoded == str(case["canonical"]).encode("utf-8")
        assert parse_canonical(encoded) == document


@pytest.mark.parametrize(
    "document",
    [1.5, {"a": 1.0}, [0.0], {"a": [{"b": -0.0}]}, 2**53, -(2**53), {"a": [2**60]}, {1: "x"}],
)
def test_rejects_what_2_2_forbids(document: object) -> None:
    with pytest.raises(EncodingError):
        canonical_json(document)


def test_rejects_lone_surrogates_on_both_paths() -> None:
    with pytest.raises(EncodingError):
        canonical_json({"a": "\ud800"})
    big = {"rows": [["x"] * 10 for _ in range(300)] + [["\udc00"]]}
    with pytest.raises(EncodingError):
        canonical_json(big)


def test_big_document_rejects_float_deep_inside() -> None:
    rows: list[list[object]] = [["a", 1, None] for _ in range(3000)]
    rows[1500][1] = 2.5
    with pytest.raises(EncodingError, match=r"2\.5"):
        canonical_json({"rows": rows})
    rows[1500][1] = 2**53
    with pytest.raises(EncodingError, match=str(2**53)):
        canonical_json({"rows": rows})


def test_limits_are_inclusive() -> None:
    assert canonical_json([MAX_INT, -MAX_INT]) == f"[{MAX_INT},-{MAX_INT}]".encode()


@pytest.mark.parametrize(
    ("data", "why"),
    [
        (b'{"a":1,"a":2}', "twice"),
        (b'{"a":1.0}', "not an integer"),
        (b'{"a":1e3}', "not an integer"),
        (b'{"b":1,"a":2}', "canonical"),
        (b'{"a": 1}', "canonical"),
        (b'{"a":1}\n', "canonical"),
        (b'\xef\xbb\xbf{"a":1}', "not JSON"),
        (b'{"a":"\\u00e9"}', "canonical"),
        (b'{"a":NaN}', "not JSON"),
        (b'{"a":-0}', "canonical"),
        (b'{"a":"\\ud800"}', "surrogate"),
        (b"\xff", "UTF-8"),
        (b"[9007199254740992]", "outside"),
    ],
)
def test_parse_canonical_rejects(data: bytes, why: str) -> None:
    with pytest.raises(EncodingError, match=why):
        parse_canonical(data, name="x.json")


_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-MAX_INT, max_value=MAX_INT)
    | st.text(st.characters(exclude_categories=("Cs",)))
)
_documents = st.recursive(
    _scalars,
    lambda inner: (
        st.lists(inner, max_size=6)
        | st.dictionaries(st.text(st.characters(codec="ascii"), max_size=6), inner, max_size=6)
    ),
    max_leaves=20,
)


@settings(max_examples=100, deadline=None)
@given(_documents)
def test_canonical_equals_rfc8785_and_round_trips(document: object) -> None:
    encoded = canonical_json(document)
    assert encoded == rfc8785.dumps(document)
    assert parse_canonical(encoded) == document


@settings(max_examples=100, deadline=None)
@given(_documents)
def test_fast_path_equals_rfc8785(document: object) -> None:
    # Force the json.dumps path (§2.4) for every size; it must equal RFC 8785 byte for byte.
    with mock.patch.object(encoding, "_FAST_PATH_NODES", 0):
        assert canonical_json(document) == rfc8785.dumps(document)


def test_fast_path_is_taken_for_big_documents() -> None:
    rows = [["a", i] for i in range(3000)]
    with mock.patch.object(encoding.rfc8785, "dumps", side_effect=AssertionError("slow path")):
        assert canonical_json(rows) == json.dumps(rows, separators=(",", ":")).encode()


def test_non_ascii_keys_use_rfc8785_ordering() -> None:
    # UTF-16 order differs from code-point order for these two keys (RFC 8785 §3.2.3).
    document = {"\U0001f600": 1, "\uff61": 2, **{f"k{i}": i for i in range(3000)}}
    assert canonical_json(document) == rfc8785.dumps(document)


FILES = json.loads(
    (Path(__file__).parents[1] / "vectors" / "encoding" / "files.json").read_text("utf-8")
)


@pytest.mark.parametrize("case", FILES, ids=[c["name"] for c in FILES])
def test_canonical_file_vector(case: dict[str, object]) -> None:
    """§2.5: a file is accepted only if its bytes are exactly JCS of its value."""
    data = bytes.fromhex(str(case["file"]))
    if case["canonical"]:
        assert canonical_json(parse_canonical(data)) == data
    else:
        with pytest.raises(EncodingError):
            parse_canonical(data)


@pytest.mark.parametrize("inner", ["", "1", '{"a":1}'])
def test_documents_nest_at_most_32_deep(inner: str) -> None:
    """§2.2: 32 levels of arrays and objects are accepted, 33 are refused, with or without
    something inside the deepest one, and under a non-ASCII key too."""
    depth = 32 if inner.startswith("{") else 33
    deepest_ok = "[" * (depth - 1) + inner + "]" * (depth - 1)
    assert parse_canonical(deepest_ok.encode()) is not None
    too_deep = "[" * depth + inner + "]" * depth
    with pytest.raises(EncodingError, match="32 deep"):
        parse_canonical(too_deep.encode())
    nested: object = [[json.loads(inner)]] if inner else [[]]  # 33 deep once wrapped 31 times
    for _ in range(31):
        nested = {"é": nested}
    with pytest.raises(EncodingError, match="32 deep"):
        canonical_json(nested)
