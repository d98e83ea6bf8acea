"""The draw-definition workbook: `lottery init`'s example reads back as a valid draw, Chinese
words and protocol codes are both accepted, and every fault names its sheet and cell."""

from __future__ import annotations

import io

import openpyxl
import pytest

from api.draw_workbook import draw_template_xlsx, read_draw_workbook
from api.errors import InvalidInput
from api.services.rules import check_rules


def _edited(**cells: object) -> bytes:
    """The example with some cells changed: key 'sheet!A1' written as sheet__A1."""
    book = openpyxl.load_workbook(io.BytesIO(draw_template_xlsx()))
    for key, value in cells.items():
        sheet, cell = key.split("__")
        name = next(n for n in book.sheetnames if n.startswith(sheet))
        book[name][cell] = value
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _faults(data: bytes) -> list[str]:
    with pytest.raises(InvalidInput) as caught:
        read_draw_workbook(data, filename="d.xlsx")
    return [p.message_en for p in caught.value.problems]


def test_the_example_is_a_valid_draw_the_engine_accepts() -> None:
    spec = read_draw_workbook(draw_template_xlsx(), filename="d.xlsx")
    check_rules(spec, authority="某县教育局")
    assert spec.mode == "deferred_acceptance" and spec.max_preferences == 2
    assert spec.birth_date_from.isoformat() == "2019-09-01"
    assert [t.label for t in spec.schools[0].tiers] == ["户籍+房产一致", "仅户籍", "居住证"]
    assert spec.schools[0].reserved[0].category == "MIG"
    assert spec.schools[0].classes is not None and spec.schools[0].classes.max_size == 45
    assert spec.schools[2].classes is None
    assert spec.beacon is not None and spec.beacon.primary.round == "40000000"
    assert spec.sealing_announcement is not None


def test_codes_are_accepted_where_words_are_written() -> None:
    data = _edited(
        **{"抽签设置__B4": "single_school_lottery", "抽签设置__B5": 1, "学校__D2": "junior"}
    )
    spec = read_draw_workbook(data, filename="d.xlsx")
    assert spec.mode == "single_school_lottery" and spec.schools[0].level == "junior"


def test_a_header_in_english_only_is_enough() -> None:
    spec = read_draw_workbook(_edited(**{"学校__C1": "seats"}), filename="d.xlsx")
    assert spec.schools[0].seats == 90


def test_every_fault_is_listed_with_sheet_and_cell() -> None:
    faults = _faults(
        _edited(
            **{
                "抽签设置__B2": "has space",
                "抽签设置__B4": "抽签",
                "学校__A3": "S01",
                "预留名额__C2": -1,
                "专项类别__A2": None,
            }
        )
    )
    text = "\n".join(faults)
    assert "sheet '抽签设置 settings' cell B2 (抽签编号 id): a code is" in text
    assert "cell B4 (方式 mode): expected one of: 单校摇号 (single_school_lottery)" in text
    assert "sheet '学校 schools' cell A3 (学校代码 school id): school id S01 appears twice" in text
    assert "sheet '预留名额 reserved seats' cell C2 (名额 seats): expected a whole number" in text
    assert "sheet '专项类别 categories' cell A2" in text


def test_a_missing_sheet_or_line_is_named() -> None:
    book = openpyxl.load_workbook(io.BytesIO(draw_template_xlsx()))
    del book["优先类别 tiers"]
    book["抽签设置 settings"].delete_rows(2)
    buffer = io.BytesIO()
    book.save(buffer)
    text = "\n".join(_faults(buffer.getvalue()))
    assert "no sheet '优先类别 tiers'" in text
    assert "has no line '抽签编号 id'" in text


def test_not_a_workbook_is_one_clear_fault() -> None:
    with pytest.raises(InvalidInput) as caught:
        read_draw_workbook(b"PK\x03\x04 not really", filename="d.xlsx")
    assert "start from `lottery init`" in caught.value.message_en
