"""What the terminal shows the people watching a draw: per-school counts, cutoffs and the
first lines of each list, from a results (or rehearsal) document (protocol §12.1, §16).

Pure: a document in, lines out. Application numbers and lottery numbers only, never a name.
A rehearsal is framed by the 模拟 marking on every block, so a photograph of the screen cannot
pass for the official result.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from api.services.sealing import SealWarning

__all__ = ["LINES_SHOWN", "result_lines", "warning_lines"]

LINES_SHOWN = 5
_SIMULATED = "【模拟 · 非正式结果 / SIMULATED · not the official result】"


def _school_block(school: dict[str, Any], admitted: list[tuple[str, str]], name: str) -> list[str]:
    waitlist = school["waitlist"]
    lines = [
        f"  {school['id']} {name}",
        f"    录取 admitted {school['admitted']} / 计划 seats {school['seats']}"
        f"    候补 waitlist {len(waitlist)}",
    ]
    for cutoff in school.get("cutoffs") or []:  # §10.8: open first, then each reserved
        label = cutoff["label"]
        title = (
            "普通名额录取线 open-seat cutoff"
            if label == "open"
            else (f"专项名额录取线 reserved cutoff {label.removeprefix('reserved:')}")
        )
        cut = "—" if cutoff["tier"] is None else f"{cutoff['tier']} / {cutoff['lottery_number']}"
        passed = (
            f"    线前未录取 passed over {cutoff['passed_over']}" if cutoff["passed_over"] else ""
        )
        lines.append(f"    {title} (类别/号码 tier/number) {cut}{passed}")
    for category, seats in school.get("reserved") or []:
        lines.append(f"    专项 reserved {category}: {seats}")
    if admitted:
        lines.append(
            f"    录取名单前 {min(LINES_SHOWN, len(admitted))} 行 / first admitted (报名号 摇号号码):"
        )
        lines += [f"      {app}  {number}" for number, app in sorted(admitted)[:LINES_SHOWN]]
    if waitlist:
        lines.append(
            f"    候补名单前 {min(LINES_SHOWN, len(waitlist))} 行 / first on the waitlist:"
        )
        lines += [f"      {i}. {app}" for i, app in enumerate(waitlist[:LINES_SHOWN], start=1)]
    return lines


def result_lines(
    document: dict[str, Any], *, school_names: dict[str, str], simulated: bool
) -> list[str]:
    """The per-school summary of a results or rehearsal document."""
    admitted: dict[str, list[tuple[str, str]]] = {}
    for application, number, status, school, _label in document["applicants"]:
        if status == "admitted" and school is not None:
            admitted.setdefault(school, []).append((number, application))
    total = sum(len(rows) for rows in admitted.values())
    head = _SIMULATED if simulated else "【正式结果 / OFFICIAL RESULT】"
    lines = [head, f"考生 applicants {len(document['applicants'])}    录取 admitted {total}"]
    for school in document["schools"]:
        name = school_names.get(school["id"], "")
        lines += _school_block(school, admitted.get(school["id"], []), name)
    if simulated:
        lines.append(_SIMULATED)
    return lines


def warning_lines(warnings: Sequence[SealWarning]) -> list[str]:
    """The warnings of sealing (§6.5) as the bureau reads them; nothing if there are none."""
    if not warnings:
        return []
    lines = [
        f"封存提示 {len(warnings)} 条 (已封存, 仅供知悉) / "
        f"{len(warnings)} sealing warning(s) (sealed all the same; for the bureau to know):"
    ]
    for w in warnings:
        lines += [f"  ! {w.message_zh}", f"    {w.message_en}"]
    return lines
