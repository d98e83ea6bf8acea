"""The family's result letter: checked against the engine's own explanation of each outcome."""

from __future__ import annotations

import re

import pytest
from sample_draws import Child, rules_for, run_test_draw, tiers
from test_documents_announcement import page_count, pdf_text
from test_documents_lists import bundle_of, multi_children, multi_draw, privates

from api.documents import (
    InvalidDocumentInput,
    LetterDataMismatch,
    LetterRecipient,
    UnknownApplication,
    result_letter_pdf,
    result_letters_pdf,
)
from lottery import School, format_receipt
from lottery.allocation import explain_applicant
from lottery.tickets import hex16


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
        assert f"Lotterynumber:{hex16(explained.lottery_number)}" in found
        assert (
            f"--applicant{person.application}--receipt{format_receipt(person.receipt_code)}"
            in found
        )
        if explained.status == "admitted":
            assert explained.school is not None
            admitted_at = result.problem.schools[explained.school].id
            assert f"录取admitted：{school_name[admitted_at]}" in found
        else:
            assert (
                f"Outcome:{ {'waitlisted': '候补', 'unplaced': '未录取'}[explained.status] }"
                in found
            )
        for choice in explained.choices:
            school = bundle.manifest.rules.schools[choice.school]
            assert f"{school.name}({school.id})" in found
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
    assert f"({row[3]})" in found and f"({other})" not in found
