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
