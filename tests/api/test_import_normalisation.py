"""Normalisation: one child, one spelling, whatever the keyboard or the web page did."""

from __future__ import annotations

import pytest
from import_corpus.builders import HEADER_ZH, RULES, applicant_row, csv_bytes, make_id_ending_in_x

from api.importing import read_applicant_bytes
from api.importing.normalisation import (
    normalise_header,
    normalise_id_number,
    normalise_name,
    normalise_text,
    split_list,
)

FULL_WIDTH_DIGITS = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")


def test_full_width_digits_and_lower_case_x_give_the_same_id() -> None:
    plain = make_id_ending_in_x()
    variants = [
        plain.translate(FULL_WIDTH_DIGITS),
        plain[:-1] + "x",
        plain[:-1] + "ｘ",
        f" \u200b{plain[:6]}\u200c{plain[6:]}\ufeff ",
        "\u3000" + plain.translate(FULL_WIDTH_DIGITS)[:-1] + "x\u3000",
    ]
    assert {normalise_id_number(variant) for variant in variants} == {plain}


def test_zero_width_characters_are_removed_anywhere() -> None:
    assert normalise_text("\u200bS0\u200d1\u2060\ufeff") == "S01"


def test_zero_width_between_base_and_combining_mark_still_composes() -> None:
    assert normalise_text("Zoe\u200b\u0308") == "Zo\u00eb"


def test_chinese_names_lose_inner_spaces_latin_names_keep_one() -> None:
    assert normalise_name(" 张\u3000 三 丰 ") == "张三丰"
    assert normalise_name("  Anna \t  Maria   Lopez ") == "Anna Maria Lopez"


def test_middle_dot_variants_fold_to_one() -> None:
    assert (
        normalise_name("阿卜杜拉•买买提") == normalise_name("阿卜杜拉・买买提") == "阿卜杜拉·买买提"
    )


def test_list_separators_chinese_and_ascii() -> None:
    assert split_list("S01；S02，S03｜S04、S05 S06;;S07") == [
        "S01",
        "S02",
        "S03",
        "S04",
        "S05",
        "S06",
        "S07",
    ]


@pytest.mark.parametrize(
    "header", ["application_no", "Application No", "APPLICATION-NO", "ＡＰＰＬＩＣＡＴＩＯＮ＿ＮＯ"]
)
def test_header_spellings_match(header: str) -> None:
    assert normalise_header(header) == "applicationno"


def test_two_spellings_of_one_child_are_caught_as_duplicates() -> None:
    """End to end: normalisation runs before the duplicate check."""
    plain = make_id_ending_in_x()
    rows = [
        HEADER_ZH,
        applicant_row(id_number=plain, application="A1"),
        applicant_row(id_number=plain.translate(FULL_WIDTH_DIGITS)[:-1] + "x", application="A2"),
    ]
    from api.importing import ImportRejected

    with pytest.raises(ImportRejected) as caught:
        read_applicant_bytes(csv_bytes(rows), filename="list.csv", draw_rules=RULES)
    duplicate_rows = {p.row for p in caught.value.problems if "duplicate ID" in p.message_en}
    assert duplicate_rows == {2, 3}


def test_imported_values_are_normalised() -> None:
    plain = make_id_ending_in_x()
    rows = [
        HEADER_ZH,
        applicant_row(
            name=" 王\u200b 小明 ",
            id_number=plain.translate(FULL_WIDTH_DIGITS)[:-1] + "x",
            preferences="Ｓ０１；S02",
            tier="Ｓ０１：Ｔ２",
            application="Ａ００１",
        ),
    ]
    (applicant,) = read_applicant_bytes(csv_bytes(rows), filename="list.csv", draw_rules=RULES).rows
    assert applicant.name == "王小明"
    assert applicant.id_number == plain
    assert applicant.preferences == ("S01", "S02")
    assert applicant.tiers == (("S01", "T2"),)
    assert applicant.application == "A001"
