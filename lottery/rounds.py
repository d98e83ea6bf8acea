"""The second round (补录), protocol §14.5: the seats still free after a published draw, for the
children still without a seat.

A second round is a new, ordinary draw. `second_round_inputs` derives its schools and records
from the first draw's bundle (and its post-draw actions, §14.2); the service then seals them
with `seal` (which takes public records) under the second round's own draw id, title, witnesses,
beacon and key (`SecondRoundInputs.rules`).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace
from typing import Literal

import numpy as np

from lottery.allocation.problem import Mode
from lottery.allocation.replay import PostDrawAction, replay_actions
from lottery.bundle import Bundle
from lottery.ceremony import ceremony_digest
from lottery.draw import rerun_results
from lottery.encoding import parse_canonical
from lottery.errors import BundleError, LotteryError
from lottery.manifest import Category, DrawRules, School
from lottery.records import PublicRecord

__all__ = ["SecondRoundInputs", "SecondRoundRefused", "second_round_inputs"]


@dataclass(frozen=True)
class SecondRoundInputs:
    """The rules and records a second round derives from the first draw (§14.5)."""

    mode: Mode
    tie_breaking: Literal["single", "multiple"]
    max_preferences: int
    group_policy: Literal["together"]
    categories: tuple[Category, ...]
    schools: tuple[School, ...]
    records: tuple[PublicRecord, ...]

    def rules(self, *, draw_id: str, title: str, authority: str) -> DrawRules:
        """The second round's `DrawRules` (§14.5): derived rules, its own id, title, authority."""
        return DrawRules(
            draw_id=draw_id,
            title=title,
            authority=authority,
            mode=self.mode,
            schools=self.schools,
            categories=self.categories,
            tie_breaking=self.tie_breaking,
            max_preferences=self.max_preferences,
            group_policy=self.group_policy,
        )


class SecondRoundRefused(LotteryError):
    """There is no second round to derive: no school has a free seat, or no record is left
    (§14.5)."""


def _final_schools(first: Bundle) -> tuple[list[int], list[bool]]:
    """Each applicant's school index (-1: none) and removal after the §14.2 replay of B1."""
    manifest, records = first.manifest, first.records
    problem, allocation, _ = rerun_results(
        manifest,
        records,
        seed=first.ceremony.seed,
        ceremony_hex=ceremony_digest(first.ceremony).hex(),
    )
    raw = first.files.get("actions.json")
    document = parse_canonical(raw) if raw is not None else {"actions": []}
    index = {application: i for i, application in enumerate(problem.applicant_ids)}
    actions = []
    for item in document["actions"]:
        application = item["application"]
        if application not in index:
            raise BundleError(
                f"actions.json: action {item['seq']} names application {application!r}, "
                "which is not in the draw (§14.1)"
            )
        actions.append(PostDrawAction(kind=item["type"], applicant=index[application]))
    placement, _ = replay_actions(problem, allocation, tuple(actions))
    schools = [int(s) for s in np.asarray(placement.applicant_school).tolist()]
    removed = [bool(r) for r in np.asarray(placement.removed).tolist()]
    return schools, removed


def _filtered(record: PublicRecord, kept: set[str]) -> PublicRecord:
    """The record with preferences and tiers restricted to the second round's schools."""
    return replace(
        record,
        preferences=tuple(s for s in record.preferences if s in kept),
        tiers=tuple((s, t) for s, t in record.tiers if s in kept),
    )


def second_round_inputs(first: Bundle) -> SecondRoundInputs:
    """Derive the second round's schools and public records from the first draw (§14.5).

    `first` is a bundle read back with `read_bundle` (its signatures checked); its actions, if
    present, are replayed (§14.2). Raises `BundleError` if an action names an unknown
    application, `lottery.allocation.InvalidAction` if the actions are otherwise invalid, and
    `SecondRoundRefused` when no school has a free seat or no record is left (§14.5).
    """
    rules = first.manifest.rules
    final, removed = _final_schools(first)
    taken = Counter(s for s in final if s >= 0)
    schools = tuple(
        replace(school, seats=school.seats - taken[i], reserved=())
        for i, school in enumerate(rules.schools)
        if school.seats > taken[i]
    )
    kept = {school.id for school in schools}
    candidates = [
        _filtered(record, kept)
        for record, school, gone in zip(first.records, final, removed, strict=True)
        if school < 0 and not gone
    ]
    if rules.mode != "zone_assignment":
        candidates = [record for record in candidates if record.preferences]
    if not schools:
        raise SecondRoundRefused(
            "no second round: no school has a free seat after the first draw and its actions "
            "(§14.5 item 2; a manifest needs at least one school, §6.1) / "
            "没有补录: 首轮及其后续处理之后, 没有学校还有空余学位"
        )
    if not candidates:
        raise SecondRoundRefused(
            "no second round: no child is left without a seat who could take one "
            "(§14.5 item 3) / 没有补录: 没有仍未获得学位的适龄儿童"
        )
    group_size = Counter(record.group for record in candidates if record.group is not None)
    records = tuple(
        record
        if record.group is None or group_size[record.group] >= 2
        else replace(record, group=None)
        for record in candidates
    )
    return SecondRoundInputs(
        mode=rules.mode,
        tie_breaking=rules.tie_breaking,
        max_preferences=rules.max_preferences,
        group_policy=rules.group_policy,
        categories=rules.categories,
        schools=schools,
        records=records,
    )
