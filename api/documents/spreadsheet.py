"""The public lists as an Excel workbook (openpyxl): a summary sheet, then one sheet per school
with its admitted list and waitlist (protocol §10.6, §12.2), the same data as the announcement.

The workbook is what a school enrols from, so when the bundle carries post-draw actions (§14)
every sheet adds, below the draw day's signed lists and labelled apart, the lists as they stand
after them: admitted after actions (who moved in, by which action) and the waitlists after
actions, with their positions now (§14.2), and the summary adds the totals after actions.

Application numbers, masked ID numbers and lottery numbers are stored as text (cell type string,
number format `@`), so that Excel never turns `00012` into 12 or a hex number into a date.
The bytes are deterministic: document times come from the draw and the zip entries carry a
fixed timestamp.
"""

from __future__ import annotations

import datetime
import io
import re
import zipfile

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet

from api.documents.public_lists import (
    ListsAfterActions,
    PublicLists,
    SchoolAfterActions,
    SchoolList,
    lists_after_actions,
    public_lists,
)
from api.documents.wording import MODE_TEXT, STATUS_TEXT, label_text, verify_command
from lottery import Bundle

__all__ = ["results_xlsx"]

_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
_MODIFIED = re.compile(rb"(<dcterms:modified[^>]*>)([^<]*)(</dcterms:modified>)")
_TEXT = "@"
_BAD_SHEET_CHARACTERS = str.maketrans({c: "_" for c in "[]:*?/\\"})
_HEADER = (
    "名单 List",
    "序号 No.",
    "报名号 Application",
    "姓名 Name",
    "身份证号 ID number",
    "摇号号码 Lottery number",
    "本校号码 Number at this school",
    "类别 Tier",
    "名额 Seat",
)
_WIDTHS = (14, 8, 18, 12, 22, 20, 20, 16, 26)
_MOVED_HEADER = "递补 Moved in"
_DRAW_DAY_FIRST = (
    "上为摇号当天名单（已签名的 results.json），递补后名单见下方 (the draw day's lists first, as "
    "signed in results.json; the lists after the post-draw actions follow below)"
)
_MOVED_WIDTH = 18


def _write_row(sheet: Worksheet, values: tuple[object, ...], *, bold: bool = False) -> None:
    # Cells are styled before they are appended: looking the new row up again through
    # `sheet.max_row` scans every row each time, which made a 150,000-row list quadratic.
    cells = []
    for value in values:
        cell = Cell(sheet, value=value)
        if isinstance(value, str):
            cell.number_format = _TEXT
        if bold:
            cell.font = Font(bold=True)
        cells.append(cell)
    sheet.append(cells)


def _summary(sheet: Worksheet, lists: PublicLists) -> None:
    facts = lists.facts
    for label, value in (
        ("标题 Title", facts.title),
        ("摇号编号 Draw", facts.draw_id),
        ("主办 Authority", facts.authority),
        ("方式 Mode", MODE_TEXT.get(facts.mode, facts.mode)),
        ("封存时间 Sealed at", facts.sealed_at),
        ("报名人数 Applicants", facts.applicant_count),
        ("方案摘要 Manifest digest", facts.manifest_digest),
        ("随机种子 Seed", facts.seed),
        ("结果摘要 Results digest", facts.results_digest),
        ("签名公钥指纹 Signing key fingerprint", facts.key_fingerprint),
        ("验证 Verify", verify_command(facts.manifest_digest, facts.key_fingerprint)),
        *((STATUS_TEXT[s], n) for s, n in lists.status_counts),
    ):
        _write_row(sheet, (label, value))
    _write_row(sheet, ())
    header = ("学校 School", "名称 Name", "计划 Plan", "录取 Admitted", "候补 Waitlist",
              "截止类别 Cutoff tier", "截止号码 Cutoff number")  # fmt: skip
    tiers = sorted({tier for school in lists.schools for tier, _, _ in school.by_tier})
    _write_row(sheet, (*header, *(f"类别 tier {t}" for t in tiers)), bold=True)
    for school in lists.schools:
        counts = {tier: n for tier, _, n in school.by_tier}
        cutoff_tier = school.cutoff_tier[0] if school.cutoff_tier is not None else ""
        _write_row(
            sheet,
            (school.school_id, school.name, school.seats, school.admitted_count,
             len(school.waitlist), cutoff_tier, school.cutoff_number or "",
             *(counts.get(t, "") for t in tiers)),
        )  # fmt: skip
    sheet.column_dimensions["A"].width = 30
    sheet.column_dimensions["B"].width = 70


def _actions_text(later: ListsAfterActions) -> str:
    n, at = later.action_count, later.last_action_at
    return (
        f"已计入 {n} 项发布后递补操作，截至 {at} (includes {n} post-draw action(s) up to {at}, §14)"
    )


def _summary_after_actions(sheet: Worksheet, later: ListsAfterActions) -> None:
    """The totals after the post-draw actions, below the draw day's (§14.2)."""
    _write_row(sheet, ())
    _write_row(sheet, ("递补后 After post-draw actions", _actions_text(later)), bold=True)
    _write_row(sheet, ("递补记录摘要 Actions digest", later.actions_digest))
    for status, n in later.status_counts:
        _write_row(sheet, (f"{STATUS_TEXT[status]}（递补后 after actions）", n))
    _write_row(sheet, ())
    header = ("学校 School", "名称 Name", "计划 Plan", "递补后录取 Admitted after actions",
              "递补后候补 Waitlist after actions")  # fmt: skip
    _write_row(sheet, header, bold=True)
    for school in later.schools:
        _write_row(
            sheet,
            (school.school_id, school.name, school.seats, len(school.admitted),
             len(school.waitlist)),
        )  # fmt: skip


def _school_after_actions(
    sheet: Worksheet,
    school: SchoolAfterActions,
    later: ListsAfterActions,
    categories: dict[str, str],
) -> None:
    """The school's lists after the post-draw actions, below its draw-day lists (§14.2)."""
    _write_row(sheet, ())
    _write_row(sheet, ("递补后 After post-draw actions", _actions_text(later)), bold=True)
    _write_row(sheet, (*_HEADER, _MOVED_HEADER), bold=True)
    for n, a in enumerate(school.admitted, start=1):
        moved = "" if a.moved_by is None else f"第 {a.moved_by} 项 action {a.moved_by}"
        _write_row(
            sheet,
            ("递补后录取 admitted after actions", n, a.application, a.masked_name, a.masked_id,
             a.lottery_number, a.school_number, a.tier_label, label_text(a.label, categories),
             moved),
        )  # fmt: skip
    for a in school.waitlist:
        _write_row(
            sheet,
            ("递补后候补 waitlist after actions", a.position, a.application, a.masked_name,
             a.masked_id, a.lottery_number, a.school_number, a.tier_label, "", ""),
        )  # fmt: skip
    sheet.column_dimensions["J"].width = _MOVED_WIDTH


def _school_sheet(
    sheet: Worksheet, school: SchoolList, categories: dict[str, str], *, has_actions: bool
) -> None:
    title: tuple[str, ...] = (f"{school.name} ({school.school_id})", f"计划 Plan {school.seats}")
    if has_actions:
        title += (_DRAW_DAY_FIRST,)
    _write_row(sheet, title)
    _write_row(sheet, _HEADER, bold=True)
    for n, a in enumerate(school.admitted, start=1):
        _write_row(
            sheet,
            ("录取 admitted", n, a.application, a.masked_name, a.masked_id, a.lottery_number,
             a.school_number, a.tier_label, label_text(a.label, categories)),
        )  # fmt: skip
    for a in school.waitlist:
        _write_row(
            sheet,
            ("候补 waitlist", a.position, a.application, a.masked_name, a.masked_id,
             a.lottery_number, a.school_number, a.tier_label, ""),
        )  # fmt: skip
    for column, width in zip("ABCDEFGHI", _WIDTHS, strict=True):
        sheet.column_dimensions[column].width = width
    sheet.freeze_panes = "A3"


def _sheet_titles(lists: PublicLists) -> list[str]:
    """Excel sheet names: at most 31 characters, none of `[]:*?/\\`, unique."""
    titles: list[str] = []
    for n, school in enumerate(lists.schools, start=1):
        title = school.school_id.translate(_BAD_SHEET_CHARACTERS)[:31]
        if title.casefold() in {t.casefold() for t in titles}:
            title = f"{title[:24]}~{n}"
        titles.append(title)
    return titles


def _fixed_zip(data: bytes, *, modified: str) -> bytes:
    """The same zip with every entry's time fixed and entries in a stable order.

    openpyxl stamps the wall-clock time into docProps/core.xml on every save, whatever the
    workbook's properties say; that stamp is replaced by `modified` so the bytes are stable.
    """
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for name in source.namelist():
            info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            content = source.read(name)
            if name == "docProps/core.xml":
                content = _MODIFIED.sub(
                    lambda m: m.group(1) + modified.encode() + m.group(3), content
                )
            target.writestr(info, content)
    return buffer.getvalue()


def results_xlsx(bundle: Bundle) -> bytes:
    """The public lists of a read bundle as an .xlsx workbook (bytes): the draw day's, and
    after its post-draw actions if it has any.

    Raises `UnmaskedPersonalData` (and writes nothing) if any listed record is not masked, and
    `UnverifiedActions` if the bundle's actions do not check out.
    """
    lists = public_lists(bundle)
    later = lists_after_actions(bundle)
    categories = {c.id: c.label for c in bundle.manifest.rules.categories}
    workbook = Workbook()
    summary = workbook.active
    assert summary is not None
    summary.title = "Summary 汇总"
    _summary(summary, lists)
    if later is not None:
        _summary_after_actions(summary, later)
    for n, (school, title) in enumerate(zip(lists.schools, _sheet_titles(lists), strict=True)):
        sheet = workbook.create_sheet(title)
        _school_sheet(sheet, school, categories, has_actions=later is not None)
        if later is not None:
            _school_after_actions(sheet, later.schools[n], later, categories)
    # After actions the workbook is of the time of the last action it includes.
    modified = lists.facts.sealed_at if later is None else later.last_action_at
    workbook.properties.created = _time(lists.facts.sealed_at)
    workbook.properties.modified = _time(modified)
    workbook.properties.creator = "sunshine draw"
    workbook.properties.title = f"{lists.facts.title} 公示名单"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return _fixed_zip(buffer.getvalue(), modified=modified)


def _time(value: str) -> datetime.datetime:
    return datetime.datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ")
