"""Canonical JSON (JCS, RFC 8785) as restricted by protocol §2, with a strict parser.

`encode` writes `JCS(x)` (§2.3). `parse` reads JSON and refuses what §2.2 forbids. A canonical
file is one whose bytes equal `encode` of what it holds (§2.5): this one comparison catches
whitespace, key order, escapes, `-0`, exponents and byte-order marks.
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

from verifier.errors import CanonicalError

MAX_INTEGER = 2**53 - 1  # §1.4
MAX_DEPTH = 32  # §2.2: arrays and objects nest at most 32 deep

JsonValue = Any  # dict[str, JsonValue] | list[JsonValue] | str | int | bool | None


def encode(value: JsonValue) -> bytes:
    """`JCS(value)`, protocol §2.3."""
    try:
        return _encode(value, 0).encode("utf-8", "strict")
    except UnicodeEncodeError as error:  # only a lone surrogate cannot be written as UTF-8
        raise CanonicalError("json_surrogate") from error


def _encode(value: JsonValue, depth: int) -> str:
    if isinstance(value, str):
        return _string(value)
    if depth >= MAX_DEPTH and isinstance(value, list | dict):  # a container at level depth + 1
        raise CanonicalError("json_depth", limit=MAX_DEPTH)
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        if not -MAX_INTEGER <= value <= MAX_INTEGER:
            raise CanonicalError("json_integer_range", value=value)
        return str(value)
    # Strings, by far the most common items, are written where they stand (the same
    # `_string` as above) rather than by a call of `_encode` each.
    if isinstance(value, list):
        items = [_string(v) if type(v) is str else _encode(v, depth + 1) for v in value]
        return "[" + ",".join(items) + "]"
    if isinstance(value, dict):
        keys = _member_order(tuple(value))
        members = [
            _string(k)
            + ":"
            + (_string(value[k]) if type(value[k]) is str else _encode(value[k], depth + 1))
            for k in keys
        ]
        return "{" + ",".join(members) + "}"
    raise CanonicalError("json_type", type=type(value).__name__)


# A string as §2.3 writes it. The standard library's `encode_basestring` (what `json.dumps`
# uses with `ensure_ascii=False`) escapes exactly `"`, `\\` and the code points below U+0020,
# with `\\b \\t \\n \\f \\r` short and the others as `\\u00xx` in lowercase, and writes every
# other code point as itself: the rule of §2.3. (A lone surrogate fails in `encode` above.)
_string = json.encoder.encode_basestring


@lru_cache(maxsize=4096)
def _member_order(keys: tuple[str, ...]) -> tuple[str, ...]:
    """RFC 8785 §3.2.3: keys by their UTF-16 code units; each distinct key list sorted once."""
    return tuple(sorted(keys, key=lambda key: key.encode("utf-16-be", "surrogatepass")))


def _reject_fraction(text: str) -> None:
    raise CanonicalError("json_fraction", number=text[:40])


def _reject_constant(text: str) -> None:
    raise CanonicalError("json_constant", constant=text)


def _integer(text: str) -> int:
    if text == "-0":  # (2.2): `-0` is not a JSON integer of this protocol
        raise CanonicalError("json_fraction", number=text)
    if len(text) > 17 or not -MAX_INTEGER <= int(text) <= MAX_INTEGER:
        raise CanonicalError("json_integer_range", value=text[:40])
    return int(text)


def _object(pairs: list[tuple[str, JsonValue]]) -> dict[str, JsonValue]:
    result = dict(pairs)
    if len(result) != len(pairs):  # a key came twice: name it
        keys = [key for key, _ in pairs]
        raise CanonicalError(
            "json_duplicate_key", name=next(k for k in keys if keys.count(k) > 1)[:64]
        )
    return result


def parse(data: bytes) -> JsonValue:
    """Parse UTF-8 JSON strictly (§2.2): integers only, in range; no duplicate keys."""
    try:
        text = data.decode("utf-8", "strict")
    except UnicodeDecodeError as error:
        raise CanonicalError("json_utf8", byte=error.start) from error
    try:
        return json.loads(
            text,
            object_pairs_hook=_object,
            parse_float=_reject_fraction,
            parse_int=_integer,
            parse_constant=_reject_constant,
        )
    except json.JSONDecodeError as error:
        raise CanonicalError("json_malformed", reason=error.msg, byte=error.pos) from error
    except RecursionError as error:
        raise CanonicalError("json_depth", limit=MAX_DEPTH) from error


def parse_canonical(data: bytes) -> JsonValue:
    """The value of a canonical file: its bytes MUST be exactly JCS of that value (§2.5).

    The one comparison decides: a duplicate key, a fraction, whitespace or another order all
    make the re-encoding differ from the bytes (or fail). Only then is the file read again by
    the strict `parse`, to name what is wrong."""
    try:
        value = json.loads(data)
        if encode(value) == data:  # `encode` itself refuses depth, range, fractions, surrogates
            return value
    except (ValueError, RecursionError):
        pass
    parse(data)  # raises, naming the fault, if it can find one
    raise CanonicalError("json_not_canonical")


def parse_canonical_lines(data: bytes) -> list[tuple[bytes, JsonValue]]:
    """A JSON-lines file of §13.1: each line is JCS of a value followed by one 0x0A.
    Returns each line (without its newline) with its value."""
    if data and not data.endswith(b"\n"):
        raise CanonicalError("json_last_newline")
    lines = data.split(b"\n")[:-1]
    parsed = []
    for number, line in enumerate(lines, start=1):
        try:
            parsed.append((line, parse_canonical(line)))
        except CanonicalError as error:
            raise CanonicalError("json_line", line=number, fault=error.message) from error
    return parsed
