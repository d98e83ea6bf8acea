"""A list as a bureau's own system exports it, for the draw `lottery init` writes: a merged
title row, the bureau's headers (序号, 学生姓名, 身份证号码, 第一志愿, 第二志愿, 户籍类别,
是否随迁子女, 多胞胎编号), school names and tier labels instead of codes, and twins."""

from __future__ import annotations

from pathlib import Path

import openpyxl
from helpers import id_number

__all__ = ["SCHOOLS", "TIERS", "bureau_export"]

SCHOOLS = ("第一小学", "实验小学", "城南小学")
TIERS = ("户籍+房产一致", "仅户籍", "居住证")


def bureau_export(path: Path, *, children: int = 60, tier_header: str = "户籍类别") -> Path:
    """The list as a bureau's system exports it: a merged title row, its own headers, names."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["某县 2026 年一年级新生报名信息 (导出时间 2026-06-01)"])
    sheet.merge_cells("A1:H1")
    sheet.append(
        [
            "序号",
            "学生姓名",
            "身份证号码",
            "第一志愿",
            "第二志愿",
            tier_header,
            "是否随迁子女",
            "多胞胎编号",
        ]
    )
    serial = 0
    while serial < children:
        twins = serial % 20 == 0
        first, second = SCHOOLS[serial % 3], SCHOOLS[(serial + 1) % 3]
        migrant = serial % 5 == 4 or twins
        tier = TIERS[2] if migrant else TIERS[serial % 2]
        group = f"D{serial:03d}" if twins else ""
        for member in range(2 if twins else 1):
            sheet.append(
                [
                    serial + 1,
                    f"学生{'甲乙丙丁戊己庚辛壬癸'[serial % 10]}{'子丑寅卯辰巳午未申酉'[serial // 10 % 10]}",
                    id_number(serial + 1, male=serial % 2 == 0),
                    first,
                    second,
                    tier,
                    "是" if migrant else "否",
                    group,
                ]
            )
            serial += 1
            del member
    workbook.save(path)
    return path
