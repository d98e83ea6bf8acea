"""Warnings at sealing (protocol §6.5): a group that can end without room, a zone with too few
spare seats, a draw with no applicants; given to the bureau in Chinese and English when it seals
(and before, on request), and sealing proceeds."""

from __future__ import annotations

from fastapi.testclient import TestClient
from helpers import DRAW_ID, applicant_rows, commit_witnesses, draw_spec

from api.services.sealing_warnings import sealing_warnings
from lottery import DrawRules, PublicRecord, School, Tier

D = f"/api/draws/{DRAW_ID}"


def _record(application: str, group: str | None, preferences: tuple[str, ...]) -> PublicRecord:
    return PublicRecord(
        application=application,
        category=None,
        group=group,
        masked_id="1101**********123X",
        masked_name="张*",
        preferences=preferences,
        private_digest="0" * 64,
        sex="F",
        tiers=(),
        receipt_check="0" * 64,
    )


def _rules(mode: str, seats: dict[str, int]) -> DrawRules:
    tiers = (Tier(id="T1", label="一类"),)
    schools = tuple(School(id=s, name=s, seats=n, tiers=tiers) for s, n in seats.items())
    return DrawRules(draw_id="D", title="t", authority="a", mode=mode, schools=schools)  # type: ignore[arg-type]


def test_a_zone_whose_spare_seats_are_spread_too_thin_is_named() -> None:
    """Seats 3 + 3 and groups 2 + 2 + 2: a group can end without room (§10.10)."""
    records = [
        _record(f"A{n}", f"G{(n - 1) // 2 + 1}", ()) for n in range(1, 7)
    ]  # G1, G2, G3 of two
    (warning,) = sealing_warnings(_rules("zone_assignment", {"S01": 3, "S02": 3}), records)
    assert warning.code == "zone-spare-seats-short"
    assert warning.ids == ("G1", "G2", "G3", "S01", "S02")
    assert "只多 0 个" in warning.message_zh and "补录" in warning.message_zh
    assert "only 0 seats more than children" in warning.message_en
    # one spare seat, as many as S·(g - 1) - g + 1 = 1: no warning
    assert sealing_warnings(_rules("zone_assignment", {"S01": 3, "S02": 4}), records) == ()


def test_a_group_larger_than_every_school_on_its_list_is_named() -> None:
    records = [_record(f"A{n}", "G1", ("S01", "S02")) for n in (1, 2, 3)]
    records.append(_record("A4", None, ("S01",)))
    (warning,) = sealing_warnings(
        _rules("deferred_acceptance", {"S01": 2, "S02": 2, "S03": 5}), records
    )
    assert warning.code == "group-larger-than-its-schools" and warning.ids == ("G1", "S01", "S02")
    assert "G1 共 3 人" in warning.message_zh
    assert "has fewer than 3 seats" in warning.message_en


def test_no_applicants_is_a_warning() -> None:
    (warning,) = sealing_warnings(_rules("single_school_lottery", {"S01": 3}), [])
    assert warning.code == "no-applicants" and "没有任何报名" in warning.message_zh


def test_the_seal_answer_carries_the_warnings_and_sealing_proceeds(
    client: TestClient, bureau
) -> None:  # type: ignore[no-untyped-def]
    headers = bureau.operator
    assert client.post("/api/draws", json=draw_spec(seats=1), headers=headers).status_code == 201
    rows = applicant_rows(2)
    for row in rows:
        row["group"] = "TW1"  # twins, one seat
        row.pop("category", None)
    added = client.post(f"{D}/applicants", json=rows, headers=headers)
    assert added.status_code == 201, added.text
    commit_witnesses(client, headers, DRAW_ID, ("W1", "W2", "W3"))
    assert client.post(f"{D}/objection", headers=headers).status_code == 200
    before = client.get(f"{D}/sealing-warnings", headers=headers)
    assert before.status_code == 200 and [w["code"] for w in before.json()] == [
        "group-larger-than-its-schools"
    ]
    sealed = client.post(f"{D}/seal", headers=headers)
    assert sealed.status_code == 200, sealed.text
    assert sealed.json()["state"] == "sealed" and sealed.json()["manifest_digest"]
    (warning,) = sealed.json()["warnings"]
    assert warning == before.json()[0]
    assert warning["ids"] == ["TW1", "S01"] and "补录" in warning["message_zh"]
    assert "second round" in warning["message_en"]


def test_the_terminal_shows_each_warning_in_both_languages() -> None:
    """What `lottery seal` and the demo print after the sealing announcement."""
    from api.ceremony_display import warning_lines

    warnings = sealing_warnings(_rules("single_school_lottery", {"S01": 3}), [])
    lines = warning_lines(warnings)
    assert lines[0].startswith("封存提示 1 条") and "sealing warning" in lines[0]
    assert "没有任何报名" in lines[1] and "no child at all" in lines[2]
    assert warning_lines(()) == []
