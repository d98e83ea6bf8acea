"""Reading fields of a parsed document, with errors that name the field (protocol §1)."""

from __future__ import annotations

import re
from collections.abc import Collection
from datetime import datetime
from typing import Any

from verifier.errors import CheckFailed
from verifier.messages import Message

IDENTIFIER = re.compile(r"[A-Za-z0-9._-]{1,64}")  # §1.3
HEX64 = re.compile(r"[0-9a-f]{64}")  # §1.2: lowercase only
HEX16 = re.compile(r"[0-9a-f]{16}")
HEX128 = re.compile(r"[0-9a-f]{128}")  # a 64-byte signature, §7.7
TIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z")  # §1.5


def shown(value: object) -> str:
    """A found value as a report prints it: short, and never a traceback's worth."""
    text = repr(value)
    return text if len(text) <= 200 else text[:200] + "…"


def fail(path: str, expected: str, found: object, **params: object) -> CheckFailed:
    """A `CheckFailed` naming the field, the term it should satisfy (a message key of
    `verifier.messages`, with `params`) and what it holds."""
    return CheckFailed("field", path=path, term=Message(expected, params), value=shown(found))


class Fields:
    """A JSON object under a path (`manifest.schools[3]`), read one typed field at a time."""

    def __init__(self, value: object, path: str) -> None:
        if not isinstance(value, dict):
            raise fail(path, "term_object", value)
        self.value: dict[str, Any] = value
        self.path = path

    def exact_keys(self, keys: Collection[str]) -> None:
        """The object has exactly these keys."""
        if set(self.value) != set(keys):
            raise fail(self.path, "term_keys", sorted(self.value), keys=", ".join(sorted(keys)))

    def raw(self, key: str) -> Any:
        if key not in self.value:
            raise fail(f"{self.path}.{key}", "term_present", None)
        return self.value[key]

    def sub(self, key: str) -> Fields:
        return Fields(self.raw(key), f"{self.path}.{key}")

    def string(self, key: str) -> str:
        value = self.raw(key)
        if not isinstance(value, str):
            raise fail(f"{self.path}.{key}", "term_string", value)
        return value

    def matching(self, key: str, pattern: re.Pattern[str], term: str) -> str:
        """A string that matches `pattern` whole; `term` says what that means."""
        value = self.raw(key)
        if not isinstance(value, str) or not pattern.fullmatch(value):
            raise fail(f"{self.path}.{key}", term, value)
        return value

    def identifier(self, key: str) -> str:
        return self.matching(key, IDENTIFIER, "term_identifier")

    def optional_identifier(self, key: str) -> str | None:
        return None if self.raw(key) is None else self.identifier(key)

    def hex64(self, key: str) -> str:
        return self.matching(key, HEX64, "term_hex64")

    def head(self, key: str) -> tuple[int, str]:
        """An audit head `{"seq", "hash"}` (§15.1)."""
        head = self.sub(key)
        head.exact_keys(("seq", "hash"))
        return head.integer("seq", 1), head.hex64("hash")

    def integer(self, key: str, minimum: int = 0) -> int:
        value = self.raw(key)
        if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
            raise fail(f"{self.path}.{key}", "term_integer", value, minimum=minimum)
        return value

    def choice(self, key: str, options: Collection[str]) -> str:
        value = self.raw(key)
        if not isinstance(value, str) or value not in options:
            raise fail(f"{self.path}.{key}", "term_one_of", value, options=" | ".join(options))
        return value

    def time(self, key: str) -> str:
        value = self.matching(key, TIME, "term_time")
        try:  # a real instant, not 2026-02-30
            datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ")
        except ValueError as error:
            raise fail(f"{self.path}.{key}", "term_time", value) from error
        return value

    def array(self, key: str) -> list[Any]:
        value = self.raw(key)
        if not isinstance(value, list):
            raise fail(f"{self.path}.{key}", "term_array", value)
        return value
