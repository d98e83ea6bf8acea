"""The verifier's second-round check (protocol §14.5) against rounds made with the engine.

A tampered second round is sealed and signed properly, so it verifies on its own: only the
comparison with the first draw can catch it.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from sample_draws import write_test_bundle
from test_rounds import first_draw, run_second, write_with_declines

from lottery import SecondRoundInputs, read_bundle, second_round_inputs
from verifier import verify_bundle
from verifier.cli import main
from verifier.report import CheckResult


def check_second_round(first: Path, second: Path) -> CheckResult:
    """Check 14 of verifying `second` with `first` as the previous draw (§14.5)."""
    return verify_bundle(second, previous=first).checks[13]


@pytest.fixture(scope="module")
def first(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, SecondRoundInputs]:
    result = first_draw()
    bundle = tmp_path_factory.mktemp("round1") / "bundle"
    write_with_declines(result, bundle)
    return bundle, second_round_inputs(read_bundle(bundle))


def _second(inputs: SecondRoundInputs, directory: Path) -> Path:
    target = directory / "round2"
    write_test_bundle(target, *run_second(inputs))
    assert verify_bundle(target).passed
    return target


def test_an_honest_second_round_passes(
    first: tuple[Path, SecondRoundInputs], tmp_path: Path
) -> None:
    bundle, inputs = first
    check = check_second_round(bundle, _second(inputs, tmp_path))
    assert check.status == "PASS", check


def test_an_admitted_child_added_fails(
    first: tuple[Path, SecondRoundInputs], tmp_path: Path
) -> None:
    bundle, inputs = first
    admitted = next(r for r in read_bundle(bundle).records if r.application == "A001")
    extra = replace(admitted, tiers=())  # the first draw is a zone assignment (no lists)
    tampered = replace(inputs, records=(*inputs.records, extra))
    check = check_second_round(bundle, _second(tampered, tmp_path))
    assert check.status == "FAIL"
    assert "applicants.jsonl line 1" in check.detail and "A001" in check.found


def test_more_seats_fail(first: tuple[Path, SecondRoundInputs], tmp_path: Path) -> None:
    bundle, inputs = first
    school = inputs.schools[0]
    tampered = replace(inputs, schools=(replace(school, seats=school.seats + 1),))
    check = check_second_round(bundle, _second(tampered, tmp_path))
    assert check.status == "FAIL"
    assert "manifest.json.schools[0]" in check.detail
    assert "'seats': 2" in check.expected and "'seats': 3" in check.found


def test_another_tie_breaking_fails(first: tuple[Path, SecondRoundInputs], tmp_path: Path) -> None:
    bundle, inputs = first
    other = "multiple" if inputs.tie_breaking == "single" else "single"
    tampered = replace(inputs, tie_breaking=other)
    check = check_second_round(bundle, _second(tampered, tmp_path))
    assert check.status == "FAIL" and "manifest.json.tie_breaking" in check.detail


def test_a_first_draw_that_does_not_verify_fails(
    first: tuple[Path, SecondRoundInputs], tmp_path: Path
) -> None:
    bundle, inputs = first
    second = _second(inputs, tmp_path)
    broken = tmp_path / "broken"
    broken.mkdir()
    for item in bundle.iterdir():
        (broken / item.name).write_bytes(item.read_bytes())
    (broken / "actions.json").write_bytes(
        (bundle / "actions.json").read_bytes().replace(b"T002", b"T003")
    )
    check = check_second_round(broken, second)
    assert check.status == "FAIL" and "previous draw does not verify" in check.detail


def test_cli_previous(
    first: tuple[Path, SecondRoundInputs], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bundle, inputs = first
    honest = _second(inputs, tmp_path / "honest")
    assert main([str(honest), "--previous", str(bundle), "--lang", "en"]) == 3  # not pinned
    assert "(14) PASS" in capsys.readouterr().out
    school = inputs.schools[0]
    tampered = _second(
        replace(inputs, schools=(replace(school, seats=school.seats + 1),)), tmp_path / "bad"
    )
    assert main([str(tampered), "--lang", "en"]) == 3
    assert main([str(tampered), "--previous", str(bundle), "--lang", "en"]) == 1
    assert "(14) FAIL" in capsys.readouterr().out
