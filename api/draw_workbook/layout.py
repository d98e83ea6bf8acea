"""The draw-definition workbook's layout: its sheets, columns and words, shared by the writer
(`lottery init`) and the reader (`lottery create`), so the two can never disagree.

Every sheet name and header is Chinese with the English beside it (`学校 schools`,
`招生计划 seats`); the reader matches a header by either half, so a clerk who deletes the
English keeps a working file. Choices (mode, level, twins, beacon format) are written in
Chinese words and also accepted as the protocol's codes.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "BEACON_FORMATS",
    "CATEGORIES",
    "LEVELS",
    "MODES",
    "RESERVED",
    "SCHOOLS",
    "SETTINGS",
    "SETTING_KEYS",
    "TIERS",
    "TIE_BREAKING",
    "TWINS",
    "Setting",
    "SheetLayout",
]


@dataclass(frozen=True)
class SheetLayout:
    """A list sheet: its name and its columns as (key, header) in order; row 1 is the header."""

    name: str
    columns: tuple[tuple[str, str], ...]
    required: tuple[str, ...]

    def header(self, key: str) -> str:
        return dict(self.columns)[key]


@dataclass(frozen=True)
class Setting:
    """One line of the settings sheet: key, label (column A), note (column C)."""

    key: str
    label: str
    note: str
    required: bool = True


SETTINGS = "抽签设置 settings"
SETTING_KEYS: tuple[Setting, ...] = (
    Setting("id", "抽签编号 id", "字母、数字、点、横线 / letters, digits, . _ -"),
    Setting("title", "标题 title", "公示和文件上的标题 / title on every document"),
    Setting("mode", "方式 mode", "单校摇号 / 平行志愿 / 志愿优先 / 划片派位"),
    Setting("max_preferences", "志愿数上限 max preferences", "单校摇号为 1 / 1 for 单校摇号"),
    Setting("tie_breaking", "随机号 tie breaking", "统一随机号 (single) / 每校随机号 (multiple)"),
    Setting("min_reveals", "最少揭示见证人数 min reveals", "至少几位见证人揭示秘密 / witnesses"),
    Setting("birth_date_from", "出生日期起 born from", "含当日 / inclusive, YYYY-MM-DD"),
    Setting("birth_date_to", "出生日期止 born until", "含当日 / inclusive, YYYY-MM-DD"),
    Setting("beacon_source", "信标来源 beacon source", "可空 / may be empty", required=False),
    Setting("beacon_round", "信标轮次 beacon round", "可空 / may be empty", required=False),
    Setting("beacon_format", "信标格式 beacon format", "hex64 / decimal", required=False),
    Setting(
        "sealing_announcement",
        "封存公告位置 sealing announcement",
        "封存公告 (含见证人承诺) 在哪里发布, 印在回执上 / where the sealing announcement appears",
        required=False,
    ),
)
SCHOOLS = SheetLayout(
    "学校 schools",
    (
        ("id", "学校代码 school id"),
        ("name", "学校名称 name"),
        ("seats", "招生计划 seats"),
        ("level", "学段 level"),
        ("classes", "班级数 classes"),
        ("max_size", "班额上限 class size"),
        ("twins", "多胞胎编班 twins"),
    ),
    required=("id", "name", "seats"),
)
TIERS = SheetLayout(
    "优先类别 tiers",
    (
        ("school", "学校代码 school id"),
        ("id", "类别代码 tier id"),
        ("label", "类别名称 label"),
    ),
    required=("school", "id", "label"),
)
CATEGORIES = SheetLayout(
    "专项类别 categories",
    (("id", "专项类别代码 category id"), ("label", "名称 label")),
    required=("id", "label"),
)
RESERVED = SheetLayout(
    "预留名额 reserved seats",
    (
        ("school", "学校代码 school id"),
        ("category", "专项类别代码 category id"),
        ("seats", "名额 seats"),
    ),
    required=("school", "category", "seats"),
)

# Words accepted for a choice -> the protocol's code (the code itself is always accepted).
MODES = {
    "单校摇号": "single_school_lottery",
    "平行志愿": "deferred_acceptance",
    "延迟接受": "deferred_acceptance",
    "志愿优先": "immediate_acceptance",
    "划片派位": "zone_assignment",
}
TIE_BREAKING = {"统一随机号": "single", "每校随机号": "multiple"}
LEVELS = {"小学": "primary", "初中": "junior"}
TWINS = {"分开": "apart", "分班": "apart", "同班": "together"}
BEACON_FORMATS = {"十六进制": "hex64", "十进制": "decimal"}
