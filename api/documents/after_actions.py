"""A draw as it stands after its post-draw actions (递补, protocol §14), read from its bundle.

The documents print the draw day from `results.json`; a bundle that also carries `actions.json`
has declines and disqualifications since, and the seats they freed filled from the waitlists.
`after_actions` replays them with the engine through the rule the service's stored outcomes use
(`api.services.final_state`), so a letter says what the parent look-up and the verifier say.

`read_bundle` checks the draw's three signed documents, not the actions; before anything is
printed from them they are checked: signed with the draw's key and made for this bundle's
results (the engine's `actions_from_document`, §14.3, §14.4), and each action's moves equal to
the engine's replay (here, §14.2).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from api.documents.errors import UnverifiedActions
from api.services.final_state import FinalState, final_state, seat_labels
from lottery import (
    ActionEntry,
    Bundle,
    LotteryError,
    canonical_json,
    ceremony_digest,
    rerun_results,
    tagged_hash,
)
from lottery.actions import actions_from_document
from lottery.allocation import AllocationProblem, InvalidAction, PostDrawAction
from lottery.manifest import AuditHead

__all__ = ["AfterActions", "ChildAfterActions", "after_actions"]


@dataclass(frozen=True)
class ChildAfterActions:
    """One child after the actions. `status` is §10.7 on the final assignment, or `"declined"`
    / `"disqualified"` (§14.1); `school` and `label` its seat, or None; `waitlist` its places
    `(school id, position)` in manifest order (§10.6 on the final assignment, §14.2);
    `removed_by` / `moved_by` the seq of the action that removed it / last moved it (§14.3)."""

    status: str
    school: str | None
    label: str | None
    waitlist: tuple[tuple[str, int], ...]
    removed_by: int | None
    moved_by: int | None


@dataclass(frozen=True)
class AfterActions:
    """The draw after all `count` actions, the last one recorded at `last_at` (§1.5 time), of
    the actions document with hex digest `digest` (§14.4). `children` by application;
    `waitlists` by school id, applications in order."""

    count: int
    last_at: str
    digest: str
    children: Mapping[str, ChildAfterActions]
    waitlists: Mapping[str, tuple[str, ...]]


def after_actions(bundle: Bundle) -> AfterActions | None:
    """The draw after the bundle's post-draw actions, or None if it has none (§14).

    Raises `UnverifiedActions` if `actions.json` is unsigned, made for other results, malformed,
    or names moves the engine's replay does not give; nothing is printed from it then.
    """
    raw = bundle.files.get("actions.json")
    if raw is None:
        return None
    try:
        items = actions_from_document(
            raw,
            bundle.files.get("actions.sig.json"),
            signing_key=bundle.manifest.signing_key,
            results_json=bundle.files["results.json"],
        )
        if not items:
            return None  # a signed document of no action: nothing happened after the draw
        problem, allocation, results = rerun_results(
            bundle.manifest,
            bundle.records,
            seed=bundle.ceremony.seed,
            ceremony_hex=ceremony_digest(bundle.ceremony).hex(),
            audit=AuditHead(**bundle.results["audit"]),
        )
    except LotteryError as exc:
        raise UnverifiedActions(f"actions.json: {exc}") from None
    if canonical_json(results) != bundle.files["results.json"]:
        raise UnverifiedActions(
            "results.json: re-running the draw from the bundle gives other results, so the "
            "actions cannot be replayed from them (§14.2; run the verifier)"
        )
    index = {application: i for i, application in enumerate(problem.applicant_ids)}
    actions = []
    for item in items:
        if item.application not in index:
            raise UnverifiedActions(
                f"actions.json: action {item.seq} names application "
                f"{item.application!r}, which is not in the draw (§14.1)"
            )
        actions.append(PostDrawAction(kind=item.type, applicant=index[item.application]))
    try:
        state = final_state(problem, allocation, actions)
    except InvalidAction as exc:
        raise UnverifiedActions(f"actions.json: {exc}") from None
    _check_moves(problem, state, items)
    return _outcomes(problem, state, items, digest=tagged_hash("actions", raw).hex())


def _check_moves(
    problem: AllocationProblem, state: FinalState, items: Sequence[ActionEntry]
) -> None:
    """Each published action's moves must be the replay's, in order (§14.2, §14.3)."""
    schools = [s.id for s in problem.schools]
    for item, moves in zip(items, state.moves, strict=True):
        replayed = tuple(
            (
                problem.applicant_ids[m.applicant],
                None if m.from_school is None else schools[m.from_school],
                schools[m.to_school],
            )
            for m in moves
        )
        if replayed != item.moves:
            raise UnverifiedActions(
                f"actions.json: action {item.seq} publishes moves {list(item.moves)}, "
                f"the engine's replay gives {list(replayed)} (§14.2)"
            )


def _outcomes(
    problem: AllocationProblem, state: FinalState, items: Sequence[ActionEntry], *, digest: str
) -> AfterActions:
    schools = [s.id for s in problem.schools]
    labels = seat_labels(problem)
    places: dict[int, list[tuple[str, int]]] = {}
    waitlists: dict[str, tuple[str, ...]] = {}
    for s, listed in enumerate(state.waitlists):
        applicants = listed.tolist()
        waitlists[schools[s]] = tuple(problem.applicant_ids[a] for a in applicants)
        for position, applicant in enumerate(applicants, start=1):
            places.setdefault(applicant, []).append((schools[s], position))
    removed_by = {item.application: item.seq for item in items}
    moved_by = {
        problem.applicant_ids[m.applicant]: item.seq
        for item, moves in zip(items, state.moves, strict=True)
        for m in moves
    }
    school_of = state.placement.applicant_school.tolist()
    label_of = state.placement.applicant_label.tolist()
    children = {
        application: ChildAfterActions(
            status=state.statuses[a],
            school=None if school_of[a] < 0 else schools[school_of[a]],
            label=labels[label_of[a] + 1],
            waitlist=tuple(places.get(a, ())),
            removed_by=removed_by.get(application),
            moved_by=moved_by.get(application),
        )
        for a, application in enumerate(problem.applicant_ids)
    }
    return AfterActions(
        count=len(items),
        last_at=items[-1].at,
        digest=digest,
        children=children,
        waitlists=waitlists,
    )
