"""Masks for public lists: never a full name, never a full ID number."""

from __future__ import annotations

import pytest

from api.importing import mask_id_number, mask_name


@pytest.mark.parametrize(
    ("name", "masked"),
    [
        ("张三丰", "张*丰"),
        ("李四", "李*"),
        ("欧阳娜娜", "欧**娜"),
        ("王", "*"),
        ("John Smith", "J* S*"),
        ("Anna Maria Lopez", "A* M* L*"),
    ],
)
def test_mask_name(name: str, masked: str) -> None:
    assert mask_name(name) == masked


def test_mask_name_never_returns_the_name() -> None:
    for name in ["张三丰", "李四", "王", "John Smith", "Al"]:
        assert mask_name(name) != name


def test_mask_name_refuses_empty() -> None:
    with pytest.raises(ValueError, match="empty"):
        mask_name("  ")


def test_mask_id_number_keeps_first_and_last_four() -> None:
    assert mask_id_number("11010520130307123X") == "1101**********123X"


@pytest.mark.parametrize("bad", ["", "110105201303071", "11010520130307123X0"])
def test_mask_id_number_refuses_anything_but_18_characters(bad: str) -> None:
    with pytest.raises(ValueError, match="18 characters"):
        mask_id_number(bad)
