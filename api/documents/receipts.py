"""The registration receipt (报名回执): one per family, as PDF pages and as CSV for an SMS system.

A receipt carries, for each child of the family (twins and siblings who apply together share
one), the application number (报名号) and the receipt code (回执码, protocol §4.3) printed in
groups (XXXX-XXXX-XXXX-XXXX); how to look the result up; the bureau's key fingerprint (§12.4),
which the family can compare with the one in the sealing announcement and the bundle; and
where the sealing announcement with the witnesses' commitments will appear.

Data first: `family_receipts` groups the children, `receipt_rows` builds the rows, and the PDF
and the CSV are laid out from the same rows, so they never disagree. The receipt goes only to
the family: it is the one document besides the result letter with a full name on it.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from urllib.parse import quote

from reportlab.platypus import Flowable, PageBreak, Spacer

from api.documents.pdf import build_pdf, heading, hex_text, list_table, paragraph, text
from api.importing.masking import mask_name
from lottery import format_receipt

__all__ = [
    "FamilyReceipt",
    "ReceiptChild",
    "ReceiptFacts",
    "announcement_page",
    "family_receipts",
    "receipt_rows",
    "receipts_csv",
    "receipts_pdf",
]

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class ReceiptChild:
    """One child's line on the receipt: private data, never published."""

    application: str
    name: str
    receipt_code: str
    group: str | None = None


@dataclass(frozen=True)
class FamilyReceipt:
    """The children of one family (one child, or a group applying together)."""

    children: tuple[ReceiptChild, ...]


@dataclass(frozen=True)
class ReceiptFacts:
    """What every receipt of a draw says besides the children."""

    draw_id: str
    title: str
    authority: str
    fingerprint: str
    lookup_url: str
    sealing_announcement: str | None
    issued_at: str  # protocol time (§1.5), for the PDF's creation date
    issued_local: str  # the same time as people read it: 2026年6月1日 17:00


def family_receipts(children: Iterable[ReceiptChild]) -> list[FamilyReceipt]:
    """One receipt per family: children of one group together, in application order."""
    families: dict[str, list[ReceiptChild]] = {}
    for child in sorted(children, key=lambda c: c.application.encode("ascii")):
        key = f"group:{child.group}" if child.group else f"child:{child.application}"
        families.setdefault(key, []).append(child)
    return [FamilyReceipt(children=tuple(members)) for members in families.values()]


def announcement_page(facts: ReceiptFacts) -> str:
    """The draw's public sealing-announcement page under the service's public address."""
    return f"{facts.lookup_url.rstrip('/')}/draws/{quote(facts.draw_id, safe='')}/announcement"


def _announcement(facts: ReceiptFacts) -> tuple[str, str]:
    """Where the sealing announcement will appear: the bureau's setting if it gave one, and
    always the draw's public page (§12.6)."""
    page = announcement_page(facts)
    place = (facts.sealing_announcement or "").strip()
    if place:
        return f"{place}；网页 {page}", f"{place}; online at {page}"
    return f"{facts.authority}网站 {page}", f"{facts.authority}'s site, {page}"


def _sms_text(child: ReceiptChild, facts: ReceiptFacts) -> str:
    place, _ = _announcement(facts)
    return (
        f"【{facts.authority}】{mask_name(child.name)} 报名号 {child.application}, "
        f"回执码 {format_receipt(child.receipt_code)}. 结果公布后在 {facts.lookup_url} 查询. "
        f"封存公告: {place}. 密钥指纹: {facts.fingerprint[:16]}"
    )


def receipt_rows(
    families: Sequence[FamilyReceipt], facts: ReceiptFacts
) -> list[tuple[int, ReceiptChild, str]]:
    """(family number, child, SMS text) for every child, in family order."""
    return [
        (number, child, _sms_text(child, facts))
        for number, family in enumerate(families, start=1)
        for child in family.children
    ]


def receipts_csv(families: Sequence[FamilyReceipt], facts: ReceiptFacts) -> bytes:
    """The receipts for an SMS system: UTF-8 with BOM (opens in Excel), one line per child.

    Names are masked here: the SMS system joins its phone numbers on the application number.
    """
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(
        [
            "家庭 family",
            "报名号 application",
            "姓名 masked name",
            "回执码 receipt code",
            "查询网址 look-up",
            "密钥指纹 key fingerprint",
            "短信内容 SMS text",
        ]
    )
    for number, child, sms in receipt_rows(families, facts):
        writer.writerow(
            [
                str(number),
                child.application,
                _safe(mask_name(child.name)),
                format_receipt(child.receipt_code),
                facts.lookup_url,
                facts.fingerprint,
                _safe(sms),
            ]
        )
    return buffer.getvalue().encode("utf-8-sig")


def _safe(value: str) -> str:
    return "'" + value if value.startswith(_FORMULA_START) else value


def receipts_pdf(families: Sequence[FamilyReceipt], facts: ReceiptFacts) -> bytes:
    """One page per family."""
    story: list[Flowable] = []
    for index, family in enumerate(families):
        if index:
            story.append(PageBreak())
        story += _family_page(family, facts)
    if not story:
        story.append(paragraph(text("没有回执 / no receipts")))
    return build_pdf(
        story,
        title=f"报名回执 {facts.draw_id}",
        footer=f"{facts.authority} · {facts.draw_id} · 报名回执 registration receipt",
        created_at=facts.issued_at,
        identity=f"receipts/{facts.draw_id}/{facts.issued_at}/{len(families)}".encode(),
    )


def _family_page(family: FamilyReceipt, facts: ReceiptFacts) -> list[Flowable]:
    place_zh, place_en = _announcement(facts)
    rows = [
        (child.application, child.name, format_receipt(child.receipt_code))
        for child in family.children
    ]
    fingerprint = " ".join(facts.fingerprint[i : i + 8] for i in range(0, 64, 8))
    return [
        heading("报名回执", "Registration receipt", "title"),
        paragraph(text(f"{facts.title} ({facts.draw_id})"), "subtitle"),
        paragraph(text(facts.authority), "subtitle"),
        Spacer(1, 12),
        *list_table(
            ["报名号 application", "姓名 name", "回执码 receipt code"],
            rows,
            widths=(45, 55, 70),
            mono_columns=(0, 2),
        ),
        Spacer(1, 10),
        heading("如何查询", "How to look up", "h2"),
        paragraph(
            text(
                f"结果公布后, 打开 {facts.lookup_url}, 输入报名号和回执码即可查询摇号号码和结果. "
                "回执码是查询和自行验证的凭据, 请妥善保管, 不要告诉他人; 工作人员不会向您索要回执码."
            )
        ),
        paragraph(
            text(
                f"After the results are published, open {facts.lookup_url} and enter the "
                "application number and the receipt code. Keep the code private: it is your "
                "proof for the look-up and for checking the draw yourself."
            ),
            "small",
        ),
        heading("封存公告", "Sealing announcement", "h2"),
        paragraph(
            text(
                f"名单封存时, 封存公告将发布于: {place_zh}. 公告给出方案摘要、下面的密钥指纹和"
                "20 位核对码 (PIN). 请核对公告中的密钥指纹与下面的一致, 并记下核对码: 结果公布后"
                "用验证程序输入核对码, 才能确认数据包是本局这次摇号的."
            )
        ),
        paragraph(
            text(
                f"When the list is sealed, the sealing announcement will appear at: {place_en}. "
                "It gives the manifest digest, the key fingerprint below and a 20-character pin. "
                "Check that its fingerprint matches the one below and write the pin down: after "
                "the results, the verifier given the pin confirms that the bundle is this draw "
                "of the bureau's."
            ),
            "small",
        ),
        heading("教育局签名密钥指纹", "Bureau key fingerprint", "h2"),
        paragraph(hex_text(fingerprint)),
        Spacer(1, 8),
        paragraph(text(f"回执打印于 issued {facts.issued_local}"), "small"),
    ]
