"""A realistic (non-demo) draw for the rendering tests: Chinese school names and long tier
labels as bureaus write them, reserved seats for migrant children, GB 11643-valid ID numbers,
names with characters outside the BMP (𠮷, 𡒄), post-draw actions optional.

Everything derives from fixed labels (`sample_draws.derive`), so the draw is the same each run.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass

from sample_draws import derive
from sample_draws import test_draw as sample_test_draw
from test_documents_lists import _LOGS, bundle_of

from lottery import (
    Bundle,
    Category,
    DrawResult,
    DrawRules,
    PrivateRecord,
    ReservedSeats,
    School,
    Tier,
    make_receipt_code,
    public_record,
)

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗欧阳"
GIVEN = ("子涵", "欣怡", "梓轩", "浩然", "雨桐", "一诺", "思远", "嘉怡", "俊杰", "诗涵")
RARE_NAMES = ("张小𠮷", "陈𡒄宇", "吉𠮷𡒄")  # outside the BMP: HanaMinB has them
TIERS = (
    Tier(id="A", label="A类 户籍与房产一致且在本学区"),
    Tier(id="B", label="B类 仅有户籍或仅有房产"),
    Tier(id="C", label="C类 随迁子女（持有效居住证）"),
)
_WEIGHTS = (7, 3, 2, 1, 8, 4, 6, 9, 5, 10, 1, 2, 3, 4, 5, 6, 7)
_CHECK = "10X98765432"


@dataclass(frozen=True)
class RealDraw:
    """The draw, its bundle, and the private data that must never reach a public document."""

    result: DrawResult
    bundle: Bundle
    privates: tuple[PrivateRecord, ...]


def valid_id_number(n: int) -> str:
    """An 18-character ID number whose GB 11643 check digit is right (a made-up person)."""
    body = f"330106{2019 + n % 2}{(n % 12) + 1:02d}{(n % 28) + 1:02d}{n % 1000:03d}"
    total = sum(int(d) * w for d, w in zip(body, _WEIGHTS, strict=True))
    return body + _CHECK[total % 11]


def is_valid_id_number(value: str) -> bool:
    """Whether `value` is 17 digits and the right GB 11643 check character."""
    if len(value) != 18 or not value[:17].isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(value[:17], _WEIGHTS, strict=True))
    return value[17].upper() == _CHECK[total % 11]


def _name(n: int) -> str:
    if n < len(RARE_NAMES):
        return RARE_NAMES[n]
    return SURNAMES[n % len(SURNAMES)] + GIVEN[(n // len(SURNAMES)) % len(GIVEN)]


def _rules(schools: Sequence[School]) -> DrawRules:
    return DrawRules(
        draw_id="HZ-XC-2026-01",
        title="杭州市西城区2026年义务教育阶段公办小学一年级招生电脑派位",
        authority="杭州市西城区教育局",
        mode="deferred_acceptance",
        schools=tuple(schools),
        categories=(Category(id="SQ", label="随迁子女（居住证）"),),
        tie_breaking="single",
        max_preferences=3,
    )


@functools.cache
def real_draw(applicants: int = 60) -> RealDraw:
    """A three-school deferred-acceptance draw of `applicants` children."""
    schools = [
        School(id="XC01", name="西城区实验小学（本部）", seats=applicants // 6, tiers=TIERS,
               reserved=(ReservedSeats("SQ", 3),)),
        School(id="XC02", name="西城区第二小学", seats=applicants // 5, tiers=TIERS),
        School(id="XC03", name="西城区育才小学", seats=applicants // 5, tiers=TIERS),
    ]  # fmt: skip
    ids = [s.id for s in schools]
    privates, records = [], []
    for n in range(applicants):
        application = f"2026XC{n + 1:05d}"
        private = PrivateRecord(
            application=application,
            id_number=valid_id_number(n + 17),
            name=_name(n),
            receipt=make_receipt_code(derive(f"real/receipt/{application}", 10)),
        )
        first = ids[n % 3]
        preferences = (first, *[s for s in ids if s != first][: n % 3])
        tier = TIERS[n % 3].id
        records.append(
            public_record(
                private,
                category="SQ" if tier == "C" else None,
                group=None,
                preferences=preferences,
                tiers={s: tier for s in preferences if tier != "C"},
                sex="F" if n % 2 else "M",
            )
        )
        privates.append(private)
    result, log = sample_test_draw(_rules(schools), [], label="real", records=records)
    _LOGS[result] = log
    return RealDraw(result=result, bundle=bundle_of(result), privates=tuple(privates))
