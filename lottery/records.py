"""Applicant records: the public record, the salted private digest, receipt codes (protocol §4).

The private part of a record (name, ID number, receipt code) never leaves the service; only its
salted digest enters the public record, and the bundle (§13.2).
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Any, Literal

from lottery.encoding import canonical_json
from lottery.errors import InvalidRecord
from lottery.hashing import tagged_hash
from lottery.identifiers import check_hex64, check_identifier
from lottery.pins import normalise_code

__all__ = [
    "RECEIPT_ALPHABET",
    "PrivateRecord",
    "PublicRecord",
    "check_groups",
    "format_receipt",
    "make_receipt_code",
    "mask_id_number",
    "mask_name",
    "normalise_receipt",
    "private_digest",
    "public_record",
    "receipt_check",
    "sorted_records",
]

RECEIPT_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base 32, §4.3
_RECEIPT = re.compile(f"[{RECEIPT_ALPHABET}]{{16}}")
_ID_NUMBER = re.compile(r"[0-9]{17}[0-9X]")
_RECORD_KEYS = frozenset(
    {
        "application",
        "category",
        "group",
        "masked_id",
        "masked_name",
        "preferences",
        "private_digest",
        "receipt_check",
        "sex",
        "tiers",
    }
)
MAX_GROUP = 8  # §4.4
# What `json.dumps(..., ensure_ascii=False, separators=(",", ":"), sort_keys=True)` builds on
# each call, built once: sealing encodes a million records.
_RECORD_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), sort_keys=True)


@dataclass(frozen=True)
class PrivateRecord:
    """The personal part of a record (§4.3); never published."""

    application: str
    id_number: str
    name: str
    receipt: str

    def __post_init__(self) -> None:
        where = f"application {self.application!r}"
        check_identifier(self.application, "application", InvalidRecord)
        if not _ID_NUMBER.fullmatch(self.id_number):
            raise InvalidRecord(
                f"{where}: id_number {self.id_number!r} is not 17 digits and a digit or X (§4.3)"
            )
        if not self.name or unicodedata.normalize("NFC", self.name) != self.name:
            raise InvalidRecord(f"{where}: name {self.name!r} is empty or not in Unicode NFC")
        if not _RECEIPT.fullmatch(self.receipt):
            raise InvalidRecord(
                f"{where}: receipt {self.receipt!r} is not 16 Crockford base-32 characters"
            )

    def document(self) -> dict[str, str]:
        """The private object whose digest is published (§4.3)."""
        return {
            "application": self.application,
            "id_number": self.id_number,
            "name": self.name,
            "receipt": self.receipt,
        }


@dataclass(frozen=True)
class PublicRecord:
    """One child's public record (§4.1). `tiers` is sorted by school id."""

    application: str
    category: str | None
    group: str | None
    masked_id: str
    masked_name: str
    preferences: tuple[str, ...]
    private_digest: str
    sex: Literal["F", "M"]
    tiers: tuple[tuple[str, str], ...]
    receipt_check: str

    def __post_init__(self) -> None:
        where = f"application {self.application!r}"
        check_identifier(self.application, "application", InvalidRecord)
        for field in ("category", "group"):
            value = getattr(self, field)
            if value is not None:
                check_identifier(value, f"{where}: {field}", InvalidRecord)
        for field in ("masked_id", "masked_name"):
            if not isinstance(getattr(self, field), str):
                raise InvalidRecord(f"{where}: {field} {getattr(self, field)!r} is not a string")
        check_hex64(self.private_digest, f"{where}: private_digest", InvalidRecord)
        check_hex64(self.receipt_check, f"{where}: receipt_check", InvalidRecord)
        if self.sex not in ("F", "M"):
            raise InvalidRecord(f"{where}: sex {self.sex!r} is not 'F' or 'M' (§4.1)")
        for school in self.preferences:
            check_identifier(school, f"{where}: preferences", InvalidRecord)
        if len(set(self.preferences)) != len(self.preferences):
            raise InvalidRecord(f"{where}: preferences {list(self.preferences)} repeat a school")
        schools = [school for school, _ in self.tiers]
        if schools != sorted(set(schools)):
            raise InvalidRecord(f"{where}: tiers must have distinct schools, sorted")
        for school, tier in self.tiers:
            check_identifier(school, f"{where}: tiers key", InvalidRecord)
            check_identifier(tier, f"{where}: tiers[{school}]", InvalidRecord)

    @property
    def tier_map(self) -> dict[str, str]:
        """`tiers` as a mapping from school id to tier id (§4.6)."""
        return dict(self.tiers)

    def document(self) -> dict[str, Any]:
        """The record as published (§4.1)."""
        return {
            "application": self.application,
            "category": self.category,
            "group": self.group,
            "masked_id": self.masked_id,
            "masked_name": self.masked_name,
            "preferences": list(self.preferences),
            "private_digest": self.private_digest,
            "receipt_check": self.receipt_check,
            "sex": self.sex,
            "tiers": dict(self.tiers),
        }

    def encoded(self) -> bytes:
        """`JCS(record)`, the bytes that enter the applicant tree (§5.2).

        Every key is ASCII and every value was checked in `__post_init__` (strings, no
        numbers), so `json.dumps` with sorted keys gives exactly JCS (§2.4); a test holds it
        equal to `rfc8785`. It is the hot path of sealing a million records.
        """
        text = _RECORD_ENCODER.encode(self.document())
        try:
            return text.encode("utf-8")
        except UnicodeEncodeError:
            raise InvalidRecord(
                f"application {self.application!r}: a masked field holds a lone surrogate"
            ) from None

    @classmethod
    def from_document(cls, doc: object, *, line: int | None = None) -> PublicRecord:
        """Read a published record, checking exactly the keys and types of §4.1."""
        where = "record" if line is None else f"applicants.jsonl line {line}"
        if not isinstance(doc, dict):
            raise InvalidRecord(f"{where}: not a JSON object")
        if set(doc) != _RECORD_KEYS:
            missing = sorted(_RECORD_KEYS - set(doc))
            extra = sorted(set(doc) - _RECORD_KEYS)
            raise InvalidRecord(f"{where}: keys missing {missing}, unexpected {extra} (§4.1)")
        preferences, tiers = doc["preferences"], doc["tiers"]
        if not isinstance(preferences, list):
            raise InvalidRecord(f"{where}: preferences {preferences!r} is not an array")
        if not isinstance(tiers, dict):
            raise InvalidRecord(f"{where}: tiers {tiers!r} is not an object")
        return cls(
            application=doc["application"],
            category=doc["category"],
            group=doc["group"],
            masked_id=doc["masked_id"],
            masked_name=doc["masked_name"],
            preferences=tuple(preferences),
            private_digest=doc["private_digest"],
            sex=doc["sex"],
            tiers=tuple(sorted(tiers.items())),
            receipt_check=doc["receipt_check"],
        )


def make_receipt_code(entropy: bytes) -> str:
    """A receipt code (§4.3) from 10 bytes of the caller's entropy: 16 Crockford characters."""
    if len(entropy) != 10:
        raise ValueError(f"a receipt code takes 10 bytes of entropy, got {len(entropy)}")
    number = int.from_bytes(entropy, "big")
    return "".join(RECEIPT_ALPHABET[(number >> (5 * i)) & 31] for i in range(15, -1, -1))


def format_receipt(code: str) -> str:
    """The receipt code as printed: four groups of four, joined by hyphens (§4.3)."""
    return "-".join(code[i : i + 4] for i in range(0, 16, 4))


def normalise_receipt(text: str) -> str:
    """A receipt code as typed by a family: drop hyphens and spaces, upper-case, read O as 0
    and I, L as 1 (Crockford). Raises `InvalidRecord` if the result is not a receipt code."""
    code = normalise_code(text)
    if not _RECEIPT.fullmatch(code):
        raise InvalidRecord(f"receipt code {text!r} is not 16 Crockford base-32 characters")
    return code


def receipt_check(application: str, receipt: str) -> str:
    """`hex(H("receipt", JCS({"application": A, "receipt": R})))`, protocol §4.8: lets a
    family check its receipt code against the public record."""
    document = {"application": application, "receipt": receipt}
    return tagged_hash("receipt", canonical_json(document)).hex()


def private_digest(private: PrivateRecord) -> str:
    """`hex(H("private-record", JCS(private part)))`, protocol §4.3."""
    return tagged_hash("private-record", canonical_json(private.document())).hex()


# Han characters (CJK Unified Ideographs and their extensions, compatibility ideographs).
HAN_CHARACTER = re.compile(
    "[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f\U00030000-\U0003134f]"
)


def mask_name(name: str) -> str:
    """Masked name (§4.1, informative rule). A Chinese name keeps its first and last character
    with `*` between (张*丰, 欧**娜), a two-character name its first (李*); a name in another
    script keeps the first letter of each word (J* S*). Never the whole name: a one-character
    name, or nothing, is `*`."""
    name = name.strip()
    if len(name) <= 1:
        return "*"
    if HAN_CHARACTER.search(name):
        if len(name) == 2:
            return name[0] + "*"
        return name[0] + "*" * (len(name) - 2) + name[-1]
    return " ".join(word[0] + "*" for word in name.split())


def mask_id_number(id_number: str) -> str:
    """Masked ID number (§4.1): all but the first 4 and last 4 characters replaced by `*`."""
    if len(id_number) <= 8:
        return "*" * len(id_number)  # too short to keep any of it without publishing it all
    return id_number[:4] + "*" * (len(id_number) - 8) + id_number[-4:]


def public_record(
    private: PrivateRecord,
    *,
    category: str | None,
    group: str | None,
    preferences: Sequence[str],
    tiers: Mapping[str, str],
    sex: Literal["F", "M"],
    masked_name: str | None = None,
    masked_id: str | None = None,
) -> PublicRecord:
    """The public record of a child (§4.1); masks default to `mask_name`/`mask_id_number`."""
    return PublicRecord(
        application=private.application,
        category=category,
        group=group,
        masked_id=mask_id_number(private.id_number) if masked_id is None else masked_id,
        masked_name=mask_name(private.name) if masked_name is None else masked_name,
        preferences=tuple(preferences),
        private_digest=private_digest(private),
        sex=sex,
        tiers=tuple(sorted(tiers.items())),
        receipt_check=receipt_check(private.application, private.receipt),
    )


def sorted_records(records: Iterable[PublicRecord]) -> tuple[PublicRecord, ...]:
    """Records in the order of §4.2 (by application bytes); duplicates are refused."""
    ordered = sorted(records, key=lambda r: r.application)
    for before, after in pairwise(ordered):
        if before.application == after.application:
            raise InvalidRecord(f"application {after.application!r} appears twice (§4.1)")
    return tuple(ordered)


def check_groups(records: Iterable[PublicRecord]) -> None:
    """Groups of §4.4: 2 to 8 members, identical preferences and category."""
    members: dict[str, list[PublicRecord]] = {}
    for record in records:
        if record.group is not None:
            members.setdefault(record.group, []).append(record)
    for group in sorted(members):
        found = members[group]
        if not 2 <= len(found) <= MAX_GROUP:
            raise InvalidRecord(
                f"group {group!r}: {len(found)} member(s), a group has 2 to {MAX_GROUP} (§4.4)"
            )
        first = found[0]
        for other in found[1:]:
            if other.preferences != first.preferences:
                raise InvalidRecord(
                    f"group {group!r}: applications {first.application!r} and "
                    f"{other.application!r} have different preferences (§4.4)"
                )
            if other.category != first.category:
                raise InvalidRecord(
                    f"group {group!r}: applications {first.application!r} and "
                    f"{other.application!r} have different categories (§4.4)"
                )
