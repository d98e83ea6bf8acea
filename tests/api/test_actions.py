"""Post-draw actions (protocol §14): a decline frees a seat, the waitlist fills it in order, and
the signed actions document in the bundle lets the verifier replay it."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient
from helpers import DRAW_ID, applicant_rows, commit_witnesses, draw_spec, run_ceremony, sealed_draw
from sqlmodel import select

D = f"/api/draws/{DRAW_ID}"


def _published(client: TestClient, bureau) -> tuple[dict, dict[str, str]]:
    setup = sealed_draw(client, bureau.operator)
    run_ceremony(client, bureau.operator, setup["witnesses"])
    client.post(f"{D}/run", headers=bureau.operator)
    assert client.post(f"{D}/publish", headers=bureau.operator).status_code == 200
    results = json.loads(client.get(f"{D}/results.json").content)
    receipts = {r["application"]: r["receipt_code"] for r in setup["receipts"]}
    return results, receipts


def test_a_decline_is_filled_from_the_waitlist_in_order(
    client: TestClient, bureau, tmp_path
) -> None:
    from verifier import verify_bundle

    results, receipts = _published(client, bureau)
    (school,) = results["schools"]
    admitted = [row[0] for row in results["applicants"] if row[2] == "admitted"]
    waitlist = school["waitlist"]
    answer = client.post(
        f"{D}/actions",
        json={"type": "decline", "application": admitted[0]},
        headers=bureau.operator,
    )
    assert answer.status_code == 201, answer.text
    assert answer.json()["moves"] == [[waitlist[0], None, "S01"]]
    second = client.post(
        f"{D}/actions",
        json={"type": "disqualify", "application": admitted[1]},
        headers=bureau.operator,
    )
    assert second.json()["moves"] == [[waitlist[1], None, "S01"]]
    moved = client.post(
        f"{D}/lookup", json={"application": waitlist[0], "receipt": receipts[waitlist[0]]}
    ).json()
    assert moved["status"] == "admitted" and moved["school"] == "S01"
    gone = client.post(
        f"{D}/lookup", json={"application": admitted[0], "receipt": receipts[admitted[0]]}
    ).json()
    assert gone["status"] == "declined"
    document = json.loads(client.get(f"{D}/actions.json").content)
    assert [a["seq"] for a in document["actions"]] == [1, 2]
    path = tmp_path / "bundle.zip"
    path.write_bytes(client.get(f"{D}/bundle.zip").content)
    report = verify_bundle(path)
    assert report.passed, report.as_dict()
    replayed = next(c for c in report.as_dict()["checks"] if c["number"] == 12)
    assert replayed["status"] == "PASS", replayed


def test_actions_are_refused_when_they_make_no_sense(client: TestClient, bureau) -> None:
    results, _ = _published(client, bureau)
    first = results["applicants"][0][0]
    assert (
        client.post(
            f"{D}/actions", json={"type": "decline", "application": "NOPE"}, headers=bureau.operator
        ).status_code
        == 404
    )
    assert (
        client.post(
            f"{D}/actions", json={"type": "decline", "application": first}, headers=bureau.operator
        ).status_code
        == 201
    )
    assert (
        client.post(
            f"{D}/actions", json={"type": "decline", "application": first}, headers=bureau.operator
        ).status_code
        == 409
    )
    assert (
        client.post(
            f"{D}/actions", json={"type": "decline", "application": first}, headers=bureau.auditor
        ).status_code
        == 403
    )


def test_no_actions_before_publication(client: TestClient, bureau) -> None:
    setup = sealed_draw(client, bureau.operator)
    application = setup["receipts"][0]["application"]
    early = client.post(
        f"{D}/actions",
        json={"type": "decline", "application": application},
        headers=bureau.operator,
    )
    assert early.status_code == 409


# Waitlists after actions (a fixed bug): the look-up kept the draw-day waitlist places, so a
# child moved into S01 read "admitted to S01 ... also on the waitlist of S01: position 1", and
# the children behind it never moved up. The waitlist after actions is §10.6 applied to the
# final assignment: the published list without the removed applicants and without the units now
# assigned to that school or to one listed before it (the list §14.2 walks next time).


def _act(client: TestClient, bureau, kind: str, application: str, draw: str = DRAW_ID) -> list:
    answer = client.post(
        f"/api/draws/{draw}/actions",
        json={"type": kind, "application": application},
        headers=bureau.operator,
    )
    assert answer.status_code == 201, answer.text
    return answer.json()["moves"]


def _look_up(client: TestClient, draw: str, application: str, receipt: str) -> dict:
    answer = client.post(
        f"/api/draws/{draw}/lookup", json={"application": application, "receipt": receipt}
    )
    assert answer.status_code == 200, answer.text
    return answer.json()


def _places(answer: dict) -> list[tuple[str, int]]:
    return [(place["school"], place["position"]) for place in answer["waitlist"]]


def _expected_after_actions(
    results: dict, actions: dict, preferences: dict[str, list[str]]
) -> dict[str, tuple[str, str | None, list[tuple[str, int]]]]:
    """Status, school and waitlist places of every child, from the published documents only:
    the assignment after the moves, and §10.6 applied to it (every test child is alone)."""
    school = {row[0]: row[3] for row in results["applicants"]}
    removed = {a["application"]: a["type"] for a in actions["actions"]}
    for action in actions["actions"]:
        school[action["application"]] = None
        for application, _, to_school in action["moves"]:
            school[application] = to_school
    places: dict[str, list[tuple[str, int]]] = {a: [] for a in school}
    for entry in results["schools"]:
        s = entry["id"]
        waiting = [
            a
            for a in entry["waitlist"]
            if a not in removed
            and (school[a] is None or preferences[a].index(school[a]) > preferences[a].index(s))
        ]
        for position, application in enumerate(waiting, start=1):
            places[application].append((s, position))
    expected = {}
    for application, held in school.items():
        if application in removed:
            status = "declined" if removed[application] == "decline" else "disqualified"
        else:
            status = "admitted" if held else "waitlisted" if places[application] else "unplaced"
        expected[application] = (status, held, places[application])
    return expected


def _check_every_look_up(
    client: TestClient, draw: str, receipts: dict[str, str], preferences: dict[str, list[str]]
) -> None:
    """Every child's look-up, twice, against the published results and actions."""
    results = json.loads(client.get(f"/api/draws/{draw}/results.json").content)
    actions = json.loads(client.get(f"/api/draws/{draw}/actions.json").content)
    expected = _expected_after_actions(results, actions, preferences)
    for application, receipt in receipts.items():
        first = _look_up(client, draw, application, receipt)
        assert first == _look_up(client, draw, application, receipt)
        found = (first["status"], first["school"], _places(first))
        assert found == expected[application], application
        if first["status"] == "admitted" and not first["waitlist"]:
            assert "waitlist" not in first["explanation_en"], first["explanation_en"]


def _verified(client: TestClient, draw: str, tmp_path) -> None:
    from verifier import verify_bundle

    path = tmp_path / f"{draw}.zip"
    path.write_bytes(client.get(f"/api/draws/{draw}/bundle.zip").content)
    report = verify_bundle(path)
    assert report.passed, report.as_dict()
    replayed = next(c for c in report.as_dict()["checks"] if c["number"] == 12)
    assert replayed["status"] == "PASS", replayed


def test_the_moved_child_leaves_the_waitlist_and_those_behind_move_up(
    client: TestClient, bureau, tmp_path
) -> None:
    setup = sealed_draw(client, bureau.operator, applicants=8)
    run_ceremony(client, bureau.operator, setup["witnesses"])
    client.post(f"{D}/run", headers=bureau.operator)
    assert client.post(f"{D}/publish", headers=bureau.operator).status_code == 200
    results = json.loads(client.get(f"{D}/results.json").content)
    receipts = {r["application"]: r["receipt_code"] for r in setup["receipts"]}
    preferences = {a: ["S01"] for a in receipts}
    admitted = [row[0] for row in results["applicants"] if row[2] == "admitted"]
    waitlist = results["schools"][0]["waitlist"]
    assert len(waitlist) == 5
    for position, application in enumerate(waitlist, start=1):  # the draw-day places
        assert _places(_look_up(client, DRAW_ID, application, receipts[application])) == [
            ("S01", position)
        ]

    assert _act(client, bureau, "decline", admitted[0]) == [[waitlist[0], None, "S01"]]
    moved = _look_up(client, DRAW_ID, waitlist[0], receipts[waitlist[0]])
    assert (moved["status"], moved["school"], moved["label"]) == ("admitted", "S01", "open")
    assert moved["waitlist"] == []
    assert "waitlist" not in moved["explanation_en"]
    assert "候补" not in moved["explanation_zh"]
    for position, application in enumerate(waitlist[1:], start=1):  # one up each
        answer = _look_up(client, DRAW_ID, application, receipts[application])
        assert (answer["status"], _places(answer)) == ("waitlisted", [("S01", position)])
    gone = _look_up(client, DRAW_ID, admitted[0], receipts[admitted[0]])
    assert (gone["status"], gone["school"], gone["waitlist"]) == ("declined", None, [])
    assert "declined" in gone["explanation_en"]

    # A waitlisted child declines: no seat frees, the ones behind it move up.
    assert _act(client, bureau, "decline", waitlist[2]) == []
    assert _places(_look_up(client, DRAW_ID, waitlist[1], receipts[waitlist[1]])) == [("S01", 1)]
    assert _places(_look_up(client, DRAW_ID, waitlist[3], receipts[waitlist[3]])) == [("S01", 2)]
    assert _places(_look_up(client, DRAW_ID, waitlist[4], receipts[waitlist[4]])) == [("S01", 3)]

    assert _act(client, bureau, "disqualify", admitted[1]) == [[waitlist[1], None, "S01"]]
    assert _places(_look_up(client, DRAW_ID, waitlist[3], receipts[waitlist[3]])) == [("S01", 1)]
    assert _places(_look_up(client, DRAW_ID, waitlist[4], receipts[waitlist[4]])) == [("S01", 2)]
    _check_every_look_up(client, DRAW_ID, receipts, preferences)
    _verified(client, DRAW_ID, tmp_path)


MULTI = "XQ-2026-multi"


def _multi_school_draw(client: TestClient, bureau) -> tuple[dict[str, str], dict[str, list[str]]]:
    """Deferred acceptance, one tier, one number per child: S01 (2 seats) takes the two best
    numbers, S02 (2 seats) the next two, the last two wait at both schools."""
    spec = {
        "id": MULTI,
        "title": "某县 2026 年小学多校划片",
        "mode": "deferred_acceptance",
        "tie_breaking": "single",
        "max_preferences": 2,
        "min_reveals": 2,
        "birth_date_from": "2019-09-01",
        "birth_date_to": "2020-08-31",
        "schools": [
            {"id": s, "name": name, "seats": 2, "tiers": [{"id": "T1", "label": "片区"}]}
            for s, name in (("S01", "第一小学"), ("S02", "第二小学"))
        ],
    }
    spec["beacon"] = draw_spec()["beacon"]
    assert client.post("/api/draws", json=spec, headers=bureau.operator).status_code == 201
    rows = [
        {**row, "application": f"M{n:03d}", "preferences": ["S01", "S02"], "tiers": {}}
        for n, row in enumerate(applicant_rows(6), start=1)
    ]
    for row in rows:
        row.pop("category", None)
    d = f"/api/draws/{MULTI}"
    created = client.post(f"{d}/applicants", json=rows, headers=bureau.operator)
    assert created.status_code == 201, created.text
    tokens = commit_witnesses(client, bureau.operator, MULTI, ("W1", "W2"))
    for step in ("objection", "seal"):
        assert client.post(f"{d}/{step}", headers=bureau.operator).status_code == 200, step
    run_ceremony(client, bureau.operator, tokens, draw_id=MULTI)
    for step in ("run", "publish"):
        assert client.post(f"{d}/{step}", headers=bureau.operator).status_code == 200, step
    receipts = {r["application"]: r["receipt_code"] for r in created.json()["receipts"]}
    return receipts, {a: ["S01", "S02"] for a in receipts}


def test_a_child_moves_up_from_its_seat_and_its_old_seat_is_refilled(
    client: TestClient, bureau, tmp_path
) -> None:
    receipts, preferences = _multi_school_draw(client, bureau)
    results = json.loads(client.get(f"/api/draws/{MULTI}/results.json").content)
    at = {
        school: [r[0] for r in results["applicants"] if r[3] == school] for school in ("S01", "S02")
    }
    s01_list, s02_list = (entry["waitlist"] for entry in results["schools"])
    waiting = s02_list  # held nowhere: on both lists, behind S02's holders at S01
    assert s01_list[2:] == waiting and sorted(s01_list[:2]) == at["S02"]
    holder, other_holder = s01_list[:2]
    before = _look_up(client, MULTI, holder, receipts[holder])
    assert (before["school"], _places(before)) == ("S02", [("S01", 1)])

    # S01 frees a seat: its first waiting child leaves its S02 seat, which S02's list refills.
    moves = _act(client, bureau, "decline", at["S01"][0], MULTI)
    assert moves == [[holder, "S02", "S01"], [waiting[0], None, "S02"]]
    moved = _look_up(client, MULTI, holder, receipts[holder])
    assert (moved["status"], moved["school"], moved["waitlist"]) == ("admitted", "S01", [])
    assert "waitlist" not in moved["explanation_en"]
    other = _look_up(client, MULTI, other_holder, receipts[other_holder])
    assert (other["school"], _places(other)) == ("S02", [("S01", 1)])
    refilled = _look_up(client, MULTI, waiting[0], receipts[waiting[0]])
    assert (refilled["status"], refilled["school"]) == ("admitted", "S02")
    assert _places(refilled) == [("S01", 2)]  # still waiting for its first choice, not for S02
    assert "S01 waitlist position 2" in refilled["explanation_en"]
    last = _look_up(client, MULTI, waiting[1], receipts[waiting[1]])
    assert (last["status"], _places(last)) == ("waitlisted", [("S01", 3), ("S02", 1)])

    # Again: the other S02 holder moves up, the last child takes its S02 seat.
    moves = _act(client, bureau, "decline", at["S01"][1], MULTI)
    assert moves == [[other_holder, "S02", "S01"], [waiting[1], None, "S02"]]
    refilled = _look_up(client, MULTI, waiting[0], receipts[waiting[0]])
    assert (refilled["school"], _places(refilled)) == ("S02", [("S01", 1)])
    last = _look_up(client, MULTI, waiting[1], receipts[waiting[1]])
    assert (last["status"], last["school"], _places(last)) == ("admitted", "S02", [("S01", 2)])
    _check_every_look_up(client, MULTI, receipts, preferences)
    _verified(client, MULTI, tmp_path)


def test_without_actions_the_replay_gives_the_rows_the_run_stored(
    client: TestClient, bureau, engine, signer
) -> None:
    """The replay's lines are laid out byte for byte as the run stores them, so an action
    rewrites only the rows it changes (a large draw has one row per child)."""
    from api.db import session_scope
    from api.models import Outcome
    from api.services.access import find_draw
    from api.services.actions import _replay

    _published(client, bureau)
    with session_scope(engine) as session:
        draw = find_draw(session, DRAW_ID)
        lines = _replay(session, draw, signer, []).lines
        stored = {
            row.application: (row.status, row.school, row.label, row.waitlist)
            for row in session.exec(select(Outcome).where(Outcome.draw_id == draw.id))
        }
    assert stored == lines
    assert any(line[3] != "[]" for line in lines.values())


def test_a_failed_action_leaves_every_waitlist_place_as_it_was(
    client: TestClient, bureau, monkeypatch
) -> None:
    """The outcome rows are written in the action's transaction: all or nothing."""
    from api.services import actions

    results, receipts = _published(client, bureau)
    admitted = [row[0] for row in results["applicants"] if row[2] == "admitted"]
    waitlist = results["schools"][0]["waitlist"]
    before = {a: _look_up(client, DRAW_ID, a, receipts[a]) for a in receipts}

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("signing device unplugged")

    monkeypatch.setattr(actions, "_sign_document", broken)
    with pytest.raises(RuntimeError):
        client.post(
            f"{D}/actions",
            json={"type": "decline", "application": admitted[0]},
            headers=bureau.operator,
        )
    monkeypatch.undo()
    assert {a: _look_up(client, DRAW_ID, a, receipts[a]) for a in receipts} == before
    assert _act(client, bureau, "decline", admitted[0]) == [[waitlist[0], None, "S01"]]
