"""The public lists of a draw as rows: the data the workbook and the CSV lay out, so the two
(and the announcement, built from the same `public_lists`) never disagree.

One `ListRows` per list: each school's admitted list and waitlist on the draw day (signed
`results.json`), and, when the bundle carries post-draw actions (§14), each school's admitted
list and waitlist after them, kept apart (never one header over both).
"""

from __future__ import annotations

from dataclasses import dataclass

from api.documents.messages import seat_word
from api.documents.public_lists import (
    ListedApplicant,
    ListsAfterActions,
    PublicLists,
    SchoolAfterActions,
    SchoolList,
    lists_after_actions,
    public_lists,
)
from lottery import Bundle

__all__ = ["HEADER", "ListRows", "list_rows"]

HEADER = (
    "序号",
    "报名号",
    "姓名",
    "身份证号",
    "摇号号码",
    "本校号码",
    "类别",
    "名额",
    "递补操作",
)
STAGES = {"draw_day": "摇号当天", "after_actions": "递补后"}
KINDS = {"admitted": "录取", "waitlist": "候补"}

Row = tuple[int | str, ...]


@dataclass(frozen=True)
class ListRows:
    """One list of one school: `stage` is `draw_day` or `after_actions`, `kind` `admitted` or
    `waitlist`; `rows` follow `HEADER` (the first column is the line number, or the waitlist
    position; every other value is text)."""

    school_id: str
    school_name: str
    stage: str
    kind: str
    rows: tuple[Row, ...]

    @property
    def title(self) -> str:
        return f"{self.school_name}（{self.school_id}）{STAGES[self.stage]}{KINDS[self.kind]}名单"


def _row(number: int, a: ListedApplicant, seat: str) -> Row:
    moved = "" if a.moved_by is None else f"第 {a.moved_by} 项"
    return (number, a.application, a.masked_name, a.masked_id, a.lottery_number,
            a.school_number, a.tier_label, seat, moved)  # fmt: skip


def _school_tables(
    schools: tuple[SchoolList, ...] | tuple[SchoolAfterActions, ...],
    categories: dict[str, str],
    when: str,
) -> list[ListRows]:
    """Each school's admitted list and waitlist, on the draw day or after the actions."""
    tables = []
    for school in schools:
        admitted = tuple(
            _row(n, a, seat_word(a.label, categories, "zh"))
            for n, a in enumerate(school.admitted, start=1)
        )
        waiting = tuple(_row(a.position or 0, a, "") for a in school.waitlist)
        tables += [
            ListRows(school.school_id, school.name, when, "admitted", admitted),
            ListRows(school.school_id, school.name, when, "waitlist", waiting),
        ]
    return tables


def list_rows(
    bundle: Bundle,
) -> tuple[PublicLists, ListsAfterActions | None, tuple[ListRows, ...]]:
    """The draw's public lists, the lists after its actions (or None), and every list as rows:
    draw day first, then after the actions.

    Raises `UnmaskedPersonalData` if a record is not masked and `UnverifiedActions` if the
    bundle's actions do not check out.
    """
    lists = public_lists(bundle)
    later = lists_after_actions(bundle)
    categories = {c.id: c.label for c in bundle.manifest.rules.categories}
    tables = _school_tables(lists.schools, categories, "draw_day")
    if later is not None:
        tables += _school_tables(later.schools, categories, "after_actions")
    return lists, later, tuple(tables)
