"""Schools, tiers and categories as bureaus write them: by code or by the draw's own words.

A bureau's export names schools (第一小学), tiers (户籍+房产一致) and categories (随迁子女) the
way the draw defines them, not by code. Each is accepted either way and stored as the code; a
name that matches nothing is refused with the codes and names that would be accepted. Labels
compare after `normalise_label` (width, case and spaces ignored), so 第一小学 and 第一 小学 are
one school. A 是否随迁子女 column says yes or no; yes stands for the draw's migrant category.
"""

from __future__ import annotations

import re

from api.importing.fields import parse_code
from api.importing.model import ImportRules
from api.importing.normalisation import normalise_header, normalise_text, split_list
from api.importing.report import InvalidValue, Message
from api.importing.table import Cell, cell_text

__all__ = [
    "normalise_label",
    "parse_category",
    "parse_migrant",
    "parse_school",
    "parse_school_list",
    "parse_tiers",
]

_COLON_WITH_SPACES = re.compile(r"\s*:\s*")
# Codes separated as split_list separates them (no name among them): the fast path.
_CODE_LIST = re.compile(r"[A-Za-z0-9._\-;,|\u3001\s]*")
_YES = frozenset({"是", "y", "yes", "1", "√", "✓", "true", "随迁", "随迁子女"})
_NO = frozenset({"否", "n", "no", "0", "×", "false", "非随迁", "非随迁子女", "无", ""})
_LISTED = 12  # names offered in one message


def normalise_label(text: str) -> str:
    """A name or label reduced for matching: width, case, spaces, `_` and `-` ignored."""
    return normalise_header(text)


def _listing(codes: dict[str, str]) -> str:
    shown = list(codes.items())[:_LISTED]
    more = f" ... (+{len(codes) - _LISTED})" if len(codes) > _LISTED else ""
    return ", ".join(f"{name}={code}" for name, code in shown) + more


def parse_school(text: str, rules: ImportRules) -> str:
    """A school of this draw, by code or by name (`text` is already normalised)."""
    if text in rules.schools:
        return text
    by_name = rules.school_by_label.get(normalise_label(text))
    if by_name is not None:
        return by_name
    code = parse_code(text)
    near = sorted(school for school in rules.schools if school.casefold() == code.casefold())
    hint_zh = f"; 是否应为 {near[0]}?" if near else ""
    hint_en = f"; did you mean {near[0]}?" if near else ""
    known = _listing({name: code for code, name in sorted(rules.school_names.items())})
    raise InvalidValue(
        Message(
            zh=f"未知的学校代码 {code}{hint_zh}; 也可写学校名称 (名称=代码): {known}",
            en=f"unknown school code {code}{hint_en}; names are accepted too (name=code): {known}",
        )
    )


def parse_school_list(cell: Cell, rules: ImportRules) -> list[str]:
    """The schools listed in one cell: the whole cell may be one school's name (with spaces),
    otherwise codes or names separated by ; , 、 | or spaces."""
    whole = normalise_text(cell_text(cell))
    by_name = rules.school_names and not _CODE_LIST.fullmatch(whole)
    if by_name and normalise_label(whole) in rules.school_by_label:
        return [whole]
    return split_list(whole)


def parse_category(cell: Cell, rules: ImportRules) -> str:
    """A reserved-seat category of this draw by code or label, or '' when the cell is empty."""
    text = normalise_text(cell_text(cell))
    if not text:
        return ""
    if text in rules.categories:
        return text
    by_label = rules.category_by_label.get(normalise_label(text))
    if by_label is not None:
        return by_label
    allowed = ", ".join(sorted(rules.categories)) or "(无 / none)"
    labels = ", ".join(rules.category_labels[c] for c in sorted(rules.category_labels)) or "-"
    raise InvalidValue(
        Message(
            zh=f"未知的专项类别 {text}; 可用: {allowed}; 也可写名称: {labels}",
            en=f"unknown category {text}; allowed: {allowed}; or by label: {labels}",
        )
    )


def parse_migrant(cell: Cell, rules: ImportRules) -> bool:
    """A 是否随迁子女 cell: 是/否, Y/N, 1/0, √, or empty (no)."""
    text = normalise_label(cell_text(cell))
    if text in _NO:
        return False
    if text not in _YES:
        raise InvalidValue(
            Message(
                zh=f"应填“是”或“否”, 实为“{normalise_text(cell_text(cell))}”",
                en=f"write 是 (yes) or 否 (no), found '{normalise_text(cell_text(cell))}'",
            )
        )
    if rules.migrant_category is None:
        raise InvalidValue(
            Message(
                zh="本次抽签没有唯一一个名称含“随迁”的专项类别, 请在专项类别列中填写类别",
                en="this draw has no single category labelled 随迁子女 (migrant children); "
                "give the category in the category column",
            )
        )
    return True


def parse_tiers(
    cell: Cell, *, preferences: tuple[str, ...], rules: ImportRules
) -> tuple[tuple[str, str], ...]:
    """(school, tier) pairs sorted by school, from one tier for every listed school (code or
    label: `T1`, `户籍+房产一致`) or per school (`S01:T1;第二小学:仅户籍`).

    Raises InvalidValue listing every faulty pair.
    """
    text = normalise_text(_COLON_WITH_SPACES.sub(":", cell_text(cell).replace("：", ":")))
    if not text:
        return ()
    if ":" not in text and not _is_code_list(text):
        pairs = [(school, text) for school in preferences]  # one label, spaces and all
    else:
        items = split_list(text)
        if any(":" in item for item in items):
            pairs = [_tier_pair(item, rules) for item in items]
        elif len(items) == 1:
            pairs = [(school, items[0]) for school in preferences]
        else:
            raise InvalidValue(_TIER_SHAPE)
    faults: list[Message] = []
    resolved = _tier_codes(pairs, preferences=preferences, rules=rules, faults=faults)
    if faults:
        raise InvalidValue(*faults)
    return tuple(sorted(resolved))


def _is_code_list(text: str) -> bool:
    return _CODE_LIST.fullmatch(text) is not None


_TIER_SHAPE = Message(
    zh="类别应为一个类别 (代码或名称, 适用于所有志愿学校), 或“学校:类别”对, 例如 S01:T1;S02:T3",
    en="give one tier code or label (for every listed school) or SCHOOL:TIER pairs, "
    "e.g. S01:T1;S02:T3",
)


def _tier_pair(item: str, rules: ImportRules) -> tuple[str, str]:
    school, colon, tier = item.partition(":")
    if not colon or not school or not tier or ":" in tier:
        raise InvalidValue(_TIER_SHAPE)
    if school not in rules.schools:
        school = rules.school_by_label.get(normalise_label(school), school)
    return school, tier


def _tier_codes(
    pairs: list[tuple[str, str]],
    *,
    preferences: tuple[str, ...],
    rules: ImportRules,
    faults: list[Message],
) -> list[tuple[str, str]]:
    resolved: list[tuple[str, str]] = []
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
            continue
        codes = rules.tiers_by_school.get(school, ())
        code = (
            tier
            if tier in codes
            else rules.tier_by_label.get(school, {}).get(normalise_label(tier))
        )
        if code is None:
            allowed = ", ".join(codes) or "(无 / none)"
            labels = ", ".join(rules.tier_labels.get(school, {}).values()) or "-"
            faults.append(
                Message(
                    zh=f"类别 {tier} 不是学校 {school} 的类别; 可用: {allowed}; 也可写名称: {labels}",
                    en=f"tier {tier} is not a tier of school {school}; allowed: {allowed}; "
                    f"or by label: {labels}",
                )
            )
            continue
        resolved.append((school, code))
    return resolved
