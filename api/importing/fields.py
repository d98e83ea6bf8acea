"""One value at a time: each parser normalises a cell, checks it and returns it or raises.

Parsers raise `InvalidValue` with bilingual messages; the row reader turns them
into problems located at the cell. Nothing here knows about rows or files.
"""

from __future__ import annotations

import datetime
import re
import unicodedata

from api.importing.id_number import IdNumberFacts, number_lost_digits, parse_id_number
from api.importing.model import ImportRules
from api.importing.normalisation import (
    HAN_CHARACTER,
    normalise_id_number,
    normalise_name,
    normalise_text,
)
from api.importing.report import InvalidValue, Message
from api.importing.table import Cell, cell_text

__all__ = ["check_birth_window", "parse_code", "parse_id_number_cell", "parse_name"]

_CODE = re.compile(r"[A-Za-z0-9._-]{1,64}")
_MAX_NAME_LENGTH = 64
# '?' and U+FFFD are what a character becomes when a file is saved in an
# encoding that cannot hold it (rare characters in names, in GBK).
_LOST_CHARACTERS = re.compile("[?\ufffd]")
_DIGIT = re.compile(r"\d")
# CJK extensions the masking rule's HAN_CHARACTER does not list: I (U+2EBF0..U+2EE5F) and
# H (U+31350..U+323AF); B to G and the compatibility supplement are in HAN_CHARACTER.
_RARE_HAN = re.compile("[\U0002ebf0-\U0002ee5f\U00031350-\U000323af]")
# What Excel would run as a formula if the name were written back into a workbook.
_FORMULA_START = ("=", "+", "-", "@")
# Unicode categories a typed name never holds: controls, format characters (bidirectional
# overrides, invisible joiners left after normalisation), surrogates, private use, unassigned.
_NOT_IN_NAMES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})


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
    if name.startswith(_FORMULA_START):
        raise InvalidValue(
            Message(
                zh=f"姓名以“{name[0]}”开头, 像是 Excel 公式; 姓名只能是文字",
                en=f"the name starts with '{name[0]}' like an Excel formula; a name is text only",
            )
        )
    _check_name_characters(name)
    if len(name) > _MAX_NAME_LENGTH:
        raise InvalidValue(
            Message(
                zh=f"姓名过长: 最多 {_MAX_NAME_LENGTH} 个字符",
                en=f"the name is too long: at most {_MAX_NAME_LENGTH} characters",
            )
        )
    return name


def _check_name_characters(name: str) -> None:
    """Digits and invisible characters are refused; every Han character is welcome, the rare
    ones of CJK extensions B to I included (Python's Unicode tables may not know the newest)."""
    if _DIGIT.search(name):
        raise InvalidValue(
            Message(
                zh="姓名中不能有数字 (是否填错了列?)",
                en="a name cannot contain digits (wrong column?)",
            )
        )
    for char in name:
        if HAN_CHARACTER.match(char) or _RARE_HAN.match(char):
            continue
        if unicodedata.category(char) in _NOT_IN_NAMES:
            point = f"U+{ord(char):04X}"
            raise InvalidValue(
                Message(
                    zh=f"姓名中有不可见的控制或格式字符 {point}; 请删除后重新输入姓名",
                    en=f"the name holds an invisible control or format character {point}; "
                    "delete it and type the name again",
                )
            )


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
