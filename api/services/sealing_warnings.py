"""Warnings at sealing (protocol §6.5, informative): where a sibling group can end without a seat
although seats are free (§10.10), and a draw with no applicants (§6.3).

They are for the bureau, in Chinese and English, shown when it seals (and before, on request);
sealing proceeds. The bureau may add seats, or seal knowing that such a group goes to the second
round (§14.5) or to its manual placement (recorded in the ledger). The engine computes them
(`lottery.sealing_warnings`) from the rules and records the service hands its `seal`; this
module only gives each the flat shape the API answers with.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from lottery import DrawRules, PublicRecord
from lottery import sealing_warnings as engine_warnings

__all__ = ["SealWarning", "sealing_warnings"]


@dataclass(frozen=True)
class SealWarning:
    """One warning: `code`, the groups then the schools it names (`ids`), and its words."""

    code: str
    ids: tuple[str, ...]
    message_zh: str
    message_en: str


def sealing_warnings(rules: DrawRules, records: Sequence[PublicRecord]) -> tuple[SealWarning, ...]:
    """Every warning of §6.5 for these rules and records (the engine's order)."""
    return tuple(
        SealWarning(
            code=w.code,
            ids=(*w.groups, *w.schools),
            message_zh=w.message_zh,
            message_en=w.message_en,
        )
        for w in engine_warnings(rules, records)
    )
