"""Deferred acceptance shared between two processes (verifier.deferred) gives exactly what one
process gives: the same rounds, held sets and rejections on random draws of every mode that uses
it, the same verdicts on every vector and tampered bundle, and the same when the second process
cannot be made or dies in the middle of the rounds."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import pytest
from engine_draws import draw_specs, write_draw
from hypothesis import HealthCheck, given, settings

from verifier import deferred
from verifier.allocation import Allocation
from verifier.report import Report
from verifier.verify import run_checks, verify_bundle

VECTORS = Path(__file__).resolve().parents[1] / "vectors"
TAMPER = VECTORS / "tamper"
BUNDLES = [TAMPER / name for name in sorted(json.loads((TAMPER / "expected.json").read_text()))]
BUNDLES += sorted(p.parent for p in (VECTORS / "draws").rglob("manifest.json"))
ONE, TWO = 10**12, 0  # TWO_PROCESSES_FROM that forces one process, or two


def _allocation(bundle: Path) -> Allocation:
    report, state = run_checks(bundle)
    assert report.passed, [(c.number, c.detail) for c in report.checks if c.status == "FAIL"]
    assert state.allocation is not None
    return state.allocation


def _verdicts(report: Report) -> list[tuple[int, str, str, str, str]]:
    return [(c.number, c.status, c.detail, c.expected, c.found) for c in report.checks]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(draw_specs(modes=("deferred_acceptance", "zone_assignment"), max_applicants=40))
def test_two_processes_allocate_as_one(spec: object) -> None:
    with tempfile.TemporaryDirectory() as temp:
        bundle = write_draw(spec, Path(temp) / "bundle")  # type: ignore[arg-type]
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(deferred, "TWO_PROCESSES_FROM", ONE)
            alone = _allocation(bundle)
            patch.setattr(deferred, "TWO_PROCESSES_FROM", TWO)
            shared = _allocation(bundle)
    assert shared == alone


@pytest.mark.parametrize("bundle", BUNDLES, ids=[p.name for p in BUNDLES])
def test_two_processes_change_no_verdict(bundle: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(deferred, "TWO_PROCESSES_FROM", ONE)
    alone = _verdicts(verify_bundle(bundle))
    monkeypatch.setattr(deferred, "TWO_PROCESSES_FROM", TWO)
    assert _verdicts(verify_bundle(bundle)) == alone


DA_BUNDLE = VECTORS / "draws" / "multi" / "03-da-reserved-groups-tiers"


def test_a_large_draw_is_shared_and_a_small_one_is_not(monkeypatch: pytest.MonkeyPatch) -> None:
    shared_rounds: list[bool] = []  # one entry per process pair set up (the parent's side)
    real_exchange = deferred._exchange_with

    def recording(connection, own, count, sends_first):  # type: ignore[no-untyped-def]
        if sends_first:
            shared_rounds.append(True)
        return real_exchange(connection, own, count, sends_first)

    monkeypatch.setattr(deferred, "_exchange_with", recording)
    alone = _allocation(DA_BUNDLE)
    assert shared_rounds == []  # a few units: one process
    units = len(alone.assigned)
    monkeypatch.setattr(deferred, "TWO_PROCESSES_FROM", units)  # as if this draw were large
    assert _allocation(DA_BUNDLE) == alone
    assert shared_rounds == [True]


def test_without_fork_the_rounds_run_here(monkeypatch: pytest.MonkeyPatch) -> None:
    alone = _allocation(DA_BUNDLE)
    monkeypatch.setattr(deferred, "TWO_PROCESSES_FROM", TWO)
    monkeypatch.delattr(os, "fork")
    assert _allocation(DA_BUNDLE) == alone


def test_a_fork_refused_by_the_system_runs_the_rounds_here(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    alone = _allocation(DA_BUNDLE)
    monkeypatch.setattr(deferred, "TWO_PROCESSES_FROM", TWO)

    refusals: list[int] = []

    def refused() -> int:
        refusals.append(1)
        raise OSError("Resource temporarily unavailable")

    monkeypatch.setattr(os, "fork", refused)
    assert _allocation(DA_BUNDLE) == alone
    assert refusals == [1]  # the rounds' fork (a bundle this small has no background copy)


def test_a_copy_that_dies_mid_rounds_changes_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    alone = _allocation(DA_BUNDLE)
    monkeypatch.setattr(deferred, "TWO_PROCESSES_FROM", TWO)
    real_exchange = deferred._exchange_with

    def dying_copy(connection, own, count, sends_first):  # type: ignore[no-untyped-def]
        exchange = real_exchange(connection, own, count, sends_first)
        if sends_first:
            return exchange
        return lambda next_round: os._exit(3)  # the copy is killed after its first round

    monkeypatch.setattr(deferred, "_exchange_with", dying_copy)
    runs_here: list[range] = []
    real_run = deferred._run_rounds

    def counting_run(*arguments):  # type: ignore[no-untyped-def]
        runs_here.append(arguments[4])
        return real_run(*arguments)

    monkeypatch.setattr(deferred, "_run_rounds", counting_run)
    assert _allocation(DA_BUNDLE) == alone
    schools = len(alone.admitted)
    assert runs_here == [range(0, schools, 2), range(schools)]  # shared, then all of it here
