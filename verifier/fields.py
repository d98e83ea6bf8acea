"""Reading fields of a parsed document with clerk-readable errors (protocol §1, §6, §4)."""

from __future__ import annotations

import re
from collections.abc import Collection
from datetime import datetime
from typing import Any

from verifier.errors import CheckFailed

IDENTIFIER = re.compile(r"[A-Za-z0-9._-]{1,64}")  # protocol §1.3
HEX64 = re.compile(r"[0-9a-f]{64}")  # protocol §1.2
HEX16 = re.compile(r"[0-9a-f]{16}")
TIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z")  # protocol §1.5


def fail(path: str, expected: str, found: object) -> CheckFailed:
    """A `CheckFailed` naming the field, what it should hold and what it holds."""
    shown = found if isinstance(found, str) and found.startswith("<") else repr(found)
    return CheckFailed(
        f"{path}: expected {expected}, found {shown}", expected=expected, found=shown
    )


def is_time(value: object) -> bool:
    """True for a time string of protocol §1.5 that names a real instant."""
    if not isinstance(value, str) or not TIME.fullmatch(value):
        return False
    try:
        datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ")
    except ValueError:
        return False
    return True


class Fields:
    """A JSON object under a path (`manifest.schools[3]`), read one typed field at a time."""

    def __init__(self, value: object, path: str) -> None:
        if not isinstance(value, dict):
            raise fail(path, "an object", f"<{type(value).__name__}>")
        self.value: dict[str, Any] = value
        self.path = path

    def exact_keys(self, keys: Collection[str]) -> None:
        """The object has exactly these keys."""
        missing = sorted(set(keys) - set(self.value))
        extra = sorted(set(self.value) - set(keys))
        if missing or extra:
            raise fail(
                self.path, f"exactly the keys {sorted(keys)}", f"<missing {missing}, extra {extra}>"
            )

    def raw(self, key: str) -> Any:
        """The value of `key`, which must be present."""
        if key not in self.value:
            raise fail(f"{self.path}.{key}", "a value", "<nothing>")
        return self.value[key]

    def sub(self, key: str) -> Fields:
        """The object under `key`."""
        return Fields(self.raw(key), f"{self.path}.{key}")

    def string(self, key: str) -> str:
        value = self.raw(key)
        if not isinstance(value, str):
            raise fail(f"{self.path}.{key}", "a string", value)
        return value

    def identifier(self, key: str) -> str:
        value = self.raw(key)
        if not isinstance(value, str) or not IDENTIFIER.fullmatch(value):
            raise fail(f"{self.path}.{key}", "an identifier (1-64 of A-Z a-z 0-9 . _ -)", value)
        return value

    def optional_identifier(self, key: str) -> str | None:
        return None if self.raw(key) is None else self.identifier(key)

    def hex64(self, key: str) -> str:
        value = self.raw(key)
        if not isinstance(value, str) or not HEX64.fullmatch(value):
            raise fail(f"{self.path}.{key}", "64 lowercase hex digits", value)
        return value

    def integer(self, key: str, minimum: int | None = None) -> int:
        value = self.raw(key)
        if not isinstance(value, int) or isinstance(value, bool):
            raise fail(f"{self.path}.{key}", "an integer", value)
        if minimum is not None and value < minimum:
            raise fail(f"{self.path}.{key}", f"an integer >= {minimum}", value)
        return value

    def choice(self, key: str, options: Collection[object]) -> Any:
        value = self.raw(key)
        if not any(type(value) is type(option) and value == option for option in options):
            raise fail(f"{self.path}.{key}", " or ".join(repr(o) for o in options), value)
        return value

    def time(self, key: str) -> str:
        value = self.raw(key)
        if not is_time(value):
            raise fail(f"{self.path}.{key}", "a time YYYY-MM-DDTHH:MM:SSZ", value)
        assert isinstance(value, str)
        return value

    def array(self, key: str) -> list[Any]:
        value = self.raw(key)
        if not isinstance(value, list):
            raise fail(f"{self.path}.{key}", "an array", value)
        return value
