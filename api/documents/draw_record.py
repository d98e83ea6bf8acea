"""The record of the draw for the notary (摇号过程记录), PDF: the rules, the applicant
commitment, each witness's commitment and reveal, the beacon, the seed derivation, the digest
of every bundle file, the counts per school and tier, and lines for the signatures.

Every value is read from the bundle (protocol §6, §7, §12, §13); only the place, the people
present and the printing time are arguments.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from reportlab.platypus import Flowable, Spacer

from api.documents.announcement import facts_table
from api.documents.errors import InvalidDocumentInput
from api.documents.pdf import build_pdf, check_time, heading, hex_text, list_table, paragraph, text
from api.documents.public_lists import PublicLists, public_lists
from api.documents.wording import MODE_TEXT, STATUS_TEXT, TIE_BREAKING_TEXT
from lottery import Bundle, School

__all__ = ["SIGNATORIES", "draw_record_pdf"]

SIGNATORIES = (
    "公证员 Notary",
    "监督员 Supervisor",
    "纪检监察 Discipline inspector",
    "家长代表 Parent representative",
    "家长代表 Parent representative",
    "操作员 Operator",
)


def _check_arguments(witnesses_present: Sequence[str], place: str, printed_at: str) -> None:
    check_time(printed_at, "printed_at")
    if not isinstance(place, str) or not place.strip():
        raise InvalidDocumentInput(f"place: {place!r} is empty; name where the draw was held")
    if isinstance(witnesses_present, str):
        raise InvalidDocumentInput("witnesses_present: give a list of names, not one string")
    for n, person in enumerate(witnesses_present, start=1):
        if not isinstance(person, str) or not person.strip():
            raise InvalidDocumentInput(f"witnesses_present item {n}: {person!r} is empty")


def _school_rules(school: School, categories: dict[str, str]) -> tuple[str, ...]:
    tiers = " > ".join(f"{t.label} ({t.id})" for t in school.tiers)
    reserved = "; ".join(
        f"{categories.get(r.category, r.category)}: {r.seats}" for r in school.reserved
    )
    classes = (
        "—"
        if school.classes is None
        else f"{school.classes.count or 'auto'} x max {school.classes.max_size}, "
        f"twins {school.classes.twins}"
    )
    return (f"{school.name} ({school.id})", str(school.seats), tiers, reserved or "—", classes)


def _rules(bundle: Bundle) -> list[Flowable]:
    """§6: the sealed rules, in words."""
    rules = bundle.manifest.rules
    categories = {c.id: c.label for c in rules.categories}
    story: list[Flowable] = [
        heading("一、摇号规则", "1. Rules (sealed manifest, protocol §6)"),
        paragraph(
            f"方式 Mode: {text(MODE_TEXT.get(rules.mode, rules.mode))}；"
            f"{text(TIE_BREAKING_TEXT[rules.tie_breaking])}；"
            f"最多志愿数 max preferences: {rules.max_preferences}；"
            "同胞/双胞胎整体录取 siblings and twins admitted together or not at all (§9.3)。"
            "同一学校内先按类别（优先级）排序，同类别内按摇号号码从小到大排序 (§8.4)。"
        ),
    ]
    rows = [_school_rules(school, categories) for school in rules.schools]
    header = (
        "学校 School",
        "计划 Seats",
        "类别顺序 Tiers, best first",
        "预留 Reserved",
        "编班 Classes",
    )
    story += list_table(header, rows, (42, 16, 62, 30, 30))
    return story


def _ceremony(bundle: Bundle) -> list[Flowable]:
    """§5, §7: the applicant commitment, the witnesses, the beacon and the seed."""
    manifest, ceremony = bundle.manifest, bundle.ceremony
    secrets = dict(ceremony.reveals)
    story: list[Flowable] = [
        heading("二、报名名单封存", "2. Sealed applicant list (§5)"),
        paragraph(
            f"封存时间 sealed at {text(manifest.sealed_at)}；人数 applicants: "
            f"{manifest.applicants.count}；默克尔根 Merkle root: "
            + hex_text(manifest.applicants.root)
        ),
        heading("三、见证人承诺与揭示", "3. Witness commitments and reveals (§7.1, §7.3)"),
        paragraph(f"至少需揭示 minimum reveals: {manifest.min_reveals}"),
    ]
    for witness in manifest.witnesses:
        secret = secrets.get(witness.id)
        revealed = "未揭示 not revealed" if secret is None else hex_text(secret.hex())
        story.append(
            paragraph(
                f"{text(witness.name)} ({text(witness.id)})<br/>"
                f"承诺 commitment: {hex_text(witness.commitment)}<br/>揭示 reveal: {revealed}"
            )
        )
    story.append(heading("四、公共随机源", "4. Public beacon (§7.2)"))
    beacon, used = manifest.beacon, ceremony.beacon
    if beacon is None or used is None:
        story.append(paragraph("未登记公共随机源 no beacon registered"))
    else:
        source = beacon.primary if used.used == "primary" else beacon.fallback
        assert source is not None  # read_bundle checked it (§7.5)
        story.append(
            paragraph(
                f"使用 used: {text(used.used)}；来源 source: {text(source.source)}；"
                f"轮次 round: {text(source.round)}；格式 format: {text(source.format)}<br/>"
                f"值 value: {hex_text(used.value)}"
            )
        )
    story += [
        heading("五、随机种子", "5. Seed derivation (§7.4)"),
        paragraph(
            hex_text(
                'seed = SHA-256("sunshine-draw/1/seed" || 0x00 || JCS({"beacon": ..., '
                '"manifest": ..., "reveals": [...]}))'
            )
            + "<br/>方案摘要 manifest digest: "
            + hex_text(_manifest_hex(bundle))
            + "<br/>种子 seed: "
            + hex_text(ceremony.seed.hex())
        ),
    ]
    return story


def _manifest_hex(bundle: Bundle) -> str:
    """The manifest digest as the ceremony used it (§7.5)."""
    return bundle.ceremony.manifest_digest.hex()


def _files(bundle: Bundle) -> list[Flowable]:
    """§13: SHA-256 of every file's bytes, what `sha256sum` prints for it."""
    rows = [
        (name, str(len(data)), hashlib.sha256(data).hexdigest())
        for name, data in sorted(bundle.files.items())
    ]
    return [
        heading("六、公开数据包文件", "6. Files of the public bundle (SHA-256 of each file, §13)"),
        *list_table(("文件 File", "字节 Bytes", "SHA-256"), rows, (40, 18, 122), mono_columns=(2,)),
    ]


def _counts(lists: PublicLists) -> list[Flowable]:
    """§12.2: counts per school and tier, cutoffs, outcome totals."""
    rows = []
    for school in lists.schools:
        tiers = "; ".join(f"{tid}: {n}" for tid, _, n in school.by_tier)
        reserved = "; ".join(f"{c}: {used}/{seats}" for c, _, seats, used in school.reserved)
        cutoff = (
            "—"
            if school.cutoff_tier is None
            else f"{school.cutoff_tier[0]} / {school.cutoff_number}"
        )
        rows.append(
            (school.school_id, school.seats, school.admitted_count, tiers, reserved or "—",
             len(school.waitlist), cutoff)
        )  # fmt: skip
    header = ("学校 School", "计划 Plan", "录取 Adm.", "各类别 Per tier", "预留 Reserved",
              "候补 Wait", "截止 Cutoff")  # fmt: skip
    totals = "　".join(f"{STATUS_TEXT[s]}: {n}" for s, n in lists.status_counts)
    return [
        heading("七、摇号结果统计", "7. Results per school and tier (§12.2)"),
        paragraph(totals),
        *list_table(header, rows, (22, 14, 14, 36, 26, 14, 54)),
    ]


def _signatures(witnesses_present: Sequence[str], place: str, printed_at: str) -> list[Flowable]:
    present = "、".join(text(p.strip()) for p in witnesses_present) or "—"
    story: list[Flowable] = [
        heading("八、签字", "8. Signatures"),
        paragraph(
            f"地点 Place: {text(place.strip())}　打印时间 Printed at: {text(printed_at)}<br/>"
            f"到场人员 Present: {present}"
        ),
        paragraph(
            "以上记录与公开数据包一致，摇号过程公开、公平、公正 (we confirm this record matches the"
            " public bundle and that the draw was held as recorded)."
        ),
        Spacer(1, 6),
    ]
    for role in SIGNATORIES:
        story += [
            paragraph(f"{text(role)}：______________________　日期 Date：____________"),
            Spacer(1, 10),
        ]
    return story


def draw_record_pdf(
    bundle: Bundle, *, witnesses_present: Sequence[str], place: str, printed_at: str
) -> bytes:
    """The draw record of a read bundle for the notary, as PDF bytes.

    `witnesses_present` are the names (with roles, as they should be printed) of the people
    present; `printed_at` is a time `YYYY-MM-DDTHH:MM:SSZ` (§1.5), the document's date.
    Raises `InvalidDocumentInput` for a bad argument, before anything is rendered.
    """
    _check_arguments(witnesses_present, place, printed_at)
    lists = public_lists(bundle)
    facts = lists.facts
    story: list[Flowable] = [
        paragraph(text(facts.title), "title"),
        paragraph("摇号过程记录（公证记录）Record of the draw for the notary", "subtitle"),
        facts_table(facts),
        *_rules(bundle),
        *_ceremony(bundle),
        *_files(bundle),
        *_counts(lists),
        *_signatures(witnesses_present, place, printed_at),
    ]
    identity = "\x00".join(
        ["draw-record", facts.results_digest, place, printed_at, *witnesses_present]
    )
    return build_pdf(
        story,
        title=f"{facts.title} 摇号过程记录",
        footer=f"{facts.draw_id} 摇号过程记录 draw record - {facts.results_digest[:16]}",
        created_at=printed_at,
        identity=identity.encode("utf-8"),
    )
