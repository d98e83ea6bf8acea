"""The fast reader of applicants.jsonl gives exactly the generic reader's records, or defers.

`read_record_columns` must never accept a line the generic reader (parse, re-encode, compare)
would refuse, and never read a value differently: on generated records and on mutated lines it
either returns None or the same columns.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from verifier.canonical import encode, parse_canonical_lines
from verifier.errors import VerificationError
from verifier.record_lines import RECORD_COLUMN_KEYS, SchoolIdLists, read_record_columns

_identifier = st.text(st.sampled_from("ABCXYZabcxyz0189._-"), min_size=1, max_size=8)
_any_text = st.text(st.characters(exclude_categories=("Cs",)), max_size=6)
_record = st.fixed_dictionaries(
    {
        "application": _identifier,
        "category": st.none() | _identifier,
        "group": st.none() | _identifier,
        "masked_id": _any_text,
        "masked_name": _any_text,
        "preferences": st.lists(_identifier, max_size=4),
        "private_digest": st.text(st.sampled_from("0123456789abcdef"), min_size=64, max_size=64),
        "sex": st.sampled_from(["F", "M"]),
        "tiers": st.dictionaries(_identifier, _identifier, max_size=3),
    }
)


def _generic_columns(data: bytes) -> list[Any]:
    values = [value for _, value in parse_canonical_lines(data)]
    # The fast reader checks the masked fields and the digest and does not keep them; it gives
    # the preferences flattened.
    return [
        None
        if key.startswith("masked") or key == "private_digest"
        else SchoolIdLists.of([value[key] for value in values])
        if key == "preferences"
        else [value[key] for value in values]
        for key in RECORD_COLUMN_KEYS
    ]


def _file(records: list[dict[str, Any]]) -> bytes:
    return b"".join(encode(record) + b"\n" for record in records)


def _plain(text: str) -> bool:
    return not any(c in '"\\' or ord(c) < 0x20 for c in text)


@settings(max_examples=300, deadline=None)
@given(st.lists(_record, max_size=6))
def test_the_fast_reader_reads_what_the_generic_reader_reads(
    records: list[dict[str, Any]],
) -> None:
    data = _file(records)
    columns = read_record_columns(data)
    if all(_plain(r["masked_id"]) and _plain(r["masked_name"]) for r in records):
        assert columns is not None  # nothing to escape: the fast reader takes the file
    if columns is not None:
        assert columns == _generic_columns(data)


_MUTATIONS = [
    lambda line: line.replace(b'":', b'": ', 1),  # whitespace
    lambda line: line.replace(b'{"application"', b'{ "application"', 1),
    lambda line: line.replace(b'"sex":"F"', b'"sex":"\\u0046"'),  # an escape JCS never writes
    lambda line: line.replace(b'"sex":"M"', b'"sex":"\\u004d"'),
    lambda line: line.replace(b'"S1":"T1","S2":"T2"', b'"S2":"T2","S1":"T1"'),  # key order
    lambda line: line.replace(b'"S1":"T1","S2":"T2"', b'"S1":"T1","S1":"T2"'),  # repeated key
    lambda line: line.replace(b',"tiers"', b',"group":null,"tiers"'),  # repeated member
    lambda line: line.replace(b'"masked_name":"', b'"masked_name":"\x01', 1),  # raw control
    lambda line: line + b" ",
]


@pytest.mark.parametrize("mutate", range(len(_MUTATIONS)))
def test_a_line_that_is_not_jcs_is_left_to_the_generic_reader(mutate: int) -> None:
    record = {
        "application": "A001",
        "category": None,
        "group": None,
        "masked_id": "1101**********001X",
        "masked_name": "张*",
        "preferences": ["S1", "S2"],
        "private_digest": "ab" * 32,
        "sex": "F",
        "tiers": {"S1": "T1", "S2": "T2"},
    }
    other = dict(record, application="A002", sex="M")
    lines = [encode(record), encode(other)]
    lines = [_MUTATIONS[mutate](line) for line in lines]
    data = b"\n".join(lines) + b"\n"
    assert read_record_columns(data) is None
    with pytest.raises(VerificationError):
        parse_canonical_lines(data)


def test_file_shapes() -> None:
    record = _file([{key: None for key in RECORD_COLUMN_KEYS}])  # not a record: deferred
    assert read_record_columns(record) is None
    assert read_record_columns(b"") == [[], [], [], None, None, SchoolIdLists([], []), None, [], []]
    good = _file(
        [
            {
                "application": "A1",
                "category": "null",  # the identifier "null", not null
                "group": None,
                "masked_id": "",
                "masked_name": "王**",
                "preferences": [],
                "private_digest": "0" * 64,
                "sex": "M",
                "tiers": {},
            }
        ]
    )
    columns = read_record_columns(good)
    assert columns is not None and columns[1] == ["null"] and columns[2] == [None]
    assert read_record_columns(good[:-1]) is None  # no final newline
    assert read_record_columns(good + b"\n") is None  # an empty line
    assert read_record_columns(b"\xff" + good) is None  # not UTF-8


@pytest.mark.parametrize(
    "digest", ["AB" * 32, "ab" * 31, "ab" * 33, "xy" * 32], ids=["upper", "short", "long", "hex"]
)
def test_a_digest_that_is_not_64_lowercase_hex_digits_is_left_to_the_generic_reader(
    digest: str,
) -> None:
    record = {
        "application": "A1",
        "category": None,
        "group": None,
        "masked_id": "",
        "masked_name": "王*",
        "preferences": ["S1", "S2"],
        "private_digest": digest,
        "sex": "F",
        "tiers": {},
    }
    assert read_record_columns(_file([record])) is None  # the record checks then name it


def test_preferences_of_every_length_are_flattened_in_order() -> None:
    lists = [["S1", "S2", "S3"], [], ["S4"], ["S5", "S6"]]
    records = [
        {
            "application": f"A{index}",
            "category": None,
            "group": None,
            "masked_id": "",
            "masked_name": "",
            "preferences": schools,
            "private_digest": "0" * 64,
            "sex": "M",
            "tiers": {},
        }
        for index, schools in enumerate(lists)
    ]
    columns = read_record_columns(_file(records))
    assert columns is not None
    assert columns[5] == SchoolIdLists(["S1", "S2", "S3", "S4", "S5", "S6"], [3, 0, 1, 2])
