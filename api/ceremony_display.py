"""What the terminal shows the people watching a draw: per-school counts, cutoffs and the
first lines of each list, from a results (or rehearsal) document (protocol §12.1, §16).

Pure: a document in, lines out. Application numbers and lottery numbers only, never a name.
A rehearsal is framed by the 模拟 marking on every block, so a photograph of the screen cannot
pass for the official result.
"""

from __future__ import annotations

from typing import Any

__all__ = ["LINES_SHOWN", "result_lines"]

LINES_SHOWN = 5
_SIMULATED = "【模拟 · 非正式结果 / SIMULATED · not the official result】"


def _school_block(school: dict[str, Any], admitted: list[tuple[str, str]], name: str) -> list[str]:
    cutoff = school.get("cutoff")
    cut = "—" if cutoff is None else f"{cutoff['tier']} / {cutoff['lottery_number']}"
    waitlist = school["waitlist"]
    lines = [
        f"  {school['id']} {name}",
        f"    录取 admitted {school['admitted']} / 计划 seats {school['seats']}"
        f"    候补 waitlist {len(waitlist)}    录取线 cutoff (类别/号码 tier/number) {cut}",
    ]
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
