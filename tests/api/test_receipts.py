"""Receipts (回执) as data, PDF and CSV: one per family, codes grouped, cut into print batches."""

from __future__ import annotations

import csv
import dataclasses
import io
import re
import subprocess
from pathlib import Path

import pdfplumber
from pypdf import PdfReader

from api.documents.receipts import (
    ReceiptChild,
    ReceiptFacts,
    family_receipts,
    receipts_csv,
    receipts_pdf,
)
from api.services.receipts import ReceiptFiles, local_time

FACTS = ReceiptFacts(
    draw_id="XQ-2026-XX01",
    title="某县 2026 年小学一年级电脑派位",
    authority="某县教育局",
    fingerprint="0123456789abcdef" * 4,
    lookup_url="https://zs.example.gov.cn",
    sealing_announcement=None,
    issued_at="2026-06-01T09:00:00Z",
    issued_local=local_time("2026-06-01T09:00:00Z"),
)
CHILDREN = [
    ReceiptChild("XQ000003", "王五", "M982P2EBCXSMCVG2"),
    ReceiptChild("XQ000001", "张甲", "G9PWHYBZYZH2MC6G", group="G1"),
    ReceiptChild("XQ000002", "张乙", "QY5P64RRB2PJQAE8", group="G1"),
]


def test_one_receipt_per_family_in_application_order() -> None:
    families = family_receipts(CHILDREN)
    assert [[c.application for c in f.children] for f in families] == [
        ["XQ000001", "XQ000002"],
        ["XQ000003"],
    ]


def test_the_sms_csv_masks_names_groups_codes_and_names_the_announcement() -> None:
    lines = list(
        csv.reader(io.StringIO(receipts_csv(family_receipts(CHILDREN), FACTS).decode("utf-8-sig")))
    )
    assert [line[:4] for line in lines[1:]] == [
        ["1", "XQ000001", "张*", "G9PW-HYBZ-YZH2-MC6G"],
        ["1", "XQ000002", "张*", "QY5P-64RR-B2PJ-QAE8"],
        ["2", "XQ000003", "王*", "M982-P2EB-CXSM-CVG2"],
    ]
    page = "https://zs.example.gov.cn/draws/XQ-2026-XX01/announcement"
    assert "甲" not in lines[1][6] and f"封存公告: 某县教育局网站 {page}" in lines[1][6]


def test_local_time_is_written_the_way_people_write_it() -> None:
    assert local_time("2026-06-01T09:00:00Z") == "2026年6月1日 17:00"


def test_a_long_list_is_cut_into_print_batches() -> None:
    files = ReceiptFiles(family_receipts(CHILDREN), FACTS)
    parts = files.pdf_parts(families_per_file=1)
    assert [len(PdfReader(io.BytesIO(part())).pages) for part in parts] == [1, 1]
    assert files.children == 3


def pdf_lines(data: bytes) -> list[str]:
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        return [line for page in pdf.pages for line in (page.extract_text() or "").splitlines()]


def test_the_receipt_carries_the_codes_the_fingerprint_in_groups_and_the_announcement_page() -> (
    None
):
    lines = pdf_lines(receipts_pdf(family_receipts(CHILDREN), FACTS))
    found = re.sub(r"\s+", "", "".join(lines))
    assert "0123456789abcdef" * 4 in found
    assert "01234567 89abcdef 01234567 89abcdef 01234567 89abcdef 01234567 89abcdef" in lines
    for value in (
        "G9PW-HYBZ-YZH2-MC6G",
        "QY5P-64RR-B2PJ-QAE8",
        "张甲",
        "封存公告将发布于:某县教育局网站https://zs.example.gov.cn/draws/XQ-2026-XX01/announcement",
        "thesealingannouncementwillappearat",
        "核对码",
    ):
        assert value in found, value
    # Chinese first, English offered after it
    assert found.index("封存公告将发布于") < found.index("thesealingannouncementwillappearat")


def test_the_bureaus_own_place_is_named_beside_the_page() -> None:
    facts = dataclasses.replace(FACTS, sealing_announcement="教育局一楼公告栏")
    found = re.sub(r"\s+", "", "".join(pdf_lines(receipts_pdf(family_receipts(CHILDREN), facts))))
    assert (
        "教育局一楼公告栏；网页https://zs.example.gov.cn/draws/XQ-2026-XX01/announcement" in found
    )


def test_every_font_of_the_receipt_is_embedded(tmp_path: Path) -> None:
    path = tmp_path / "receipt.pdf"
    path.write_bytes(receipts_pdf(family_receipts(CHILDREN), FACTS))
    rows = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True)
    fonts = rows.stdout.splitlines()[2:]
    assert fonts and all(" yes " in row for row in fonts), rows.stdout
    assert not any(old in rows.stdout for old in ("STSong", "Helvetica", "Courier"))
