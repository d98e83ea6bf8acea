"""The multi-school vectors (tests/vectors/draws/multi) are exactly what the generator makes."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

MULTI = Path(__file__).resolve().parents[1] / "vectors" / "draws" / "multi"
CASES = sorted(p.name for p in MULTI.iterdir() if p.is_dir())


def _generator() -> object:
    spec = importlib.util.spec_from_file_location("multi_vectors_generate", MULTI / "generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_mode_has_a_case() -> None:
    modes = {json.loads((MULTI / c / "manifest.json").read_bytes())["mode"] for c in CASES}
    assert modes == {"deferred_acceptance", "immediate_acceptance", "zone_assignment"}
    assert any((MULTI / c / "actions.json").exists() for c in CASES)


def test_committed_vectors_equal_a_fresh_run(tmp_path: Path) -> None:
    _generator().generate(tmp_path)  # type: ignore[attr-defined]
    fresh = sorted(p.name for p in tmp_path.iterdir() if p.is_dir())
    assert fresh == CASES
    pairs = "second-rounds.json"
    assert (MULTI / pairs).read_bytes() == (tmp_path / pairs).read_bytes(), pairs
    for case in CASES:
        names = sorted(p.name for p in (MULTI / case).iterdir())
        assert names == sorted(p.name for p in (tmp_path / case).iterdir()), case
        for name in names:
            assert (MULTI / case / name).read_bytes() == (tmp_path / case / name).read_bytes(), (
                f"{case}/{name} differs from a fresh run: regenerate with "
                "`.venv/bin/python tests/vectors/draws/multi/generate.py`"
            )


@pytest.mark.parametrize("case", CASES)
def test_bundles_hold_nothing_personal(case: str) -> None:
    """§13.2: no child's name, ID number or receipt code appears in any file of a bundle."""
    from sample_draws import Child, record_for

    lines = (MULTI / case / "applicants.jsonl").read_bytes().splitlines()
    files = b"".join(path.read_bytes() for path in (MULTI / case).iterdir())
    for line in lines:
        record = json.loads(line)
        child = Child(record["application"])  # personal data derives from the application
        private, _ = record_for(child, f"vector multi {case}")
        for secret in (private.id_number, private.name, private.receipt):
            assert secret.encode() not in files


SECOND_ROUNDS = json.loads((MULTI / "second-rounds.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("pair", SECOND_ROUNDS, ids=[p["second"] for p in SECOND_ROUNDS])
def test_second_round_derives_from_its_first_draw(pair: dict[str, str]) -> None:
    """§14.5: the second bundle's schools and records are those the engine derives from the
    first bundle (its actions replayed)."""
    from lottery import read_bundle, second_round_inputs

    vectors = MULTI.parents[1]
    inputs = second_round_inputs(read_bundle(vectors / pair["first"]))
    second = read_bundle(vectors / pair["second"])
    assert second.manifest.rules.schools == inputs.schools
    assert [r.encoded() for r in second.records] == [r.encoded() for r in inputs.records]
    for key in ("mode", "tie_breaking", "max_preferences", "group_policy", "categories"):
        assert getattr(second.manifest.rules, key) == getattr(inputs, key), key


@pytest.mark.parametrize("case", CASES)
def test_multi_draw_reruns_to_its_results(case: str) -> None:
    """§17 steps 9-10 in the engine: the allocation re-run from the bundle's manifest, records
    and seed gives its `results.json` byte for byte (Fill, cutoffs per label, groups without
    room included)."""
    from lottery import AuditHead, canonical_json, ceremony_digest, read_bundle, rerun_results

    bundle = read_bundle(MULTI / case)
    _, _, results = rerun_results(
        bundle.manifest,
        bundle.records,
        seed=bundle.ceremony.seed,
        ceremony_hex=ceremony_digest(bundle.ceremony).hex(),
        audit=AuditHead(**bundle.results["audit"]),
    )
    assert canonical_json(results) == (MULTI / case / "results.json").read_bytes()
