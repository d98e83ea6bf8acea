"""JCS (protocol §2) of a big document assembled from canonically encoded parts.

RFC 8785 encodes an array as `[` + its members' encodings joined by `,` + `]`, and an object
as `{` + `"key":value` members in key order + `}` (§2.3); nothing else lies between members. So
a document can be encoded part by part and the parts joined, and the result is `JCS` of the
whole. The big parts of a results document are arrays of *plain* strings: application numbers
and school ids are identifiers (§1.3), lottery numbers hex16 (§1.2). A plain string holds only
printable ASCII other than `"` and `\\`, which §2.3 writes as it is, between quotes; an array of
them needs no escaping and no call per string (`lottery.byte_rows` lays them out). Every string
is checked to be plain (one scan of all of them joined, `is_plain`) before it goes in
unescaped; anything else goes through `canonical_json`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from lottery.encoding import canonical_json
from lottery.errors import EncodingError

__all__ = ["array_of", "is_plain", "object_of"]

# Printable ASCII except `"` (0x22) and `\` (0x5c): written literally between quotes (§2.3).
_PLAIN_BYTES = bytes(b for b in range(0x20, 0x7F) if b not in b'"\\')


def is_plain(strings: Iterable[object]) -> bool:
    """True when every item is a `str` of printable ASCII without `"` or `\\` (§2.3)."""
    try:
        joined = "".join(strings)  # type: ignore[arg-type]
    except TypeError:  # an item that is not a string
        return False
    # Deleting every plain byte leaves nothing exactly when all of them are plain.
    return joined.isascii() and not joined.encode("ascii").translate(None, _PLAIN_BYTES)


def array_of(encoded_members: Iterable[bytes]) -> bytes:
    """JCS of an array whose members are given already encoded (RFC 8785 §3.2)."""
    return b"[" + b",".join(encoded_members) + b"]"


def object_of(encoded_members: Mapping[str, bytes]) -> bytes:
    """JCS of an object whose member values are given already encoded.

    Keys must be ASCII, so that sorting them as Python strings is the order of §2.3. The
    pieces are joined once (a member may be tens of megabytes: it is copied only there).
    """
    for key in encoded_members:
        if not key.isascii():
            raise EncodingError(f"object key {key!r} is not ASCII; encode it with canonical_json")
    pieces: list[bytes] = [b"{"]
    for key in sorted(encoded_members):
        pieces += (canonical_json(key), b":", encoded_members[key], b",")
    pieces[-1] = b"}"
    if len(pieces) == 1:
        pieces.append(b"}")
    return b"".join(pieces)
