"""Canonical JSON, protocol §2, against RFC 8785's examples and the restrictions of §2.2."""

from __future__ import annotations

import json

import pytest
import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st

from verifier.canonical import encode, parse, parse_canonical, parse_canonical_lines
from verifier.errors import CanonicalError, VerificationError

# RFC 8785 §3.2.2 example, without its "numbers" member (fractions are outside §2.2).
RFC8785_STRINGS_INPUT = r'{"string": "\u20ac$\u000F\u000aA\u0027\u0042\u0022\u005c\\\"\/", "literals": [null, true, false]}'
RFC8785_STRINGS_OUTPUT = '{"literals":[null,true,false],"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}'

# RFC 8785 §3.2.3 sorting example: keys compared as UTF-16 code units.
RFC8785_SORTING_INPUT = (
    '{"\\u20ac": "Euro Sign", "\\r": "Carriage Return", "\\ufb33": "Hebrew Letter Dalet With Dagesh",'
    ' "1": "One", "\\ud83d\\ude00": "Emoji: Grinning Face", "\\u0080": "Control",'
    ' "\\u00f6": "Latin Small Letter O With Diaeresis"}'
)
RFC8785_SORTING_VALUES = [
    "Carriage Return",
    "One",
    "Control",
    "Latin Small Letter O With Diaeresis",
    "Euro Sign",
    "Emoji: Grinning Face",
    "Hebrew Letter Dalet With Dagesh",
]


def test_exception_hierarchy() -> None:
    assert issubclass(CanonicalError, VerificationError)


def test_rfc8785_string_escaping_example() -> None:
    assert encode(parse(RFC8785_STRINGS_INPUT.encode())) == RFC8785_STRINGS_OUTPUT.encode()


def test_rfc8785_sorting_example() -> None:
    encoded = encode(parse(RFC8785_SORTING_INPUT.encode()))
    assert list(json.loads(encoded).values()) == RFC8785_SORTING_VALUES


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (0, "0"),
        (-1, "-1"),
        (9007199254740991, "9007199254740991"),
        (-9007199254740991, "-9007199254740991"),
    ],
)
def test_rfc8785_integer_examples(value: int, text: str) -> None:
    assert encode(value) == text.encode()
    assert parse_canonical(text.encode()) == value


@pytest.mark.parametrize(
    "data",
    [
        b"1.0",
        b"1e3",
        b"-0",
        b"0.5",
        b"NaN",
        b"Infinity",
        b"9007199254740992",
        b"-9007199254740992",
        b'{"a":1,"a":2}',
        b'{"a":1 }',
        b'{"b":1,"a":2}',
        b"\xef\xbb\xbf{}",
        b"{}\n",
        b'"\\u0041"',
        b'"\\/"',
        b'"\\u001F"',
        b'"\\ud800"',
        b"\xff",
        b"[1,]",
        b"",
        b'"\\ud83d\\ude00"',
    ],
)
def test_non_canonical_or_forbidden_input_is_rejected(data: bytes) -> None:
    with pytest.raises(CanonicalError):
        parse_canonical(data)


def test_control_characters_use_short_escapes_then_lowercase_hex() -> None:
    assert (
        encode("\b\t\n\f\r\x00\x1f\x7f\u2028/")
        == b'"\\b\\t\\n\\f\\r\\u0000\\u001f\x7f\xe2\x80\xa8/"'
    )


def test_duplicate_key_error_names_the_key() -> None:
    with pytest.raises(CanonicalError, match="'seats'"):
        parse(b'{"seats":1,"seats":2}')


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53) + 1, 2**53 - 1) | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=6), children, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(json_values)
def test_encode_agrees_with_the_rfc8785_reference(value: object) -> None:
    assert encode(value) == rfc8785.dumps(value)
    assert parse_canonical(encode(value)) == value


@settings(max_examples=100, deadline=None)
@given(st.lists(st.dictionaries(st.text(max_size=5), json_values, max_size=4), max_size=5))
def test_lines_fast_path_equals_line_by_line(values: list[object]) -> None:
    data = b"".join(encode(v) + b"\n" for v in values)
    assert [v for _, v in parse_canonical_lines(data)] == values


def test_lines_reject_a_non_canonical_line_and_name_it() -> None:
    data = b'{"a":1}\n{"a": 2}\n'
    with pytest.raises(CanonicalError, match="line 2"):
        parse_canonical_lines(data)


def test_lines_need_a_final_newline() -> None:
    with pytest.raises(CanonicalError):
        parse_canonical_lines(b'{"a":1}')


@pytest.mark.parametrize(
    "faulty",
    [
        b'{"a": 7}',  # whitespace
        b'{"b":1,"a":7}',  # key order
        b'{"a":7,"a":7}',  # duplicate key
        b'{"a":"\\u0041"}',  # needless escape
        b'{"a":7}{"a":7}',  # two values on one line
    ],
)
def test_lines_fast_path_rejects_a_fault_in_a_later_chunk(faulty: bytes) -> None:
    """The fast path re-encodes the lines in chunks (of 512); a fault far from the first chunk
    is still found, and the strict path names its line."""
    lines = [encode({"a": n}) for n in range(1300)]
    lines[1000] = faulty
    with pytest.raises(CanonicalError, match="line 1001"):
        parse_canonical_lines(b"\n".join(lines) + b"\n")


@pytest.mark.parametrize("inner", ["", "1", '"x"', '{"a":1}'])
def test_arrays_and_objects_nest_at_most_32_deep(inner: str) -> None:
    """§2.2: 32 levels are read, 33 refused, whatever the deepest level holds (a scalar adds no
    level, an object does)."""
    levels = 31 if inner.startswith("{") else 32
    assert parse_canonical(("[" * levels + inner + "]" * levels).encode()) is not None
    with pytest.raises(CanonicalError):
        parse_canonical(("[" * (levels + 1) + inner + "]" * (levels + 1)).encode())


def test_negative_zero_is_refused_even_by_the_lenient_reader() -> None:
    """§2.2: `-0` is refused, also by `parse`, which reads files that need not be canonical."""
    with pytest.raises(CanonicalError, match="-0"):
        parse(b"[-0]")
