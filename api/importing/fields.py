"""One value at a time: each parser normalises a cell, checks it and returns it or raises.

Parsers raise `InvalidValue` with bilingual messages; the row reader turns them
into problems located at the cell. Nothing here knows about rows or files.
"""

from __future__ import annotations

import datetime
import re

from api.importing.id_number import IdNumberFacts, number_lost_digits, parse_id_number
from api.importing.model import ImportRules
from api.importing.normalisation import (
    normalise_id_number,
    normalise_name,
    normalise_text,
    split_list,
)
from api.importing.report import InvalidValue, Message
from api.importing.table import Cell, cell_text

__all__ = [
    "check_birth_window",
    "parse_category",
    "parse_code",
    "parse_id_number_cell",
    "parse_name",
    "parse_school",
    "parse_tiers",
]

_CODE = re.compile(r"[A-Za-z0-9._-]{1,64}")
_COLON_WITH_SPACES = re.compile(r"\s*:\s*")
_MAX_NAME_LENGTH = 64
# '?' and U+FFFD are what a character becomes when a file is saved in an
# encoding that cannot hold it (rare characters in names, in GBK).
_LOST_CHARACTERS = re.compile("[?\ufffd]")
_DIGIT = re.compile(r"\d")


def parse_code(cell: Cell) -> str:
    """A code (school, tier, category, group, application): ASCII letters, digits, . _ -."""
    code = normalise_text(cell_text(cell))
    if not _CODE.fullmatch(code):
        raise InvalidValue(
            Message(
                zh=f"代码“{code}”无效: 只能包含字母、数字、点、下划线和连字符, 1 到 64 个字符",
                en=f"invalid code '{code}': use 1 to 64 characters among A-Z a-z 0-9 . _ -",
            )
        )
    return code


def parse_name(cell: Cell) -> str:
    """A name in its one normalised spelling."""
    name = normalise_name(cell_text(cell))
    if not name:
        raise InvalidValue(Message(zh="姓名不能为空", en="the name is empty"))
    if _LOST_CHARACTERS.search(name):
        raise InvalidValue(
            Message(
                zh="姓名中有“?”: 保存文件时丢失了字符 (生僻字); 请另存为 CSV UTF-8 或 .xlsx",
                en="the name contains '?': a character was lost when the file was saved "
                "(a rare character); save it as CSV UTF-8 or .xlsx",
            )
        )
    if _DIGIT.search(name) or not name.isprintable():
        raise InvalidValue(
            Message(
                zh="姓名中不能有数字或控制字符 (是否填错了列?)",
                en="a name cannot contain digits or control characters (wrong column?)",
            )
        )
    if len(name) > _MAX_NAME_LENGTH:
        raise InvalidValue(
            Message(
                zh=f"姓名过长: 最多 {_MAX_NAME_LENGTH} 个字符",
                en=f"the name is too long: at most {_MAX_NAME_LENGTH} characters",
            )
        )
    return name


def parse_id_number_cell(cell: Cell) -> tuple[str, IdNumberFacts]:
    """The normalised ID number and what it says; a number cell has already lost digits."""
    if isinstance(cell, int | float) and not isinstance(cell, bool):
        raise number_lost_digits()
    id_number = normalise_id_number(cell_text(cell))
    return id_number, parse_id_number(id_number)


def check_birth_window(birth_date: datetime.date, rules: ImportRules) -> None:
    """Entry age: the birth date must fall in the draw's inclusive range."""
    if rules.birth_date_from <= birth_date <= rules.birth_date_to:
        return
    low, high = rules.birth_date_from.isoformat(), rules.birth_date_to.isoformat()
    raise InvalidValue(
        Message(
            zh=f"出生日期 {birth_date.isoformat()} 不在本次招生的范围内 ({low} 至 {high})",
            en=f"birth date {birth_date.isoformat()} is outside the eligible range {low} to {high}",
        )
    )


def parse_school(code: str, rules: ImportRules) -> str:
    """A school code of this draw (codes compare exactly; a case slip gets a hint).

    `code` must already be normalised (it comes from split_list or normalise_text).
    """
    if code in rules.schools:
        return code
    code = parse_code(code)
    near = sorted(school for school in rules.schools if school.casefold() == code.casefold())
    hint_zh = f"; 是否应为 {near[0]}?" if near else ""
    hint_en = f"; did you mean {near[0]}?" if near else ""
    raise InvalidValue(
        Message(zh=f"未知的学校代码 {code}{hint_zh}", en=f"unknown school code {code}{hint_en}")
    )


def parse_category(cell: Cell, rules: ImportRules) -> str:
    """A reserved-seat category of this draw, or '' when the cell is empty."""
    if not normalise_text(cell_text(cell)):
        return ""
    category = parse_code(cell)
    if category not in rules.categories:
        allowed = ", ".join(sorted(rules.categories)) or "(无 / none)"
        raise InvalidValue(
            Message(
                zh=f"未知的专项类别 {category}; 可用: {allowed}",
                en=f"unknown category {category}; allowed: {allowed}",
            )
        )
    return category


def parse_tiers(
    cell: Cell, *, preferences: tuple[str, ...], rules: ImportRules
) -> tuple[tuple[str, str], ...]:
    """(school, tier) pairs sorted by school, from `T1` (every school) or `S01:T1;S02:T3`.

    Raises InvalidValue listing every faulty pair.
    """
    items = split_list(_COLON_WITH_SPACES.sub(":", cell_text(cell).replace("：", ":")))
    if not items:
        return ()
    if any(":" in item for item in items):
        pairs = [_tier_pair(item) for item in items]
    elif len(items) == 1:
        tier = parse_code(items[0])
        pairs = [(school, tier) for school in preferences]
    else:
        raise InvalidValue(_TIER_SHAPE)
    faults = _tier_faults(pairs, preferences=preferences, rules=rules)
    if faults:
        raise InvalidValue(*faults)
    return tuple(sorted(pairs))


_TIER_SHAPE = Message(
    zh="类别应为一个类别代码 (适用于所有志愿学校), 或“学校:类别”对, 例如 S01:T1;S02:T3",
    en="give one tier code (for every listed school) or SCHOOL:TIER pairs, e.g. S01:T1;S02:T3",
)


def _tier_pair(item: str) -> tuple[str, str]:
    school, colon, tier = item.partition(":")
    if not colon or not school or not tier or ":" in tier:
        raise InvalidValue(_TIER_SHAPE)
    return parse_code(school), parse_code(tier)


def _tier_faults(
    pairs: list[tuple[str, str]], *, preferences: tuple[str, ...], rules: ImportRules
) -> list[Message]:
    faults: list[Message] = []
    seen: set[str] = set()
    for school, tier in pairs:
        if school in seen:
            faults.append(
                Message(zh=f"学校 {school} 的类别重复", en=f"school {school} is given a tier twice")
            )
        seen.add(school)
        if school not in preferences:
            faults.append(
                Message(
                    zh=f"为学校 {school} 填写了类别, 但该校不在志愿中",
                    en=f"a tier is given for school {school}, which is not among the preferences",
                )
            )
        elif tier not in rules.tiers_by_school.get(school, ()):
            allowed = ", ".join(rules.tiers_by_school.get(school, ())) or "(无 / none)"
            faults.append(
                Message(
                    zh=f"类别 {tier} 不是学校 {school} 的类别; 可用: {allowed}",
                    en=f"tier {tier} is not a tier of school {school}; allowed: {allowed}",
                )
            )
    return faults
