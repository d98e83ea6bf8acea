"""Cell parsers of the draw-definition workbook: each returns the value or raises `CellFault`
with what was expected, in Chinese and English."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from typing import Any, TypeVar

from api.importing.normalisation import normalise_text

__all__ = ["Cell", "CellFault", "choice", "code", "count", "date", "is_blank", "optional", "text"]

T = TypeVar("T")
Cell = Any
_CODE = re.compile(r"[A-Za-z0-9._-]{1,64}")


class CellFault(Exception):
    def __init__(self, zh: str, en: str) -> None:
        super().__init__(en)
        self.zh, self.en = zh, en


def is_blank(value: Cell) -> bool:
    return value is None or (isinstance(value, str) and not normalise_text(value))


def text(value: Cell) -> str:
    if is_blank(value):
        raise CellFault("不能为空", "must not be empty")
    text = normalise_text(str(value))
    if len(text) > 200:
        raise CellFault("过长: 最多 200 个字符", "too long: at most 200 characters")
    return text


def code(value: Cell) -> str:
    text = normalise_text(_whole(value) if isinstance(value, float) else str(value or ""))
    if not _CODE.fullmatch(text):
        raise CellFault(
            "代码只能用字母、数字、点、下划线和横线 (1 到 64 个)",
            "a code is 1 to 64 letters, digits, . _ -",
        )
    return text


def _whole(value: float) -> str:
    return str(int(value)) if value.is_integer() else str(value)


def count(value: Cell) -> int:
    if isinstance(value, str) and normalise_text(value).isdigit():
        value = int(normalise_text(value))
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise CellFault("应为大于 0 的整数", "expected a whole number above 0")
    return value


def date(value: Cell) -> str:
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    text = normalise_text(str(value or "")).replace("/", "-").replace(".", "-")
    try:
        return datetime.date.fromisoformat(text).isoformat()
    except ValueError:
        raise CellFault("应为日期, 如 2019-09-01", "expected a date such as 2019-09-01") from None


def choice(words: dict[str, str]) -> Callable[[Cell], str]:
    codes = set(words.values())

    def parse(value: Cell) -> str:
        text = normalise_text(str(value or ""))
        for word, code in words.items():
            if text == code or text.startswith(word):
                return code
        if text in codes:
            return text
        offered = ", ".join(f"{w} ({c})" for w, c in words.items())
        raise CellFault(f"应为以下之一: {offered}", f"expected one of: {offered}")

    return parse


def optional(parse: Callable[[Cell], T]) -> Callable[[Cell], T | None]:
    return lambda value: None if is_blank(value) else parse(value)
