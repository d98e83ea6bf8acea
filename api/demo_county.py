"""The demo's synthetic county school (XQ-2026-SY01): its rules, and families whose children
apply, as a clerk's XLSX. Reproducible from `--entropy TEXT` (`DemoEntropy`); the draw itself
takes no randomness from here, only from its own ceremony (the secrets `DemoEntropy` gives the
simulated witnesses)."""

from __future__ import annotations

import datetime
import hashlib
import io
import itertools
import re
import secrets
import zipfile
from collections.abc import Callable

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from api.clock import utc_now
from api.importing.id_number import check_digit
from api.schemas import DrawCreate

__all__ = [
    "BIRTH_FROM",
    "DRAW_ID",
    "GIVEN",
    "MIGRANT",
    "SCHOOL",
    "SURNAMES",
    "TIERS",
    "TIER_SHARES",
    "DemoEntropy",
    "applicant_rows",
    "applicant_workbook",
    "demo_spec",
    "stable_workbook",
]

DRAW_ID = "XQ-2026-SY01"
SCHOOL = "XQ-SY01"
MIGRANT = "SQ"  # 随迁子女 category
TIERS = (
    ("T1", "户籍与房产一致"),
    ("T2", "仅有户籍"),
    ("T3", "仅有房产"),
    ("T4", "居住证 (随迁子女)"),
)
TIER_SHARES = (60, 100, 140, 700)  # thousandths per tier: an oversubscribed school
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "子涵梓轩浩宇欣怡雨桐一诺思远俊杰佳琪嘉怡宇航梦瑶博文雅婷天佑若曦晨阳静怡泽宇可馨明哲诗涵"
BIRTH_FROM = datetime.date(2019, 9, 1)
_START = datetime.datetime(2026, 7, 10, 0, 30, tzinfo=datetime.UTC)  # 08:30 Beijing, draw day
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


class DemoEntropy:
    """Every secret of the demo: SHA-256 of a text and a label, or the OS's entropy."""

    def __init__(self, text: str | None) -> None:
        self.text = text

    def bytes(self, label: str, size: int = 32) -> bytes:
        """`size` bytes for `label` (at most 32)."""
        if self.text is None:
            return secrets.token_bytes(size)
        return hashlib.sha256(f"{self.text}\x00{label}".encode()).digest()[:size]

    def number(self, label: str, below: int) -> int:
        """A number in `[0, below)` for the synthetic data (never for the draw)."""
        return int.from_bytes(hashlib.sha256(b"n" + self.bytes(label)).digest(), "big") % below

    def beacon_at(self) -> str:
        """When the simulated beacon is published: three hours after the (stated) morning."""
        start = _START if self.text is not None else datetime.datetime.now(datetime.UTC)
        return (start + datetime.timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M:%SZ")

    def clock(self) -> Callable[[], str]:
        """The real clock, or a stated one (one minute per reading from the draw morning)."""
        if self.text is None:
            return utc_now
        ticks = itertools.count()
        return lambda: (_START + datetime.timedelta(minutes=next(ticks))).strftime(
            "%Y-%m-%dT%H:%M:%SZ"
        )


def demo_spec(seats: int = 300, *, beacon_at: str = "2026-07-10T03:30:00Z") -> DrawCreate:
    """The demo school's rules, as an operator sends them (protocol §6.1, §6.2)."""
    return DrawCreate.model_validate(
        {
            "id": DRAW_ID,
            "title": "2026年秋季一年级新生电脑派位 (演示)",
            "mode": "single_school_lottery",
            "min_reveals": 2,
            "beacon": {
                "primary": {
                    "source": "drand quicknet (simulated)",
                    "round": "12000000",
                    "format": "hex64",
                    "at": beacon_at,
                }
            },
            "birth_date_from": BIRTH_FROM.isoformat(),
            "birth_date_to": "2020-08-31",
            "schools": [
                {
                    "id": SCHOOL,
                    "name": "示范县实验小学",
                    "seats": seats,
                    "tiers": [{"id": t, "label": label} for t, label in TIERS],
                    "reserved": [{"category": MIGRANT, "seats": max(1, seats // 10)}],
                }
            ],
            "categories": [{"id": MIGRANT, "label": "随迁子女 (居住证)"}],
        }
    )


# -- the applicant file ------------------------------------------------------------------------

_HEADERS = ("报名号", "姓名", "身份证号", "志愿", "类别", "专项类别", "同胞组")


def _family_rows(entropy: DemoEntropy, family: int, first: int, size: int) -> list[tuple[str, ...]]:
    """One family's children (twins share surname, birth date and group)."""
    pick = entropy.number(f"tier/{family}", 1000)
    tier = next((i for i, edge in enumerate(itertools.accumulate(TIER_SHARES)) if pick < edge), 3)
    surname = SURNAMES[entropy.number(f"surname/{family}", len(SURNAMES))]
    birth = BIRTH_FROM + datetime.timedelta(days=entropy.number(f"birth/{family}", 366))
    group = f"TW{family:05d}" if size > 1 else ""
    rows: list[tuple[str, ...]] = []
    for n in range(first, first + size):
        given = "".join(
            GIVEN[entropy.number(f"given/{n}/{k}", len(GIVEN))] for k in range(1 + n % 2)
        )
        # Region and sequence digits are unique per child (from the running number n);
        # the 17th digit is odd for boys (GB 11643).
        sequence = f"{n % 100:02d}{entropy.number(f'sex/{n}', 10)}"
        body = f"{330100 + n // 100}{birth:%Y%m%d}{sequence}"
        rows.append(
            (
                f"2026SY{n:05d}",
                surname + given,
                body + check_digit(body),
                SCHOOL,
                "" if tier == 3 else TIERS[tier][0],
                MIGRANT if tier == 3 else "",
                group,
            )
        )
    return rows


def applicant_rows(entropy: DemoEntropy, count: int) -> list[tuple[str, ...]]:
    """Synthetic applicants: about 1.5% of families are twins or triplets (§4.4)."""
    rows: list[tuple[str, ...]] = []
    for family in itertools.count():
        if len(rows) >= count:
            return rows
        size = 1
        if entropy.number(f"family/{family}", 1000) < 15:
            size = 3 if entropy.number(f"triplets/{family}", 10) == 0 else 2
        rows += _family_rows(entropy, family, len(rows) + 1, min(size, count - len(rows)))
    raise AssertionError("unreachable")


def applicant_workbook(rows: list[tuple[str, ...]]) -> bytes:
    """The list as a clerk's .xlsx with Chinese headers, every cell text; deterministic bytes."""
    workbook = Workbook(write_only=True)  # streaming: linear in the number of rows
    sheet = workbook.create_sheet("报名名单")
    for row in (_HEADERS, *rows):
        cells = []
        for value in row:
            cell = WriteOnlyCell(sheet, value=value)
            cell.number_format = "@"  # text, so Excel never turns an ID number into a float
            cells.append(cell)
        sheet.append(cells)
    fixed = datetime.datetime(2026, 6, 1)
    workbook.properties.created = workbook.properties.modified = fixed
    raw = io.BytesIO()
    workbook.save(raw)
    return stable_workbook(raw.getvalue())


def stable_workbook(data: bytes) -> bytes:
    """An .xlsx with fixed zip entry times and `modified` equal to `created`.

    openpyxl stamps `dcterms:modified` with the wall clock when it saves, whatever the
    workbook says; this puts the document's own date back so equal data give equal bytes.
    """
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for name in source.namelist():
            content = source.read(name)
            if name == "docProps/core.xml":
                content = _modified_as_created(content)
            info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(info, content)
    return buffer.getvalue()


_CREATED = re.compile(rb"<dcterms:created[^>]*>([^<]*)</dcterms:created>")
_MODIFIED = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")


def _modified_as_created(core: bytes) -> bytes:
    created = _CREATED.search(core)
    if created is None:
        return core
    return _MODIFIED.sub(lambda m: m.group(1) + created.group(1) + m.group(2), core)
