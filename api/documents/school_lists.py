"""A school's own lists: the class lists (均衡编班, protocol §11) and, for the admitting school
only, its admitted list and class lists with the children's full names and ID numbers, so that
it can register its pupils.

The class lists are the draw day's, as signed in `results.json` (§12.2 `classes`). The masked
class list (`class_lists_pdf`) is public; the unmasked workbook (`school_register_xlsx`) takes
the private data as an argument and is never public: the service gives it to the operator only
and writes each download to the audit log (`api.documents.stored`).
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from dataclasses import dataclass

from openpyxl import Workbook
from reportlab.platypus import Flowable

from api.documents.errors import InvalidDocumentInput, UnknownApplication
from api.documents.list_rows import list_rows
from api.documents.messages import words
from api.documents.pdf import build_pdf, heading, list_table, paragraph, text
from api.documents.public_lists import check_masked
from api.documents.spreadsheet import fixed_zip, text_row, xlsx_time
from lottery import Bundle

__all__ = ["PrivateLine", "class_lists_pdf", "class_rows", "school_register_xlsx"]

_SEX = {"F": "女", "M": "男"}


@dataclass(frozen=True)
class PrivateLine:
    """A child's private data for the school's register (never published)."""

    name: str
    id_number: str


def class_rows(bundle: Bundle, school_id: str) -> tuple[tuple[str, ...], ...]:
    """The school's classes on the draw day, each a tuple of applications (§11, §12.2)."""
    entry = next((e for e in bundle.results["schools"] if e["id"] == school_id), None)
    if entry is None:
        raise InvalidDocumentInput(f"school: {school_id!r} is not a school of this draw")
    classes = entry.get("classes")
    return () if classes is None else tuple(tuple(str(a) for a in c) for c in classes)


def class_lists_pdf(bundle: Bundle) -> bytes:
    """The masked class lists (均衡编班) of every school with classes, one table per class."""
    records = {r.application: r for r in bundle.records}
    rules = bundle.manifest.rules
    w = words("zh")
    story: list[Flowable] = [
        paragraph(text(rules.title), "title"),
        paragraph(text("均衡编班名单"), "subtitle"),
    ]
    for school in rules.schools:
        classes = class_rows(bundle, school.id)
        if not classes:
            continue
        story.append(heading(f"{school.name}（{school.id}）"))
        for n, members in enumerate(classes, start=1):
            girls = sum(1 for a in members if records[a].sex == "F")
            story.append(
                heading(f"第 {n} 班　{len(members)} 人（女 {girls}，男 {len(members) - girls}）",
                        style="h2")
            )  # fmt: skip
            rows = []
            for k, application in enumerate(members, start=1):
                record = records[application]
                check_masked(record)
                rows.append((k, application, record.masked_name, _SEX.get(record.sex, "")))
            story += list_table((w["no"], w["application"], w["name"], "性别"), rows)
    if len(story) == 2:
        story.append(paragraph(text("本次摇号没有编班规则。")))
    return build_pdf(
        story,
        title=f"{rules.title} 均衡编班名单",
        footer=f"{rules.draw_id}",
        created_at=bundle.manifest.sealed_at,
        identity=b"classes\x00" + bundle.files["results.json"],
    )


def school_register_xlsx(
    bundle: Bundle, school_id: str, private: Mapping[str, PrivateLine]
) -> bytes:
    """The admitting school's register: its admitted children now (after the actions, if
    any) and its classes, with full names and ID numbers. NOT PUBLIC."""
    _, later, tables = list_rows(bundle)
    stage = "draw_day" if later is None else "after_actions"
    admitted = next(
        (
            t
            for t in tables
            if t.school_id == school_id and t.kind == "admitted" and t.stage == stage
        ),
        None,
    )
    if admitted is None:
        raise InvalidDocumentInput(f"school: {school_id!r} is not a school of this draw")
    records = {r.application: r for r in bundle.records}
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "录取名单"
    header = ("序号", "报名号", "姓名", "身份证号", "性别", "摇号号码", "类别", "名额")
    sheet.append(text_row(sheet, header, bold=True))
    for row in admitted.rows:
        line = _private(private, str(row[1]))
        sex = _SEX.get(records[str(row[1])].sex, "")
        values = (row[0], row[1], line.name, line.id_number, sex, row[4], row[6], row[7])
        sheet.append(text_row(sheet, values))
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:H{max(len(admitted.rows) + 1, 2)}"
    sheet.print_title_rows = "1:1"
    classes = workbook.create_sheet("编班名单")
    classes.append(
        text_row(classes, ("班级", "序号", "报名号", "姓名", "身份证号", "性别"), bold=True)
    )
    for n, members in enumerate(class_rows(bundle, school_id), start=1):
        for k, application in enumerate(members, start=1):
            line = _private(private, application)
            sex = _SEX.get(records[application].sex, "")
            classes.append(
                text_row(classes, (f"第 {n} 班", k, application, line.name, line.id_number, sex))
            )
    classes.freeze_panes = "A2"
    classes.print_title_rows = "1:1"
    at = bundle.manifest.sealed_at if later is None else later.last_action_at
    workbook.properties.created = xlsx_time(bundle.manifest.sealed_at)
    workbook.properties.modified = xlsx_time(at)
    workbook.properties.creator = "sunshine draw"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return fixed_zip(buffer.getvalue(), modified=at)


def _private(private: Mapping[str, PrivateLine], application: str) -> PrivateLine:
    line = private.get(application)
    if line is None:
        raise UnknownApplication(f"application {application}: no private data given")
    return line
