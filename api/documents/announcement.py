"""The public announcement list (公示名单), PDF: per school the plan, the admitted list, the
waitlist in order, counts per tier and the cutoff (protocol §10.6-§10.8, §12.2), under a header
that lets anyone check the draw (§6.4, §7.4, §12.3, §12.4, §17).

Only public data is printed: application numbers, masked names and ID numbers (§4.1, §13.2).
"""

from __future__ import annotations

from reportlab.lib.pagesizes import A4
from reportlab.platypus import Flowable, KeepTogether, Table, TableStyle

from api.documents.pdf import (
    FONT,
    MONO,
    build_pdf,
    heading,
    hex_text,
    list_table,
    paragraph,
    text,
)
from api.documents.public_lists import DrawFacts, PublicLists, SchoolList, public_lists
from api.documents.wording import MODE_TEXT, STATUS_TEXT, label_text, verify_command
from lottery import Bundle

__all__ = ["announcement_pdf", "facts_table"]

_ADMITTED_HEADER = (
    "序号 No.",
    "报名号 Application",
    "姓名 Name",
    "身份证号 ID number",
    "摇号号码 Lottery no.",
    "类别 Tier",
    "名额 Seat",
)
_MULTIPLE_HEADER = (*_ADMITTED_HEADER[:4], "本校号码 No. here", *_ADMITTED_HEADER[5:])
_ADMITTED_WIDTHS = (13, 25, 20, 32, 30, 24, 36)
_WAITLIST_WIDTHS = (13, 30, 24, 40, 34, 39)


def facts_table(facts: DrawFacts) -> Table:
    """The draw's identity: title, authority, digests, seed, key (§6.4, §7.4, §12.3, §12.4)."""
    rows = [
        ("摇号编号 Draw", facts.draw_id),
        ("主办 Authority", facts.authority),
        ("方式 Mode", MODE_TEXT.get(facts.mode, facts.mode)),
        ("封存时间 Sealed at", facts.sealed_at),
        ("报名人数 Applicants", str(facts.applicant_count)),
        ("方案摘要 Manifest digest", facts.manifest_digest),
        ("随机种子 Seed", facts.seed),
        ("结果摘要 Results digest", facts.results_digest),
        ("签名公钥指纹 Signing key fingerprint", facts.key_fingerprint),
    ]
    mono = {5, 6, 7, 8}
    style = TableStyle(
        [
            ("FONTNAME", (0, 0), (-1, -1), FONT),
            ("FONTSIZE", (0, 0), (-1, -1), 8),
            ("LEADING", (0, 0), (-1, -1), 10),
            ("TOPPADDING", (0, 0), (-1, -1), 1),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
            *[("FONTNAME", (1, r), (1, r), MONO) for r in sorted(mono)],
        ]
    )
    return Table([list(r) for r in rows], colWidths=[150, 330], style=style, hAlign="LEFT")


def _verify_note(facts: DrawFacts) -> list[Flowable]:
    return [
        paragraph(
            "如何自行验证 How to verify: 下载公开数据包，用独立的验证程序重新计算全部摇号过程"
            " (download the public bundle and re-run the whole draw with the independent"
            " verifier, docs/verify.md):"
        ),
        paragraph(hex_text(verify_command(facts.manifest_digest, facts.key_fingerprint)), "small"),
        paragraph(
            "本名单不含完整姓名和身份证号。家长可凭报名号和回执码核对本人记录 (this list never"
            " shows a full name or ID number; families check their own record with the"
            " application number and receipt code)."
        ),
    ]


def _school_summary(school: SchoolList) -> str:
    tiers = "；".join(f"{text(label)} ({text(tid)}): {n}" for tid, label, n in school.by_tier)
    reserved = "；".join(
        f"{text(label)}: {used}/{seats}" for _, label, seats, used in school.reserved
    )
    cutoff = (
        "—"
        if school.cutoff_tier is None or school.cutoff_number is None
        else f"{text(school.cutoff_tier[1])} ({text(school.cutoff_tier[0])}), "
        + hex_text(school.cutoff_number)
    )
    lines = [
        f"计划 Plan: {school.seats}　录取 Admitted: {school.admitted_count}　"
        f"候补 Waitlist: {len(school.waitlist)}",
        f"各类别录取人数 Admitted per tier: {tiers}",
    ]
    if reserved:
        lines.append(f"预留名额 Reserved seats (used/reserved): {reserved}")
    lines.append(f"截止位次 Cutoff (tier, lottery number of the last admitted): {cutoff}")
    return "<br/>".join(lines)


def _school_section(
    school: SchoolList, categories: dict[str, str], *, multiple: bool
) -> list[Flowable]:
    story: list[Flowable] = [
        KeepTogether(
            [
                heading(f"{school.name}（{school.school_id}）", "", "h1"),
                paragraph(_school_summary(school)),
                heading("录取名单", "Admitted", "h2"),
            ]
        )
    ]
    header = _ADMITTED_HEADER if not multiple else _MULTIPLE_HEADER
    admitted = [
        (n, a.application, a.masked_name, a.masked_id, a.school_number, a.tier_label,
         label_text(a.label, categories))
        for n, a in enumerate(school.admitted, start=1)
    ]  # fmt: skip
    story += list_table(header, admitted, _ADMITTED_WIDTHS, mono_columns=(4,))
    if school.waitlist:
        story.append(heading("候补名单（按顺序递补）", "Waitlist, in order", "h2"))
        waiting = [
            (a.position, a.application, a.masked_name, a.masked_id, a.school_number,
             a.tier_label)
            for a in school.waitlist
        ]  # fmt: skip
        story += list_table(header[:-1], waiting, _WAITLIST_WIDTHS, mono_columns=(4,))
    return story


def _story(lists: PublicLists, categories: dict[str, str]) -> list[Flowable]:
    facts = lists.facts
    totals = "　".join(f"{STATUS_TEXT[s]}: {n}" for s, n in lists.status_counts)
    story: list[Flowable] = [
        paragraph(text(facts.title), "title"),
        paragraph("摇号结果公示名单 Public announcement of the draw results", "subtitle"),
        facts_table(facts),
        paragraph(totals),
        *_verify_note(facts),
    ]
    if facts.has_actions:
        story.append(
            paragraph(
                "注：本名单为摇号当日结果；此后的递补见数据包 actions.json (this list shows the"
                " draw's results; later waitlist moves are in actions.json)."
            )
        )
    multiple = facts.tie_breaking == "multiple"
    if multiple:
        story.append(
            paragraph(
                "本次每所学校使用各自的号码（本校号码）排序 (each school ranks by its own number"
                " per child, shown as No. here, protocol §8.3)."
            )
        )
    for school in lists.schools:
        story += _school_section(school, categories, multiple=multiple)
    return story


def announcement_pdf(bundle: Bundle) -> bytes:
    """The announcement list of a read bundle (`lottery.read_bundle`), as PDF bytes.

    Raises `UnmaskedPersonalData` (and prints nothing) if any listed record is not masked.
    """
    lists = public_lists(bundle)
    categories = {c.id: c.label for c in bundle.manifest.rules.categories}
    return build_pdf(
        _story(lists, categories),
        title=f"{lists.facts.title} 公示名单",
        footer=f"{lists.facts.draw_id} 公示名单 announcement - {lists.facts.results_digest[:16]}",
        created_at=lists.facts.sealed_at,
        identity=b"announcement\x00" + bytes.fromhex(lists.facts.results_digest),
        pagesize=A4,
    )
