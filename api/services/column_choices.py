"""The clerk's column choices as typed (`HEADER=FIELD`, a header to ignore), checked."""

from __future__ import annotations

from collections.abc import Sequence

from api.errors import InvalidInput
from api.importing import ColumnChoices

__all__ = ["column_choices"]


def column_choices(mapped: Sequence[str], ignored: Sequence[str]) -> ColumnChoices:
    """`ColumnChoices` from `HEADER=FIELD` strings and headers to leave out."""
    pairs = {}
    for item in mapped:
        header, equals, field = item.partition("=")
        if not equals or not header.strip() or not field.strip():
            raise InvalidInput(
                f"列对应应写成 表头=字段, 实为 {item!r}",
                f"a mapping is HEADER=FIELD, found {item!r}",
            )
        pairs[header.strip()] = field.strip()
    return ColumnChoices(mapped=pairs, ignored=frozenset(h.strip() for h in ignored if h.strip()))
