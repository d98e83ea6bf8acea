"""Citizen ID numbers (公民身份号码) per GB 11643-1999.

Layout: 6-digit region code, 8-digit birth date YYYYMMDD, 3-digit sequence
number whose last digit is odd for men and even for women, and a check
character computed with ISO 7064 MOD 11-2. Sex and birth date are read from
the number, so they can never disagree with it.
"""

from __future__ import annotations

import datetime
import operator
import re
from dataclasses import dataclass

from api.importing.model import Sex
from api.importing.report import InvalidValue, Message

__all__ = ["IdNumberFacts", "check_digit", "number_lost_digits", "parse_id_number"]

# GB 11643-1999 §5.2: weights 2^(i-1) mod 11 for positions 18..2, and the
# check character for each remainder of the weighted sum mod 11.
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARACTERS = "10X98765432"
_SHAPE = re.compile(r"[0-9]{17}[0-9X]")
# What Excel shows once it has turned a long number into a float: 1.10105E+17.
_SCIENTIFIC = re.compile(r"[0-9](\.[0-9]+)?E\+[0-9]+", re.IGNORECASE)

_NUMBER_LOST_DIGITS = Message(
    zh="身份证号被 Excel 存成了数字, 末几位已丢失; 请将该列设置为“文本”格式后重新录入",
    en="the ID number was stored as a number, so Excel has lost its last digits; "
    "format the column as Text and enter the numbers again",
)


@dataclass(frozen=True)
class IdNumberFacts:
    """What an ID number says about its holder."""

    sex: Sex
    birth_date: datetime.date


def check_digit(first_17: str) -> str:
    """GB 11643 check character for the first 17 digits."""
    if len(first_17) != len(_WEIGHTS) or not (first_17.isascii() and first_17.isdigit()):
        raise ValueError(f"expected 17 ASCII digits, got {first_17!r}")
    total = sum(map(operator.mul, map(int, first_17), _WEIGHTS))
    return _CHECK_CHARACTERS[total % 11]


def parse_id_number(id_number: str) -> IdNumberFacts:
    """Check a normalised 18-character ID number and read sex and birth date from it.

    Raises InvalidValue with every fault found: a wrong shape stops there; a
    real shape reports both an impossible birth date and a wrong check digit.
    """
    _check_shape(id_number)
    faults: list[Message] = []
    birth_date = _birth_date(id_number, faults)
    expected = check_digit(id_number[:17])
    if id_number[17] != expected:
        faults.append(
            Message(
                zh=f"校验位应为 {expected}, 实际为 {id_number[17]}",
                en=f"check digit should be {expected}, found {id_number[17]}",
            )
        )
    if faults or birth_date is None:
        raise InvalidValue(*faults)
    sex: Sex = "M" if int(id_number[16]) % 2 == 1 else "F"
    return IdNumberFacts(sex=sex, birth_date=birth_date)


def number_lost_digits() -> InvalidValue:
    """The fault for an ID number cell that a spreadsheet holds as a number."""
    return InvalidValue(_NUMBER_LOST_DIGITS)


def _check_shape(id_number: str) -> None:
    if not id_number:
        raise InvalidValue(Message(zh="身份证号不能为空", en="the ID number is empty"))
    if _SCIENTIFIC.fullmatch(id_number):
        raise InvalidValue(_NUMBER_LOST_DIGITS)
    if len(id_number) == 15 and id_number.isdigit():
        raise InvalidValue(
            Message(
                zh="这是 15 位的第一代身份证号, 请填写 18 位号码",
                en="this is a 15-digit first-generation ID number; enter the 18-digit number",
            )
        )
    if not _SHAPE.fullmatch(id_number):
        raise InvalidValue(
            Message(
                zh=f"身份证号应为 18 位: 17 位数字加 1 位数字或 X, 实际为 {len(id_number)} 个字符",
                en="an ID number has 18 characters, 17 digits then a digit or X; "
                f"found {len(id_number)} characters",
            )
        )


def _birth_date(id_number: str, faults: list[Message]) -> datetime.date | None:
    digits = id_number[6:14]
    try:
        return datetime.date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
    except ValueError:
        faults.append(
            Message(
                zh=f"身份证号中的出生日期 {digits} 不是真实日期",
                en=f"the birth date in the ID number, {digits}, is not a real date",
            )
        )
        return None
