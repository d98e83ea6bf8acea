"""The parent check: inclusion proof, private digest, outcome and explanation (§4.3, §5.3, §10)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from engine_draws import ApplicantSpec, DrawSpec, SchoolSpec, private_record, write_draw

from verifier.cli import main
from verifier.errors import VerificationError
from verifier.parent import ApplicantNotFound, check_applicant, normalise_receipt

SPEC = DrawSpec(
    mode="deferred_acceptance",
    tie_breaking="single",
    max_preferences=2,
    schools=(
        SchoolSpec("S0", seats=1, tiers=2, reserved=(), classes=None),
        SchoolSpec("S1", seats=2, tiers=1, reserved=(), classes=(None, 40, "apart")),
    ),
    applicants=(
        ApplicantSpec(
            "A0", category=None, group=None, preferences=("S0", "S1"), tiers=(("S0", 0),), sex="F"
        ),
        ApplicantSpec("A1", category=None, group=None, preferences=("S0", "S1"), tiers=(), sex="M"),
        ApplicantSpec("A2", category=None, group=None, preferences=("S0", "S1"), tiers=(), sex="M"),
        ApplicantSpec("A3", category=None, group=None, preferences=("S0", "S1"), tiers=(), sex="F"),
    ),
    witnesses=1,
    reveals=(True,),
    min_reveals=1,
    beacon=None,
)


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_draw(SPEC, tmp_path_factory.mktemp("parent") / "bundle")


def _printed(receipt: str) -> str:
    """The receipt as a family reads it: lower case, groups of four with hyphens."""
    return "-".join(receipt[i : i + 4] for i in range(0, 16, 4)).lower()


def test_receipt_normalisation() -> None:
    assert normalise_receipt("abcd-efgh-jkmn-pqrs") == "ABCDEFGHJKMNPQRS"
    assert normalise_receipt(" 0o1i-L234-5678-9abc ") == "0011123456789ABC"
    with pytest.raises(VerificationError, match="receipt code"):
        normalise_receipt("ABCD-EFGH")
    with pytest.raises(VerificationError):
        normalise_receipt("UUUU-UUUU-UUUU-UUUU")


def test_tier_one_child_is_admitted_to_first_choice_and_explained(bundle: Path) -> None:
    private = private_record("A0")
    report = check_applicant(
        bundle,
        application="A0",
        receipt=_printed(private.receipt),
        name=private.name,
        id_number=private.id_number.lower(),
    )
    assert report.bundle.passed
    assert report.in_sealed_list
    assert report.private_check == "match"
    assert (report.status, report.school, report.label) == ("admitted", "S0", "open")
    assert len(report.schools) == 1  # nothing after the school it got
    line = report.schools[0]
    assert (line.school, line.tier, line.admitted) == ("S0", "t0", True)
    assert (line.cutoff_tier, line.cutoff_number) == ("t0", line.lottery_number)
    assert line.waitlist_position is None


def test_other_children_see_first_choice_waitlist_positions(bundle: Path) -> None:
    positions = []
    for application in ("A1", "A2", "A3"):
        report = check_applicant(
            bundle, application=application, receipt=private_record(application).receipt
        )
        assert report.private_check == "not checked"
        first = report.schools[0]
        assert (first.school, first.tier, first.admitted, first.cutoff_tier) == (
            "S0",
            "t1",
            False,
            "t0",
        )
        positions.append(first.waitlist_position)
        assert report.status in ("admitted", "waitlisted")
    assert sorted(positions) == [1, 2, 3]


def test_wrong_name_is_a_mismatch(bundle: Path) -> None:
    private = private_record("A1")
    report = check_applicant(
        bundle, application="A1", receipt=private.receipt, name="王五", id_number=private.id_number
    )
    assert report.private_check == "mismatch"


def test_wrong_receipt_is_a_mismatch(bundle: Path) -> None:
    private = private_record("A1")
    other = private_record("A2").receipt
    report = check_applicant(
        bundle, application="A1", receipt=other, name=private.name, id_number=private.id_number
    )
    assert report.private_check == "mismatch"


def test_unknown_application(bundle: Path) -> None:
    with pytest.raises(ApplicantNotFound, match="A9"):
        check_applicant(bundle, application="A9", receipt=private_record("A1").receipt)


def test_cli_parent_check_in_chinese(bundle: Path, capsys: pytest.CaptureFixture[str]) -> None:
    private = private_record("A0")
    code = main(
        [
            str(bundle),
            "--lang",
            "zh",
            "--applicant",
            "A0",
            "--receipt",
            _printed(private.receipt),
            "--name",
            private.name,
            "--id-number",
            private.id_number,
        ]
    )
    out = capsys.readouterr().out
    assert code == 0
    assert "已在封存的报名名单中" in out and "录取学校 S0" in out and "一致" in out


def test_cli_parent_check_json_and_mismatch_exit_code(
    bundle: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    private = private_record("A0")
    code = main(
        [
            str(bundle),
            "--json",
            "--applicant",
            "A0",
            "--receipt",
            private.receipt,
            "--name",
            "Someone Else",
            "--id-number",
            private.id_number,
        ]
    )
    document = json.loads(capsys.readouterr().out)
    assert code == 1
    assert document["passed"] is True
    assert document["applicant"]["private_check"] == "mismatch"


def test_cli_without_private_fields_says_how_to_check(
    bundle: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(
        [
            str(bundle),
            "--lang",
            "en",
            "--applicant",
            "A2",
            "--receipt",
            private_record("A2").receipt,
        ]
    )
    out = capsys.readouterr().out
    assert code == 0
    assert "were not checked" in out and "--name NAME --id-number ID" in out


def test_private_digest_agrees_with_the_engine_record() -> None:
    import lottery
    from verifier import private_digest

    private = private_record("A7")
    record = lottery.public_record(
        private, category=None, group=None, preferences=["S0"], tiers={}, sex="F"
    )
    assert record.private_digest == private_digest(
        application="A7", id_number=private.id_number, name=private.name, receipt=private.receipt
    )
    # Decomposed Unicode is normalised to NFC (§4.3) before hashing.
    decomposed = "e\u0301"
    assert private_digest(
        application="A7", id_number="x", name=decomposed, receipt="R"
    ) == private_digest(application="A7", id_number="x", name="\u00e9", receipt="R")
