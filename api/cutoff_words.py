"""A school's cutoffs in a parent's words (protocol §10.8): one per seat label, the open seats
first, then each reserved category, each with the tier and lottery number of the last child
admitted on it, and, when `passed_over` is more than zero, the sentence that says why children
ranked above the line were not admitted there.

The words are the page catalogue's (`cutoff.*`), so the look-up page, the letters, the
announcement and the draw record say the same thing in Chinese and in English.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = ["CutoffLine", "cutoff_lines", "cutoff_text"]


@dataclass(frozen=True)
class CutoffLine:
    """One cutoff as read: `title` (普通名额录取线 / Open-seat cutoff), `value` (tier label and
    lottery number, or that nobody was admitted on these seats), `note` (the passed-over
    sentence, or None), and the raw `label`, `tier`, `number` and `passed_over`."""

    label: str
    title: str
    value: str
    note: str | None
    tier: str | None
    number: str | None
    passed_over: int


def cutoff_lines(
    language: str,
    cutoffs: Sequence[Mapping[str, Any]] | None,
    *,
    tier_labels: Mapping[str, str],
    categories: Mapping[str, str],
) -> tuple[CutoffLine, ...]:
    """The school's `cutoffs` (as in `results.json`, §12.2) in `language` (`zh` or `en`)."""
    from api.pages.messages import Messages  # here: `api.pages` imports the pages, which use this

    t = Messages(language)
    lines = []
    for cutoff in cutoffs or ():
        label = str(cutoff["label"])
        if label == "open":
            title = t("cutoff.open")
        else:
            category = label.removeprefix("reserved:")
            title = t("cutoff.reserved", category=categories.get(category, category))
        tier, number = cutoff.get("tier"), cutoff.get("lottery_number")
        value = (
            t("cutoff.none")
            if tier is None or number is None
            else t("cutoff.value", tier=tier_labels.get(str(tier), str(tier)), number=number)
        )
        passed = int(cutoff.get("passed_over") or 0)
        note = t("cutoff.passed_over", count=passed) if passed > 0 else None
        lines.append(
            CutoffLine(
                label=label,
                title=title,
                value=value,
                note=note,
                tier=None if tier is None else str(tier),
                number=None if number is None else str(number),
                passed_over=passed,
            )
        )
    return tuple(lines)


def cutoff_text(line: CutoffLine, language: str) -> str:
    """`title：value` (Chinese) or `title: value` (English), the note after it if any."""
    colon = "：" if language == "zh" else ": "
    text = f"{line.title}{colon}{line.value}"
    if line.note is not None:
        text += ("" if language == "zh" else " ") + line.note
    return text
