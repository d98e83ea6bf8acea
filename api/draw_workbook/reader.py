"""`lottery create FILE.xlsx`: the draw-definition workbook read into a `DrawCreate`.

Every cell is checked where it is, and every fault is reported at once, each naming the sheet,
the cell and what is wrong ("工作表“学校 schools”单元格 C3 (招生计划 seats): 应为大于 0 的整数 /
sheet '学校 schools' cell C3 (招生计划 seats): expected a whole number above 0"). Nothing is
created unless the whole workbook is right; the engine then checks the rules as for JSON.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from api.draw_workbook import cells
from api.draw_workbook.book import Book, Place, read_sheets
from api.draw_workbook.layout import (
    BEACON_FORMATS,
    CATEGORIES,
    LEVELS,
    MODES,
    RESERVED,
    SCHOOLS,
    SETTING_KEYS,
    TIE_BREAKING,
    TIERS,
    TWINS,
)
from api.errors import InvalidInput, Problem
from api.schemas import DrawCreate

__all__ = ["read_draw_workbook"]

_SETTING_PARSERS = {
    "id": cells.code,
    "title": cells.text,
    "mode": cells.choice(MODES),
    "max_preferences": cells.count,
    "tie_breaking": cells.optional(cells.choice(TIE_BREAKING)),
    "min_reveals": cells.count,
    "birth_date_from": cells.date,
    "birth_date_to": cells.date,
    "beacon_source": cells.optional(cells.text),
    "beacon_round": cells.optional(cells.text),
    "beacon_format": cells.optional(cells.choice(BEACON_FORMATS)),
    "sealing_announcement": cells.optional(cells.text),
}


def read_draw_workbook(data: bytes, *, filename: str) -> DrawCreate:
    """The draw the workbook defines, or `InvalidInput` listing every faulty cell."""
    book = Book(read_sheets(data, filename))
    settings = _settings(book)
    schools = _schools(book)
    categories = _categories(book)
    if book.problems:
        raise _invalid(book.problems, filename)
    spec = {**settings, "schools": schools, "categories": categories}
    try:
        return DrawCreate.model_validate(spec)
    except ValidationError as error:
        problems = [
            Problem(".".join(str(p) for p in d["loc"]), "格式不符", d["msg"])
            for d in error.errors()
        ]
        raise _invalid(problems, filename) from None


def _invalid(problems: list[Problem], filename: str) -> InvalidInput:
    return InvalidInput(
        f"抽签定义文件 {filename} 有 {len(problems)} 处错误; 未创建抽签",
        f"the draw workbook {filename} has {len(problems)} fault(s); no draw was created",
        problems=tuple(problems),
    )


def _settings(book: Book) -> dict[str, Any]:
    sheet, places = book.settings()
    values: dict[str, Any] = {}
    for setting in SETTING_KEYS:
        place = places.get(setting.key)
        if place is not None:
            values[setting.key] = book.read(
                sheet, place, setting.label, _SETTING_PARSERS[setting.key]
            )
    spec: dict[str, Any] = {
        key: values.get(key)
        for key in (
            "id",
            "title",
            "mode",
            "max_preferences",
            "min_reveals",
            "birth_date_from",
            "birth_date_to",
        )
    }
    spec["tie_breaking"] = values.get("tie_breaking") or "single"
    spec["sealing_announcement"] = values.get("sealing_announcement")
    source, round_ = values.get("beacon_source"), values.get("beacon_round")
    if source and round_:
        fmt = values.get("beacon_format") or "hex64"
        spec["beacon"] = {"primary": {"source": source, "round": round_, "format": fmt}}
    elif (source or round_) and "beacon_source" in places:
        place = places["beacon_source"]
        assert place is not None
        book.fault(
            sheet,
            place[0],
            1,
            "信标来源 beacon source",
            source,
            cells.CellFault(
                "信标来源和信标轮次须同时填写或同时留空",
                "give both the beacon source and its round, or neither",
            ),
        )
    return spec


def _schools(book: Book) -> list[dict[str, Any]]:
    sheet, rows = book.table(SCHOOLS)
    schools: dict[str, dict[str, Any]] = {}
    for row in rows:
        code = _cell(book, sheet, row, "id", SCHOOLS.header("id"), cells.code)
        school = {
            "name": _cell(book, sheet, row, "name", SCHOOLS.header("name"), cells.text),
            "seats": _cell(book, sheet, row, "seats", SCHOOLS.header("seats"), cells.count),
            "level": _cell(
                book, sheet, row, "level", "学段 level", cells.optional(cells.choice(LEVELS))
            )
            or "primary",
            "tiers": [],
            "reserved": [],
        }
        max_size = _cell(book, sheet, row, "max_size", "班额上限", cells.optional(cells.count))
        if max_size is not None:
            school["classes"] = {
                "count": _cell(book, sheet, row, "classes", "班级数", cells.optional(cells.count)),
                "max_size": max_size,
                "twins": _cell(
                    book, sheet, row, "twins", "多胞胎编班", cells.optional(cells.choice(TWINS))
                )
                or "apart",
            }
        if code is not None:
            if code in schools:
                _duplicate(book, sheet, row["id"], SCHOOLS.header("id"), code)
            schools[code] = {"id": code, **school}
    _attach_tiers(book, schools)
    _attach_reserved(book, schools)
    return list(schools.values())


def _attach_tiers(book: Book, schools: dict[str, dict[str, Any]]) -> None:
    sheet, rows = book.table(TIERS)
    for row in rows:
        school = _school_of(book, sheet, row, schools, TIERS.header("school"))
        code = _cell(book, sheet, row, "id", TIERS.header("id"), cells.code)
        label = _cell(book, sheet, row, "label", TIERS.header("label"), cells.text)
        if school is not None and code is not None and label is not None:
            school["tiers"].append({"id": code, "label": label})
    for code, school in schools.items():
        if not school["tiers"]:
            book.problems.append(
                Problem(
                    TIERS.name,
                    f"学校 {code} 在工作表“{TIERS.name}”中没有任何类别; 至少列出一个",
                    f"school {code} has no tier on sheet '{TIERS.name}'; list at least one",
                )
            )


def _attach_reserved(book: Book, schools: dict[str, dict[str, Any]]) -> None:
    sheet, rows = book.table(RESERVED, optional=True)
    for row in rows:
        school = _school_of(book, sheet, row, schools, RESERVED.header("school"))
        category = _cell(book, sheet, row, "category", RESERVED.header("category"), cells.code)
        seats = _cell(book, sheet, row, "seats", RESERVED.header("seats"), cells.count)
        if school is not None and category is not None and seats is not None:
            school["reserved"].append({"category": category, "seats": seats})


def _categories(book: Book) -> list[dict[str, Any]]:
    sheet, rows = book.table(CATEGORIES, optional=True)
    out = []
    for row in rows:
        code = _cell(book, sheet, row, "id", CATEGORIES.header("id"), cells.code)
        label = _cell(book, sheet, row, "label", CATEGORIES.header("label"), cells.text)
        if code is not None and label is not None:
            out.append({"id": code, "label": label})
    return sorted(out, key=lambda c: str(c["id"]).encode("ascii"))


def _cell(book: Book, sheet: str, row: dict[str, Place], key: str, what: str, parse: Any) -> Any:
    place = row.get(key)
    if place is None:
        return None
    return book.read(sheet, place, what, parse)


def _school_of(
    book: Book, sheet: str, row: dict[str, Place], schools: dict[str, dict[str, Any]], what: str
) -> dict[str, Any] | None:
    code = _cell(book, sheet, row, "school", what, cells.code)
    if code is None:
        return None
    if code not in schools:
        place = row["school"]
        book.fault(
            sheet,
            place[0],
            place[1],
            what,
            code,
            cells.CellFault(
                f"学校代码 {code} 不在工作表“{SCHOOLS.name}”中",
                f"school {code} is not on sheet '{SCHOOLS.name}'",
            ),
        )
        return None
    return schools[code]


def _duplicate(book: Book, sheet: str, place: Place, what: str, code: str) -> None:
    book.fault(
        sheet,
        place[0],
        place[1],
        what,
        code,
        cells.CellFault(f"学校代码 {code} 重复", f"school id {code} appears twice"),
    )
