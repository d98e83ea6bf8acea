"""Canonical encoding of documents, protocol §2 (RFC 8785, restricted).

`canonical_json` checks the restrictions of §2.2 (no floats, integers within ±(2^53-1), string
keys, no lone surrogates), then encodes. Small documents go through the `rfc8785` package; big
ones (the results of a large draw) through `json.dumps` with sorted keys and compact separators,
which protocol §2.4 notes is byte-identical for these values when every key is ASCII. A test
holds the two paths equal on the vectors and on generated documents.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from itertools import chain
from typing import Any

import rfc8785

from lottery.errors import EncodingError

__all__ = ["MAX_INT", "canonical_items", "canonical_json", "parse_canonical"]

MAX_INT = 2**53 - 1  # protocol §1.4
_FAST_PATH_NODES = 2_000
_SCALARS = (str, bool, type(None))
_SCALAR_SET: frozenset[type] = frozenset(_SCALARS)
_ARRAYS: frozenset[type] = frozenset({list, tuple})


def _where(path: tuple[str | int, ...]) -> str:
    return "document" + "".join(f"[{p!r}]" for p in path)


def _check_int(value: int, path: tuple[str | int, ...]) -> None:
    if not -MAX_INT <= value <= MAX_INT:
        raise EncodingError(f"{_where(path)}: integer {value} is outside ±(2^53-1) (§1.4)")


def _children(node: object) -> Iterator[tuple[str | int, object]]:
    if isinstance(node, dict):
        yield from node.items()
    else:
        assert isinstance(node, list | tuple)
        yield from enumerate(node)


MAX_DEPTH = 32  # §2.2: arrays and objects nest at most 32 deep


def _check_container(node: object, path: tuple[str | int, ...], stack: list[Any]) -> int:
    """Check one container's direct members; push nested containers. Returns members seen."""
    if len(path) >= MAX_DEPTH:  # this container is at depth len(path) + 1
        raise EncodingError(f"{_where(path)}: arrays and objects nest more than 32 deep (§2.2)")
    if isinstance(node, dict):
        for key in node:
            if type(key) is not str:
                raise EncodingError(f"{_where(path)}: object key {key!r} is not a string")
            if not key.isascii():
                raise _NonAsciiKey
        values: Any = node.values()
    else:
        values = node
    kinds = set(map(type, values))
    if kinds <= _SCALAR_SET:
        return len(node)  # type: ignore[arg-type]
    if kinds <= _ARRAYS and len(path) + 1 < MAX_DEPTH and _flat_rows_ok(values):
        return len(node) + sum(map(len, values))  # type: ignore[arg-type]
    for member_path, value in _children(node):
        kind = type(value)
        if kind in _SCALARS:
            continue
        if kind is int:
            _check_int(value, (*path, member_path))  # type: ignore[arg-type]
        elif kind is dict or kind is list or kind is tuple:
            stack.append((value, (*path, member_path)))
        elif kind is float:
            raise EncodingError(
                f"{_where((*path, member_path))}: number {value!r} is not an integer; "
                "documents hold no floating-point numbers (§2.2)"
            )
        else:
            raise EncodingError(f"{_where((*path, member_path))}: {kind.__name__} is not JSON")
    return len(node)  # type: ignore[arg-type]


def _flat_rows_ok(rows: Any) -> bool:
    """Fast check of an array of arrays of scalars (the rows of a results document)."""
    kinds = set(map(type, chain.from_iterable(rows)))
    if not kinds <= _SCALAR_SET | {int}:
        return False  # nested containers or floats: the generic walk reports them
    if int in kinds:
        ints = [v for v in chain.from_iterable(rows) if type(v) is int]
        if min(ints) < -MAX_INT or max(ints) > MAX_INT:
            return False
    return True


class _NonAsciiKey(Exception):
    """Internal: a key outside ASCII sends the document to the rfc8785 path."""


def _check_document(obj: object) -> bool:
    """Check §2.2; return True when the fast path applies (big, ASCII keys)."""
    ascii_keys, nodes = _check_tree(obj)
    return ascii_keys and nodes >= _FAST_PATH_NODES


def _check_tree(obj: object) -> tuple[bool, int]:
    """Check §2.2; return whether every key is ASCII, and the number of members seen."""
    kind = type(obj)
    if kind in _SCALARS:
        return True, 0
    if kind is int:
        _check_int(obj, ())  # type: ignore[arg-type]
        return True, 0
    if kind not in (dict, list, tuple):
        if kind is float:
            raise EncodingError(f"document: number {obj!r} is not an integer (§2.2)")
        raise EncodingError(f"document: {kind.__name__} is not JSON")
    stack: list[Any] = [(obj, ())]
    nodes = 0
    ascii_keys = True
    while stack:
        node, path = stack.pop()
        try:
            nodes += _check_container(node, path, stack)
        except _NonAsciiKey:
            ascii_keys = False
            # Keys are strings; keep checking the values through the generic walk.
            for key, value in node.items():
                if type(key) is not str:
                    raise EncodingError(
                        f"{_where(path)}: object key {key!r} is not a string"
                    ) from None
                if type(value) in (dict, list, tuple):
                    stack.append((value, (*path, key)))
                else:
                    _check_container([value], path, [])  # a scalar, checked where it stands
    return ascii_keys, nodes


def _dumps(obj: object) -> bytes:
    """`json.dumps` in the form of §2.4; exact once §2.2 holds and every key is ASCII."""
    text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise EncodingError(f"document: a string holds a lone surrogate ({exc.reason})") from None


def _rfc8785(obj: object) -> bytes:
    try:
        return rfc8785.dumps(obj)  # type: ignore[arg-type]
    except rfc8785.CanonicalizationError as exc:
        raise EncodingError(f"document: {exc} (§2.3: lone surrogates are refused)") from None


def canonical_json(obj: object) -> bytes:
    """`JCS(obj)` of protocol §2: check §2.2, then encode per RFC 8785 §3.2."""
    return _dumps(obj) if _check_document(obj) else _rfc8785(obj)


def canonical_items(items: Sequence[object]) -> list[bytes]:
    """`[JCS(x) for x in items]`: §2.2 checked once over all of them, then each encoded (§2.4).

    Many small documents (the members of a results document's schools) encode faster so than
    one `canonical_json` call each.
    """
    ascii_keys, _ = _check_tree(list(items))
    encode = _dumps if ascii_keys else _rfc8785
    return [encode(item) for item in items]


def _reject_float(text: str) -> object:
    raise EncodingError(f"number {text} is not an integer; documents hold no floats (§2.2)")


def _reject_constant(text: str) -> object:
    raise EncodingError(f"{text} is not JSON (§2.2)")


def _parse_int(text: str) -> int:
    value = int(text)
    _check_int(value, ())
    return value


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise EncodingError(f"object key {key!r} appears twice (§2.3)")
        result[key] = value
    return result


def parse_canonical(data: bytes, *, name: str = "document") -> Any:
    """Parse a canonical file (§2.5): valid UTF-8 JSON, no duplicate keys or floats, and bytes
    equal to the re-encoding. `name` (a file name) goes into error messages."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise EncodingError(f"{name}: not UTF-8 at byte {exc.start}") from None
    try:
        obj = json.loads(
            text,
            object_pairs_hook=_no_duplicates,
            parse_float=_reject_float,
            parse_int=_parse_int,
            parse_constant=_reject_constant,
        )
    except EncodingError as exc:
        raise EncodingError(f"{name}: {exc}") from None
    except json.JSONDecodeError as exc:
        raise EncodingError(f"{name}: not JSON ({exc.msg} at character {exc.pos})") from None
    try:
        again = canonical_json(obj)
    except EncodingError as exc:
        raise EncodingError(f"{name}: {exc}") from None
    if again != data:
        raise EncodingError(f"{name}: not in canonical form (§2.5); re-encoding differs")
    return obj
