"""Canonical JSON (JCS, RFC 8785) restricted as protocol §2 says, with a strict parser.

`encode` writes JCS bytes exactly (§2.3). `parse` reads JSON and rejects what §2.2 forbids
(fractions, exponents, NaN, integers out of range, duplicate keys, invalid UTF-8).
`parse_canonical` also rejects any file whose bytes are not exactly the encoding of what it
holds (§2.5), which catches whitespace, `-0`, key order, escapes and byte-order marks.
"""

from __future__ import annotations

import json
from typing import Any

from verifier.errors import CanonicalError

MAX_INTEGER = 2**53 - 1  # protocol §1.4

JsonValue = Any  # dict[str, JsonValue] | list[JsonValue] | str | int | bool | None

_SHORT_ESCAPES = {0x08: "\\b", 0x09: "\\t", 0x0A: "\\n", 0x0C: "\\f", 0x0D: "\\r"}
_ESCAPES: dict[int, str] = {
    code: _SHORT_ESCAPES.get(code, f"\\u{code:04x}") for code in range(0x20)
} | {ord('"'): '\\"', ord("\\"): "\\\\"}


def _encode_string(text: str) -> str:
    """A JSON string per §2.3: only `"`, `\\` and code points below U+0020 are escaped."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as error:
        raise CanonicalError(f"string {text!r} contains a lone surrogate (§2.3)") from error
    return '"' + text.translate(_ESCAPES) + '"'


def _utf16_order(key: str) -> bytes:
    """Sort key of RFC 8785 §3.2.3: the key as UTF-16 code units (big-endian bytes)."""
    return key.encode("utf-16-be", "surrogatepass")


def _encode_value(value: JsonValue, out: list[str]) -> None:
    if value is None:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif isinstance(value, int):
        if not -MAX_INTEGER <= value <= MAX_INTEGER:
            raise CanonicalError(f"integer {value} is outside ±(2^53-1) (§1.4)")
        out.append(str(value))
    elif isinstance(value, str):
        out.append(_encode_string(value))
    elif isinstance(value, list | tuple):
        out.append("[")
        for index, item in enumerate(value):
            if index:
                out.append(",")
            _encode_value(item, out)
        out.append("]")
    elif isinstance(value, dict):
        out.append("{")
        for index, key in enumerate(sorted(value, key=_check_key)):
            if index:
                out.append(",")
            out.append(_encode_string(key))
            out.append(":")
            _encode_value(value[key], out)
        out.append("}")
    else:
        raise CanonicalError(
            f"value {value!r} of type {type(value).__name__} is not allowed (§2.2)"
        )


def _check_key(key: object) -> bytes:
    if not isinstance(key, str):
        raise CanonicalError(f"object key {key!r} is not a string (§2.2)")
    return _utf16_order(key)


def encode(value: JsonValue) -> bytes:
    """`JCS(value)`, protocol §2.1-§2.3."""
    out: list[str] = []
    _encode_value(value, out)
    return "".join(out).encode("utf-8")


def _reject_float(text: str) -> None:
    raise CanonicalError(f"number {text} is not an integer (§2.2)")


def _reject_constant(text: str) -> None:
    raise CanonicalError(f"{text} is not allowed in a document (§2.2)")


def _strict_int(text: str) -> int:
    number = int(text)
    if not -MAX_INTEGER <= number <= MAX_INTEGER:
        raise CanonicalError(f"integer {text} is outside ±(2^53-1) (§1.4)")
    return number


def _unique_object(pairs: list[tuple[str, JsonValue]]) -> dict[str, JsonValue]:
    result = dict(pairs)
    if len(result) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise CanonicalError(f"duplicate key {key!r} (§2.3)")
            seen.add(key)
    return result


_FAST_DECODER = json.JSONDecoder(
    parse_float=_reject_float, parse_int=_strict_int, parse_constant=_reject_constant
)


def parse(data: bytes) -> JsonValue:
    """Parse UTF-8 JSON strictly (§2.2, §2.3): no fractions, no duplicate keys."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise CanonicalError(f"not valid UTF-8 at byte {error.start}") from error
    try:
        return json.loads(
            text,
            object_pairs_hook=_unique_object,
            parse_float=_reject_float,
            parse_int=_strict_int,
            parse_constant=_reject_constant,
        )
    except json.JSONDecodeError as error:
        raise CanonicalError(f"malformed JSON: {error.msg} at byte {error.pos}") from error
    except RecursionError as error:
        raise CanonicalError("JSON nested too deeply") from error


def parse_canonical(data: bytes) -> JsonValue:
    """Parse a canonical file: its bytes must be exactly `JCS` of its value (§2.5)."""
    values = _fast_parse_canonical(data, [data])
    if values is not None:
        return values[0]
    value = parse(data)
    if encode(value) != data:
        raise CanonicalError("the file is valid JSON but not canonical (§2.5): re-encoding differs")
    return value


def parse_canonical_lines(data: bytes) -> list[tuple[bytes, JsonValue]]:
    """Parse a JSON-lines file of §13.1: each line `JCS(x)` then one 0x0A, nothing else.

    Returns each line's bytes (without the newline) with its value.
    """
    if not data:
        return []
    if not data.endswith(b"\n"):
        raise CanonicalError("the last line does not end with a newline (§13.1)")
    lines = data[:-1].split(b"\n")
    values = _fast_parse_canonical(data, lines)
    if values is None:
        values = [_parse_line(line, number) for number, line in enumerate(lines, start=1)]
    return list(zip(lines, values, strict=True))


# Values re-encoded per call in the fast path: enough to amortise each call, and small enough
# that the strings compared stay in the processor's cache (one huge string is several times
# slower for a million records).
_REENCODE_CHUNK = 512
# Lead bytes of 4-byte UTF-8 sequences (characters above U+FFFF). `in` on bytes is a memchr.
_FOUR_BYTE_LEADS = (b"\xf0", b"\xf1", b"\xf2", b"\xf3", b"\xf4")


def _fast_parse_canonical(data: bytes, parts: list[bytes]) -> list[JsonValue] | None:
    """The values of `parts` (the texts that make up `data`: the whole file, or its lines) if
    each text is exactly JCS of its value, else None: the strict path then finds and names the
    fault. Fast: the standard library's C parser and encoder do the work.

    Each text is parsed on its own as one complete JSON value (fractions, NaN and out-of-range
    integers raise), then the values are re-encoded a chunk at a time by the standard encoder,
    which gives exactly JCS for them (§2.4) unless characters above U+FFFF occur (Python sorts
    keys by code point, JCS by UTF-16 unit): those take the strict path. The JCS form of a value
    is never longer than any JSON text of it, so if a chunk's joined re-encodings equal its
    joined texts, every text equals its own re-encoding: duplicate keys, whitespace, other
    escapes or another key order would each have made some text longer or different.
    """
    if any(lead in data for lead in _FOUR_BYTE_LEADS):
        return None
    try:
        texts = list(map(bytes.decode, parts))  # strict UTF-8
        values = []
        for text in texts:
            value, end = _FAST_DECODER.raw_decode(text)
            if end != len(text):
                return None
            values.append(value)
        for start in range(0, len(values), _REENCODE_CHUNK):
            stop = start + _REENCODE_CHUNK
            fast = json.dumps(
                values[start:stop], ensure_ascii=False, separators=(",", ":"), sort_keys=True
            )
            if fast != "[" + ",".join(texts[start:stop]) + "]":
                return None
        return values
    except (ValueError, CanonicalError, RecursionError):
        return None


def _parse_line(line: bytes, number: int) -> JsonValue:
    try:
        return parse_canonical(line)
    except CanonicalError as error:
        raise CanonicalError(f"line {number}: {error}") from error
