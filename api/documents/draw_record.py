"""The record of the draw for the notary (摇号过程记录), PDF: the rules, the applicant
commitment, each witness's key, commitment, reveal and co-signatures, the checkpoint's time and
the beacon statement (§7.4, §7.5), the seed derivation, the pins (§12.6), the digest of every
bundle file (the signed index lists them, §13.5), the counts per school and tier, how to verify, and signature and seal
boxes for the notary, the supervisors and the operator.

Every value is read from the bundle (protocol §6, §7, §12, §13); only the place, the people
present, the printing time, the language and the local time zone are arguments.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from reportlab.platypus import Flowable, Spacer, Table, TableStyle

from api.cutoff_words import cutoff_text
from api.documents.announcement import ceremony_text
from api.documents.errors import InvalidDocumentInput
from api.documents.marks import signature_table
from api.documents.messages import (
    DEFAULT_ZONE,
    check_language,
    local_time,
    mode_word,
    status_word,
    words,
)
from api.documents.pdf import (
    FONT,
    build_pdf,
    check_time,
    heading,
    hex_text,
    list_table,
    paragraph,
    text,
)
from api.documents.public_lists import DrawFacts, PublicLists, public_lists
from api.documents.wording import verify_command
from lottery import Bundle, School, key_fingerprint

__all__ = ["SIGNATORIES", "draw_record_pdf"]

SIGNATORIES = ("notary", "supervisor", "inspector", "parent_rep", "parent_rep", "operator")


def _check_arguments(witnesses_present: Sequence[str], place: str, printed_at: str) -> None:
    check_time(printed_at, "printed_at")
    if not isinstance(place, str) or not place.strip():
        raise InvalidDocumentInput(f"place: {place!r} is empty; name where the draw was held")
    if isinstance(witnesses_present, str):
        raise InvalidDocumentInput("witnesses_present: give a list of names, not one string")
    for n, person in enumerate(witnesses_present, start=1):
        if not isinstance(person, str) or not person.strip():
            raise InvalidDocumentInput(f"witnesses_present item {n}: {person!r} is empty")


def _facts(facts: DrawFacts, language: str, zone: str) -> Table:
    """The draw's identity: authority, mode, digests, seed, key (§6.4, §7.4, §12.3, §12.4)."""
    w = words(language)
    rows = [
        (w["draw"], facts.draw_id),
        (w["authority"], facts.authority),
        (w["mode"], mode_word(facts.mode, language)),
        (w["sealed_at"], local_time(facts.sealed_at, language, zone)),
        (w["applicants"], str(facts.applicant_count)),
        (w["manifest_digest"], facts.manifest_digest),
        (w["seed"], facts.seed),
        (w["results_digest"], facts.results_digest),
        (w["key_fingerprint"], facts.key_fingerprint),
        (w["pin"], facts.pin),
    ]
    body = [
        [paragraph(text(label), "cell"), paragraph(hex_text(value) if n >= 5 else text(value),
                                                   "cell")]
        for n, (label, value) in enumerate(rows)
    ]  # fmt: skip
    style = TableStyle(
        [
            ("FONTNAME", (0, 0), (-1, -1), FONT),
            ("TOPPADDING", (0, 0), (-1, -1), 1),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
        ]
    )
    return Table(body, colWidths=[110, 380], style=style, hAlign="LEFT")


def _school_rules(school: School, categories: dict[str, str], language: str) -> tuple[str, ...]:
    w = words(language)
    tiers = " > ".join(t.label for t in school.tiers)
    reserved = "；".join(
        f"{categories.get(r.category, r.category)} {r.seats}" for r in school.reserved
    )
    classes = (
        w["none"]
        if school.classes is None
        else w["classes_text"].format(
            count=school.classes.count or w["auto"], size=school.classes.max_size
        )
    )
    return (
        f"{school.name}（{school.id}）",
        str(school.seats),
        tiers,
        reserved or w["none"],
        classes,
    )


def _rules(bundle: Bundle, language: str) -> list[Flowable]:
    """§6: the sealed rules, in words."""
    rules, w = bundle.manifest.rules, words(language)
    categories = {c.id: c.label for c in rules.categories}
    rules_text = w["r_rules_text"].format(
        mode=mode_word(rules.mode, language),
        tie=w[f"tie_{rules.tie_breaking}"],
        max=rules.max_preferences,
    )
    rows = [_school_rules(school, categories, language) for school in rules.schools]
    header = (w["school"], w["seats"], w["tiers_order"], w["reserved_short"], w["classes"])
    return [heading(w["r_rules"]), paragraph(text(rules_text)), *list_table(header, rows)]


def _ceremony(bundle: Bundle, facts: DrawFacts, language: str, zone: str) -> list[Flowable]:
    """§5, §7: the applicant commitment, the witnesses and their keys, the checkpoint and the
    beacon statement with their co-signatures, and the seed."""
    manifest, ceremony, w = bundle.manifest, bundle.ceremony, words(language)
    secrets = dict(ceremony.reveals)
    cosigned = (dict(ceremony.checkpoint_signatures), dict(ceremony.beacon_signatures))
    sealed = w["r_sealed_text"].format(
        at=local_time(manifest.sealed_at, language, zone), count=manifest.applicants.count
    )
    story: list[Flowable] = [
        heading(w["r_sealed"]),
        paragraph(f"{text(sealed)} {hex_text(manifest.applicants.root)}"),
        heading(w["r_witnesses"]),
        paragraph(text(w["min_reveals"].format(count=manifest.min_reveals))),
    ]
    for witness in manifest.witnesses:
        secret = secrets.get(witness.id)
        revealed = text(w["not_revealed"]) if secret is None else hex_text(secret.hex())
        signed = [w["cs_yes"] if witness.id in sigs else w["cs_no"] for sigs in cosigned]
        story.append(
            paragraph(
                f"{text(witness.name)}（{text(witness.id)}）<br/>"
                f"{text(w['witness_key'])}：{hex_text(key_fingerprint(bytes.fromhex(witness.public_key)))}<br/>"
                f"{text(w['commitment'])}：{hex_text(witness.commitment)}<br/>"
                f"{text(w['reveal'])}：{revealed}<br/>"
                f"{text(w['cosigned'].format(checkpoint=signed[0], beacon=signed[1]))}"
            )
        )
    story += [heading(w["r_beacon"]), paragraph(ceremony_text(facts, language, zone))]
    story += [
        heading(w["r_seed"]),
        paragraph(
            hex_text(
                'seed = SHA-256("sunshine-draw/2/seed" || 0x00 || JCS({"beacon": {"used", '
                '"value"}, "manifest": ..., "reveals": [...]}))'
            )
            + f"<br/>{text(w['manifest_digest'])}："
            + hex_text(ceremony.manifest_digest.hex())
            + f"<br/>{text(w['seed'])}："
            + hex_text(ceremony.seed.hex())
        ),
    ]
    return story


def _files(bundle: Bundle, language: str) -> list[Flowable]:
    """§13: SHA-256 of every file's bytes, what `sha256sum` prints for it; all but the index
    and its signature, which list this record among the public documents (§13.5)."""
    w = words(language)
    rows = [
        (name, str(len(data)), hashlib.sha256(data).hexdigest())
        for name, data in sorted(bundle.files.items())
        if name not in ("index.json", "index.sig.json")
    ]
    header = (w["file"], w["bytes"], "SHA-256")
    return [heading(w["r_files"]), *list_table(header, rows, mono_columns=(2,))]


def _counts(lists: PublicLists, language: str) -> list[Flowable]:
    """§12.2: counts per school and tier, cutoffs, outcome totals."""
    w = words(language)
    rows = []
    for school in lists.schools:
        tiers = "；".join(f"{tid} {n}" for tid, _, n in school.by_tier)
        reserved = "；".join(f"{c} {used}/{seats}" for c, _, seats, used in school.reserved)
        cutoff = (
            w["none"]
            if school.cutoff_tier is None
            else f"{school.cutoff_tier[0]} / {school.cutoff_number}"
        )  # the open seats' (§10.8); every label's is written below the table
        rows.append(
            (school.school_id, school.seats, school.admitted_count, tiers,
             reserved or w["none"], len(school.waitlist), cutoff)
        )  # fmt: skip
    header = (w["school"], w["plan"], w["admitted"], w["per_tier_short"], w["reserved_short"],
              w["waitlist"], w["cutoff_short"])  # fmt: skip
    totals = "　".join(f"{status_word(s, language)} {n}" for s, n in lists.status_counts)
    cutoffs: list[Flowable] = [heading(w["cutoffs_title"], style="h2")]
    for school in lists.schools:
        lines = [f"{school.name}（{school.school_id}）"]
        lines += [cutoff_text(line, language) for line in school.cutoff_lines(language)]
        cutoffs.append(paragraph("<br/>".join(text(line) for line in lines)))
    groups = lists.groups_without_room
    without_room: list[Flowable] = [heading(w["gwr_title"], style="h2")]
    if groups:  # §10.10
        without_room.append(paragraph(text(w["gwr_text"] + " " + "，".join(groups))))
    else:
        without_room.append(paragraph(text(w["gwr_none"])))
    return [
        heading(w["r_counts"]),
        paragraph(text(f"{w['totals']}：{totals}")),
        *list_table(header, rows),
        *cutoffs,
        *without_room,
    ]


def _verify(facts: DrawFacts, language: str) -> list[Flowable]:
    w = words(language)
    return [
        heading(w["r_verify"]),
        paragraph(text(w["verify_text"])),
        paragraph(hex_text(verify_command(facts.manifest_digest, facts.key_fingerprint)), "small"),
    ]


def _signatures(
    witnesses_present: Sequence[str], place: str, printed_at: str, language: str, zone: str
) -> list[Flowable]:
    w = words(language)
    present = "、".join(p.strip() for p in witnesses_present) or w["none"]
    header = (w["role"], w["signature"], w["seal_box"], w["date"])
    return [
        heading(w["r_sign"]),
        paragraph(
            f"{text(w['place'])}：{text(place.strip())}　{text(w['printed_at'])}："
            f"{text(local_time(printed_at, language, zone))}<br/>"
            f"{text(w['present'])}：{text(present)}"
        ),
        paragraph(text(w["confirm"])),
        Spacer(1, 6),
        signature_table([w[role] for role in SIGNATORIES], header),
    ]


def draw_record_pdf(
    bundle: Bundle,
    *,
    witnesses_present: Sequence[str],
    place: str,
    printed_at: str,
    language: str = "zh",
    zone: str = DEFAULT_ZONE,
) -> bytes:
    """The draw record of a read bundle for the notary, as PDF bytes.

    `witnesses_present` are the names (with roles, as they should be printed) of the people
    present; `printed_at` is a time `YYYY-MM-DDTHH:MM:SSZ` (§1.5), the document's date, printed
    in the local `zone`. Raises `InvalidDocumentInput` for a bad argument, before anything is
    rendered.
    """
    check_language(language)
    _check_arguments(witnesses_present, place, printed_at)
    lists = public_lists(bundle)
    facts, w = lists.facts, words(language)
    story: list[Flowable] = [
        paragraph(text(facts.title), "title"),
        paragraph(text(w["draw_record"]), "subtitle"),
        _facts(facts, language, zone),
        *_rules(bundle, language),
        *_ceremony(bundle, facts, language, zone),
        *_files(bundle, language),
        *_counts(lists, language),
        *_verify(facts, language),
        *_signatures(witnesses_present, place, printed_at, language, zone),
    ]
    identity = "\x00".join(
        ["draw-record", language, zone, facts.results_digest, place, printed_at,
         *witnesses_present]
    )  # fmt: skip
    return build_pdf(
        story,
        title=f"{facts.title} {w['draw_record']}",
        footer=f"{facts.draw_id} · {facts.results_digest[:16]}",
        created_at=printed_at,
        identity=identity.encode("utf-8"),
        page_words=(w["page"], w["pages"]),
    )
