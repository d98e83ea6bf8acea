"""The family's result letter: checked against the engine's own explanation of each outcome,
and after post-draw actions against the independent verifier's parent check (§14)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sample_draws import Child, rules_for, tiers
from test_documents_announcement import page_count, pdf_text
from test_documents_lists import (
    actions_draw,
    bundle_of,
    multi_children,
    multi_draw,
    privates,
    published_after_actions,
    run_test_draw,
)

from api.documents import (
    InvalidDocumentInput,
    LetterDataMismatch,
    LetterRecipient,
    UnknownApplication,
    result_letter_pdf,
    result_letters_pdf,
)
from api.documents.after_actions import after_actions
from lottery import Bundle, School, format_receipt, tagged_hash
from lottery.allocation import explain_applicant
from lottery.tickets import hex16
from verifier.parent import check_applicant


def recipients() -> list[LetterRecipient]:
    return [
        LetterRecipient(p.application, p.name, p.receipt, p.id_number)
        for p in privates(multi_children())
    ]


@pytest.mark.parametrize("tie_breaking", ["single", "multiple"])
def test_each_letter_matches_the_engines_explanation(tie_breaking: str) -> None:
    result, bundle = multi_draw(tie_breaking)
    school_name = {s.id: s.name for s in bundle.manifest.rules.schools}
    for person in recipients():
        found = pdf_text(
            result_letter_pdf(
                bundle,
                application=person.application,
                name=person.name,
                receipt_code=format_receipt(person.receipt_code).lower(),
            )
        )
        applicant = result.problem.applicant_ids.index(person.application)
        explained = explain_applicant(result.problem, result.allocation, applicant)
        assert f"{person.name}同学家长" in found
        assert f"摇号号码：{hex16(explained.lottery_number)}" in found
        assert (
            f"--applicant{person.application}--receipt{format_receipt(person.receipt_code)}"
            in found
        )
        if explained.status == "admitted":
            assert explained.school is not None
            admitted_at = result.problem.schools[explained.school].id
            assert f"结果：录取：{school_name[admitted_at]}" in found
        else:
            assert (
                f"结果：{ {'waitlisted': '候补', 'unplaced': '未录取'}[explained.status] }" in found
            )
        for choice in explained.choices:
            school = bundle.manifest.rules.schools[choice.school]
            assert f"{school.name}（{school.id}）" in found
            assert school.tiers[choice.tier].label.replace(" ", "") + hex16(choice.number) in found
            if choice.waitlist_position is not None:
                assert f"候补第{choice.waitlist_position}位" in found
            if choice.cutoff is not None:
                assert hex16(choice.cutoff[1]) in found


def test_bulk_letters_one_page_each_and_deterministic() -> None:
    _, bundle = multi_draw()
    people = recipients()[:5]
    data = result_letters_pdf(bundle, people)
    assert page_count(data) == 5
    assert data == result_letters_pdf(bundle, people)
    found = pdf_text(data)
    assert all(p.name in found for p in people)
    others = recipients()[5:]
    assert not any(p.name in found for p in others)  # a batch holds only its own families


def test_a_name_that_does_not_fit_the_record_is_refused() -> None:
    _, bundle = multi_draw()
    first, second = recipients()[:2]
    with pytest.raises(LetterDataMismatch, match=f"application {first.application}: the name"):
        result_letter_pdf(
            bundle, application=first.application, name="王小明", receipt_code=first.receipt_code
        )
    swapped = LetterRecipient(first.application, first.name, second.receipt_code, first.id_number)
    with pytest.raises(LetterDataMismatch, match="do not give the sealed private digest") as caught:
        result_letters_pdf(bundle, [second, swapped])
    assert second.receipt_code not in str(caught.value)


def test_bad_receipt_unknown_application_and_empty_batch() -> None:
    _, bundle = multi_draw()
    person = recipients()[0]
    with pytest.raises(LetterDataMismatch, match="receipt_code is not 16 Crockford"):
        result_letter_pdf(
            bundle, application=person.application, name=person.name, receipt_code="1234"
        )
    with pytest.raises(UnknownApplication, match=re.escape("'Z9999' is not in draw TEST-2026")):
        result_letter_pdf(
            bundle, application="Z9999", name="张三", receipt_code=person.receipt_code
        )
    with pytest.raises(InvalidDocumentInput, match="recipients: the list is empty"):
        result_letters_pdf(bundle, [])


def test_zone_assignment_letter_names_only_the_assigned_school() -> None:
    schools = [
        School(id="S01", name="东城小学", seats=3, tiers=tiers("SIB", "G")),
        School(id="S02", name="西城小学", seats=3, tiers=tiers("SIB", "G")),
    ]
    children = [Child(application=f"Z{i:03d}", preferences=()) for i in range(5)]
    rules = rules_for(schools, mode="zone_assignment")
    result = run_test_draw(rules, children, label="zone")
    bundle = bundle_of(result)
    person = privates(children, "zone")[0]
    found = pdf_text(
        result_letter_pdf(
            bundle, application=person.application, name=person.name, receipt_code=person.receipt
        )
    )
    row = next(r for r in bundle.results["applicants"] if r[0] == person.application)
    assert row[2] == "admitted"
    other = "S02" if row[3] == "S01" else "S01"
    assert f"（{row[3]}）" in found and f"（{other}）" not in found


def _letter_text(bundle: Bundle, person: LetterRecipient) -> str:
    data = result_letters_pdf(bundle, [person])
    assert page_count(data) == 1  # still one page a family
    return pdf_text(data)


def _people() -> dict[str, LetterRecipient]:
    return {p.application: p for p in recipients()}


@pytest.mark.parametrize("tie_breaking", ["single", "multiple"])
def test_letters_after_actions_give_the_outcome_now(tie_breaking: str) -> None:
    draw, people = actions_draw(tie_breaking), _people()
    name = {s.id: s.name for s in draw.bundle.manifest.rules.schools}
    drawn = {row[0]: row for row in draw.bundle.results["applicants"]}
    digest = tagged_hash("actions", draw.bundle.files["actions.json"]).hex()
    included = "本通知书已计入截至2026年7月3日17:00的2项递补操作"  # local time

    moved = _letter_text(draw.bundle, people[draw.moved])
    assert f"结果：录取：{name['S01']}（S01），普通（第1项递补操作从候补名单" in moved
    if drawn[draw.moved][2] == "admitted":  # it left a later choice's seat to move up
        held = drawn[draw.moved][3]
        assert f"摇号当天结果：录取：{name[held]}（{held}）" in moved
    else:
        assert "摇号当天结果：候补" in moved
    assert "录取，普通（摇号当天：候补第1位）" in moved

    behind = _letter_text(draw.bundle, people[draw.behind])
    assert "候补第1位（摇号当天：候补第2位）" in behind
    assert "摇号当天结果" not in behind  # still waiting, as on the draw day

    declined = _letter_text(draw.bundle, people[draw.declined])
    assert "结果：已放弃" in declined
    assert "已于第1项递补操作移出本次摇号：不占学位，不在任何候补名单" in declined
    assert f"摇号当天结果：录取：{name['S01']}（S01）" in declined
    assert "录取：" not in declined.split("摇号当天结果")[0]

    disqualified = _letter_text(draw.bundle, people[draw.disqualified])
    assert "结果：资格复核未通过" in disqualified
    assert "已于第2项递补操作移出本次摇号" in disqualified
    if drawn[draw.disqualified][2] == "admitted":  # waiting at S01, admitted at a later choice
        held = drawn[draw.disqualified][3]
        assert f"摇号当天结果：录取：{name[held]}（{held}）" in disqualified
    else:
        assert "摇号当天结果：候补" in disqualified

    last = draw.bundle.heads[-1]  # the signed state the letters tell (§12.7)
    assert last["actions"] == 2
    for found in (moved, behind, declined, disqualified):
        assert included in found
        assert "摇号当天录取线" in found
        assert f"递补记录摘要:{digest}" in found
        assert f"第{last['seq']}号结果头" in found and last["outcomes"]["root"] in found


@pytest.mark.parametrize("tie_breaking", ["single", "multiple"])
def test_letters_after_actions_say_what_the_verifier_says(
    tie_breaking: str, tmp_path: Path
) -> None:
    """Every child's outcome and waitlist places after the actions, as the letters take them,
    against the verifier's parent check (an independent implementation of §14.2) and against
    the published moves; and every letter states them."""
    draw, people = actions_draw(tie_breaking), _people()
    for name, content in draw.bundle.files.items():
        (tmp_path / name).write_bytes(content)
    after = after_actions(draw.bundle)
    assert after is not None
    school, waitlists, _ = published_after_actions(draw.bundle)
    for application, person in people.items():
        child = after.children[application]
        report = check_applicant(tmp_path, application=application, receipt=person.receipt_code)
        assert report.bundle.passed and report.post_draw_actions == 2
        removed = {"decline": "declined", "disqualify": "disqualified"}  # leaf words (§12.7)
        assert (child.status, child.school, child.label) == (
            removed.get(report.status, report.status),
            report.school,
            report.label,
        ), application
        places = {line.school: line.waitlist_position for line in report.schools}
        assert dict(child.waitlist) == {s: n for s, n in places.items() if n is not None}
        assert child.school == school[application]
        assert child.waitlist == tuple(
            (s, w.index(application) + 1) for s, w in waitlists.items() if application in w
        )
        found = _letter_text(draw.bundle, person)
        for s, position in child.waitlist:
            assert f"候补第{position}位" in found, (application, s)


def test_without_actions_a_letter_says_nothing_of_them() -> None:
    _, bundle = multi_draw()
    for person in recipients()[:6]:
        found = _letter_text(bundle, person)
        assert "递补" not in found and "摇号当天" not in found
        assert "第0号结果头" in found and bundle.heads[0]["outcomes"]["root"] in found
        assert "录取线（类别，摇号号码）" in found and "普通名额录取线：" in found
