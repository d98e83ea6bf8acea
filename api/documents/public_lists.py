"""The public lists of a draw (公示名单), read from its bundle: what the announcement and the
spreadsheet show, and nothing more.

Everything comes from the bundle's public files (protocol §13): masked names and ID numbers from
`applicants.jsonl` (§4.1), outcomes, waitlists, counts and cutoffs from `results.json` (§12).
Before a record is listed its masks are checked (§4.1, §13.2): a document is never the place
where a full name or ID number reaches a wall.

`public_lists` is the draw day, as signed in `results.json`. When the bundle also carries
post-draw actions (§14), `lists_after_actions` gives each school's lists as they stand after
them; the documents that show both label them apart.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from api.cutoff_words import CutoffLine, cutoff_lines
from api.documents.after_actions import AfterActions, after_actions
from api.documents.errors import UnmaskedPersonalData
from lottery import Bundle, PublicRecord, School, ceremony_digest, format_pin, pin, tagged_hash
from lottery.tickets import hex16, school_ticket

__all__ = [
    "CeremonyFacts",
    "DrawFacts",
    "ListedApplicant",
    "ListsAfterActions",
    "PublicLists",
    "SchoolAfterActions",
    "SchoolList",
    "ceremony_facts",
    "check_masked",
    "draw_facts",
    "lists_after_actions",
    "public_lists",
    "school_number",
    "unit_tier",
]

_MASK = "*"
_ID_KEPT = 8  # §4.1: the first 4 and the last 4 characters


@dataclass(frozen=True)
class CeremonyFacts:
    """How the seed was fixed (§7.4, §7.5, §7.7): when the reveals closed, how many witnesses
    revealed and co-signed, and the beacon statement."""

    closed_at: str
    witnesses: int
    revealed: int
    checkpoint_cosignatures: int
    beacon_cosignatures: int
    beacon_used: str  # "primary" or "fallback"
    beacon_source: str
    beacon_round: str
    beacon_at: str
    beacon_value: str
    beacon_proof: bool  # a drand round's BLS signature is carried (§7.5)


@dataclass(frozen=True)
class DrawFacts:
    """What identifies a draw and lets anyone check it (§6.4, §7.7, §12.3, §12.4, §12.6)."""

    draw_id: str
    title: str
    authority: str
    mode: str
    tie_breaking: str
    sealed_at: str
    applicant_count: int
    applicant_root: str
    manifest_digest: str
    ceremony_digest: str
    seed: str
    results_digest: str
    key_fingerprint: str
    pin: str  # in groups of four (§12.6)
    ceremony: CeremonyFacts
    has_actions: bool


@dataclass(frozen=True)
class ListedApplicant:
    """One line of a public list. `lottery_number` is the child's number (§8.2) and
    `school_number` the number used at this school (§8.3; the same under single tie-breaking);
    `tier_*` is the unit's tier at the school (§8.4: a group takes its best member's); `label`
    the seat type of an admitted child (§9.4), else None; `position` the 1-based waitlist
    position (§10.6), else None; in a list after actions, `moved_by` the post-draw action
    (seq, §14.3) that moved the child to this school, else None."""

    application: str
    masked_name: str
    masked_id: str
    lottery_number: str
    school_number: str
    tier_id: str
    tier_label: str
    label: str | None
    position: int | None
    moved_by: int | None = None


@dataclass(frozen=True)
class SchoolList:
    """A school's published lists and counts (§12.2). `by_tier` holds `(tier id, label,
    admitted)` for every tier in order; `reserved` holds `(category, label, reserved seats,
    admitted with that label)`; `cutoffs` the published cutoffs, one per seat label (§10.8:
    open first, then each reserved category), and `cutoff_tier` / `cutoff_number` the open
    one's, None when nobody was admitted on an open seat."""

    school_id: str
    name: str
    seats: int
    admitted_count: int
    admitted: tuple[ListedApplicant, ...]
    waitlist: tuple[ListedApplicant, ...]
    by_tier: tuple[tuple[str, str, int], ...]
    reserved: tuple[tuple[str, str, int, int], ...]
    cutoff_tier: tuple[str, str] | None
    cutoff_number: str | None
    cutoffs: tuple[dict[str, Any], ...] = ()

    def cutoff_lines(self, language: str) -> tuple[CutoffLine, ...]:
        """The cutoffs in words (§10.8), with the passed-over sentence where it applies."""
        return cutoff_lines(
            language,
            self.cutoffs,
            tier_labels={t: label for t, label, _ in self.by_tier},
            categories={c: label for c, label, _, _ in self.reserved},
        )


@dataclass(frozen=True)
class PublicLists:
    """The whole announcement: the draw's facts, its schools, and outcome totals (§10.7)."""

    facts: DrawFacts
    schools: tuple[SchoolList, ...]
    status_counts: tuple[tuple[str, int], ...]
    groups_without_room: tuple[str, ...] = ()


@dataclass(frozen=True)
class SchoolAfterActions:
    """A school's lists after the post-draw actions (§14.2): admitted in application order,
    with the seat label now (a child moved in holds an open seat), and the waitlist, §10.6 on
    the final assignment, with its positions now."""

    school_id: str
    name: str
    seats: int
    admitted: tuple[ListedApplicant, ...]
    waitlist: tuple[ListedApplicant, ...]


@dataclass(frozen=True)
class ListsAfterActions:
    """Every school's lists after the bundle's `action_count` post-draw actions, the last at
    `last_action_at`, of the actions document with hex digest `actions_digest` (§14.4), and
    outcome totals: §10.7 on the final assignment, plus the removed children (§14.1)."""

    action_count: int
    last_action_at: str
    actions_digest: str
    schools: tuple[SchoolAfterActions, ...]
    status_counts: tuple[tuple[str, int], ...]


def ceremony_facts(bundle: Bundle) -> CeremonyFacts:
    """The ceremony's checkpoint and beacon statement as a person reads them (§7.7)."""
    ceremony, beacon = bundle.ceremony, bundle.manifest.beacon
    statement = ceremony.beacon
    source = beacon.primary if statement.used == "primary" else beacon.fallback
    assert source is not None  # read_bundle checked the fallback was declared (§7.5)
    return CeremonyFacts(
        closed_at=ceremony.closed_at,
        witnesses=len(bundle.manifest.witnesses),
        revealed=sum(1 for _, secret in ceremony.reveals if secret is not None),
        checkpoint_cosignatures=len(ceremony.checkpoint_signatures),
        beacon_cosignatures=len(ceremony.beacon_signatures),
        beacon_used=statement.used,
        beacon_source=source.source,
        beacon_round=source.round,
        beacon_at=source.at,
        beacon_value=statement.value,
        beacon_proof=statement.proof is not None,
    )


def draw_facts(bundle: Bundle) -> DrawFacts:
    """The draw's identity and digests. The digests are recomputed from the files' bytes
    (§6.4, §12.3), so what is printed is what a verifier computes; the pin from them (§12.6)."""
    manifest, files = bundle.manifest, bundle.files
    digest = tagged_hash("manifest", files["manifest.json"])
    return DrawFacts(
        draw_id=manifest.rules.draw_id,
        title=manifest.rules.title,
        authority=manifest.rules.authority,
        mode=manifest.rules.mode,
        tie_breaking=manifest.rules.tie_breaking,
        sealed_at=manifest.sealed_at,
        applicant_count=manifest.applicants.count,
        applicant_root=manifest.applicants.root,
        manifest_digest=digest.hex(),
        ceremony_digest=ceremony_digest(bundle.ceremony).hex(),
        seed=bundle.ceremony.seed.hex(),
        results_digest=tagged_hash("results", files["results.json"]).hex(),
        key_fingerprint=manifest.signing_key.fingerprint,
        pin=format_pin(pin(digest, manifest.signing_key.fingerprint)),
        ceremony=ceremony_facts(bundle),
        has_actions="actions.json" in files,
    )


def check_masked(record: PublicRecord) -> None:
    """Raise `UnmaskedPersonalData` unless the record's name and ID number are masked
    (§4.1): the name shows a `*`, the ID number at most 8 characters besides `*`.
    The message never repeats the value, which may be a full name or number."""
    where = f"application {record.application}"
    if _MASK not in record.masked_name:
        raise UnmaskedPersonalData(
            f"{where}: masked_name has no '*'; it may be a full name and is not printed (§4.1)"
        )
    visible = len(record.masked_id) - record.masked_id.count(_MASK)
    if _MASK not in record.masked_id or visible > _ID_KEPT:
        raise UnmaskedPersonalData(
            f"{where}: masked_id shows {visible} characters, at most {_ID_KEPT} may show (§4.1)"
        )


def unit_tier(
    record: PublicRecord, school: School, members: Sequence[PublicRecord]
) -> tuple[str, str]:
    """`(tier id, label)` of the record's unit at `school` (§4.6, §8.4): the best tier of
    any member; `members` is the record's group (or the record alone)."""
    order = {tier.id: i for i, tier in enumerate(school.tiers)}
    last = len(school.tiers) - 1
    best = min(order[m.tier_map[school.id]] if school.id in m.tier_map else last for m in members)
    tier = school.tiers[best]
    return tier.id, tier.label


def school_number(bundle: Bundle, record: PublicRecord, school_id: str) -> str:
    """The hex16 number the record's unit uses at a school under multiple tie-breaking (§8.3)."""
    unit_key = f"g:{record.group}" if record.group is not None else f"a:{record.application}"
    return hex16(school_ticket(bundle.ceremony.seed, unit_key, school_id))


def _groups(records: Sequence[PublicRecord]) -> dict[str, list[PublicRecord]]:
    groups: dict[str, list[PublicRecord]] = {}
    for record in records:
        if record.group is not None:
            groups.setdefault(record.group, []).append(record)
    return groups


class _Lister:
    """Lines of a public list, from indexes over one bundle built once."""

    def __init__(self, bundle: Bundle) -> None:
        self.bundle = bundle
        self.rows = {str(row[0]): list(row) for row in bundle.results["applicants"]}
        self.by_application = {record.application: record for record in bundle.records}
        self.groups = _groups(bundle.records)
        self.multiple = bundle.manifest.rules.tie_breaking == "multiple"

    def listed(
        self,
        school: School,
        application: str,
        label: str | None,
        position: int | None,
        moved_by: int | None = None,
    ) -> ListedApplicant:
        """The child's line in a list of `school`; raises `UnmaskedPersonalData` (§4.1)."""
        record = self.by_application[application]
        check_masked(record)
        members = self.groups[record.group] if record.group is not None else [record]
        tier_id, tier_label = unit_tier(record, school, members)
        number = str(self.rows[application][1])
        here = number if not self.multiple else school_number(self.bundle, record, school.id)
        return ListedApplicant(
            application=application,
            masked_name=record.masked_name,
            masked_id=record.masked_id,
            lottery_number=number,
            school_number=here,
            tier_id=tier_id,
            tier_label=tier_label,
            label=label,
            position=position,
            moved_by=moved_by,
        )


def _school_list(
    lister: _Lister, school: School, entry: dict[str, object], admitted_rows: list[list[object]]
) -> SchoolList:
    """One school's lists: admitted in application order (§12.1), waitlist in its order."""
    categories = {c.id: c.label for c in lister.bundle.manifest.rules.categories}
    admitted = tuple(lister.listed(school, str(row[0]), str(row[4]), None) for row in admitted_rows)
    waitlist_ids = entry["waitlist"]
    assert isinstance(waitlist_ids, list)
    waitlist = tuple(
        lister.listed(school, str(a), None, n) for n, a in enumerate(waitlist_ids, start=1)
    )
    tier_labels = {t.id: t.label for t in school.tiers}
    by_tier = entry["by_tier"]
    reserved = entry["reserved"]
    cutoffs = entry["cutoffs"]
    assert isinstance(by_tier, list) and isinstance(reserved, list) and isinstance(cutoffs, list)
    cutoff = next((c for c in cutoffs if c["label"] == "open" and c["tier"] is not None), None)
    seats_by_category = {r.category: r.seats for r in school.reserved}
    return SchoolList(
        school_id=school.id,
        name=school.name,
        seats=school.seats,
        admitted_count=int(str(entry["admitted"])),
        admitted=admitted,
        waitlist=waitlist,
        by_tier=tuple((str(t), tier_labels[str(t)], int(n)) for t, n in by_tier),
        reserved=tuple(
            (str(c), categories.get(str(c), str(c)), seats_by_category[str(c)], int(n))
            for c, n in reserved
        ),
        cutoff_tier=None
        if not isinstance(cutoff, dict)
        else (str(cutoff["tier"]), tier_labels[str(cutoff["tier"])]),
        cutoff_number=None if not isinstance(cutoff, dict) else str(cutoff["lottery_number"]),
        cutoffs=tuple(dict(c) for c in cutoffs),
    )


def public_lists(bundle: Bundle) -> PublicLists:
    """The public lists of every school of the bundle, in manifest order (§12.2).

    Raises `UnmaskedPersonalData` if a listed record is not masked.
    """
    lister = _Lister(bundle)
    rows = lister.rows
    entries = {str(entry["id"]): entry for entry in bundle.results["schools"]}
    admitted_rows: dict[str, list[list[object]]] = {s.id: [] for s in bundle.manifest.rules.schools}
    for row in rows.values():
        if row[2] == "admitted":
            admitted_rows[str(row[3])].append(row)
    schools = tuple(
        _school_list(lister, school, entries[school.id], admitted_rows[school.id])
        for school in bundle.manifest.rules.schools
    )
    statuses = ("admitted", "waitlisted", "unplaced")
    counts = tuple((s, sum(1 for row in rows.values() if row[2] == s)) for s in statuses)
    return PublicLists(
        facts=draw_facts(bundle),
        schools=schools,
        status_counts=counts,
        groups_without_room=tuple(str(g) for g in bundle.results.get("groups_without_room", ())),
    )


def lists_after_actions(
    bundle: Bundle, after: AfterActions | None = None
) -> ListsAfterActions | None:
    """Every school's lists after the bundle's post-draw actions (§14.2), in manifest order, or
    None if it has none. `after` is `after_actions(bundle)` if the caller already has it.

    Raises `UnverifiedActions` if the actions do not check out (see `after_actions`), and
    `UnmaskedPersonalData` if a listed record is not masked.
    """
    after = after if after is not None else after_actions(bundle)
    if after is None:
        return None
    lister = _Lister(bundle)
    by_id = {school.id: school for school in bundle.manifest.rules.schools}
    admitted: dict[str, list[ListedApplicant]] = {school_id: [] for school_id in by_id}
    for record in bundle.records:  # application order (§12.1)
        child = after.children[record.application]
        if child.school is not None:
            line = lister.listed(
                by_id[child.school], record.application, child.label, None, child.moved_by
            )
            admitted[child.school].append(line)
    schools = tuple(
        SchoolAfterActions(
            school_id=school.id,
            name=school.name,
            seats=school.seats,
            admitted=tuple(admitted[school.id]),
            waitlist=tuple(
                lister.listed(school, application, None, n)
                for n, application in enumerate(after.waitlists[school.id], start=1)
            ),
        )
        for school in bundle.manifest.rules.schools
    )
    statuses = ("admitted", "waitlisted", "unplaced", "declined", "disqualified")
    counts = tuple(
        (s, sum(1 for child in after.children.values() if child.status == s)) for s in statuses
    )
    return ListsAfterActions(
        action_count=after.count,
        last_action_at=after.last_at,
        actions_digest=after.digest,
        schools=schools,
        status_counts=counts,
    )
