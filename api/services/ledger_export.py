"""The ledger as the bureau's workbook (招生入学工作问题线索管理台账), xlsx.

Every cell is written as text (cell type string, number format `@`): a name such as
`=HYPERLINK(...)` stays the name it is and never becomes a formula, and an application
number keeps its leading zeros. The bureau's copy holds everything; the masked copy (for
publication) holds what `public_rows` holds.
"""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from api.ledger_schemas import LedgerEntryPrivate, LedgerEntryPublic

__all__ = ["ledger_xlsx"]

_STATUS = {"open": "办理中 / open", "closed": "已办结 / closed"}
_PUBLIC_COLUMNS = [
    ("序号", "No."),
    ("线索类型", "kind"),
    ("反映人", "raised by"),
    ("反映时间", "raised at"),
    ("反映问题", "what"),
    ("办理情况", "how handled"),
    ("办理结果", "result"),
    ("引起的变更", "change caused"),
    ("变更审计记录", "audit entry of the change"),
    ("状态", "status"),
    ("办结时间", "closed at"),
    ("登记/办结审计记录", "audit entries"),
    ("人工安置（学校：报名号）", "manual placement (school: applications)"),
]
_PRIVATE_COLUMNS = [("联系方式", "contact"), ("反映渠道", "channel"), ("涉及报名号", "application")]


def _text(value: object) -> str:
    return "" if value is None else str(value)


def _public_cells(row: LedgerEntryPublic) -> list[str]:
    entries = f"{row.recorded_seq}" + ("" if row.closed_seq is None else f", {row.closed_seq}")
    return [
        _text(row.seq),
        row.kind_text,
        row.raised_by,
        row.raised_at_local,
        row.subject,
        _text(row.handling),
        _text(row.result),
        _text(row.change),
        _text(row.change_audit_seq),
        _STATUS.get(row.status, row.status),
        _text(row.closed_at_local),
        entries,
        ""
        if row.placement is None
        else f"{row.placement.school}: {', '.join(row.placement.applications)}"
        + ("" if row.placement.group is None else f" ({row.placement.group})"),
    ]


def ledger_xlsx(*, title: str, rows: list[LedgerEntryPublic] | list[LedgerEntryPrivate]) -> bytes:
    """The workbook: a title line, the header in Chinese and English, one line per entry."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "问题线索台账"
    private = bool(rows) and isinstance(rows[0], LedgerEntryPrivate)
    columns = _PUBLIC_COLUMNS + (_PRIVATE_COLUMNS if private else [])
    lines: list[list[str]] = [
        [f"招生入学工作问题线索管理台账 / objection and complaint ledger: {title}"],
        [zh for zh, _ in columns],
        [en for _, en in columns],
    ]
    for row in rows:
        cells = _public_cells(row)
        if isinstance(row, LedgerEntryPrivate):
            cells += [_text(row.contact), _text(row.channel), _text(row.application)]
        lines.append(cells)
    for r, values in enumerate(lines, start=1):
        for c, value in enumerate(values, start=1):
            cell = sheet.cell(row=r, column=c)
            cell.value = value
            cell.data_type = "s"  # text, even when it starts with "=": never a formula
            cell.number_format = "@"
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            if r <= 3:
                cell.font = Font(bold=True)
    for c, width in enumerate([6, 14, 12, 18, 40, 40, 30, 30, 10, 14, 18, 12, 16, 10, 14], 1):
        if c <= len(columns):
            sheet.column_dimensions[sheet.cell(row=2, column=c).column_letter].width = width
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
