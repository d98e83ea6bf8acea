"""The demo (`lottery demo`): runs, and is byte-reproducible across processes and hash seeds."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from lottery import read_bundle

ROOT = Path(__file__).parents[2]


def _run_demo(out: Path, hash_seed: str) -> str:
    env = {**os.environ, "PYTHONHASHSEED": hash_seed}
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "api.cli",
            "demo",
            "--out",
            str(out),
            "--entropy",
            "test",
            "--applicants",
            "400",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


def test_demo_is_identical_under_different_hash_seeds(tmp_path: Path) -> None:
    first = _run_demo(tmp_path / "one", "1")
    second = _run_demo(tmp_path / "two", "4242")
    files = sorted(p.name for p in (tmp_path / "one").iterdir())
    assert files == sorted(p.name for p in (tmp_path / "two").iterdir())
    for name in files:
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "two" / name).read_bytes()
    assert first.replace("one", "two") == second
    assert "Seats:          300" in first and "Waitlist:       100" in first
    bundle = read_bundle(tmp_path / "one")
    assert bundle.manifest.applicants.count == 400
    # Running again into the same directory replaces the earlier bundle, byte-identical.
    before = {p.name: p.read_bytes() for p in (tmp_path / "one").iterdir()}
    _run_demo(tmp_path / "one", "7")
    assert {p.name: p.read_bytes() for p in (tmp_path / "one").iterdir()} == before


def test_demo_refuses_an_occupied_directory(tmp_path: Path) -> None:
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "x").write_text("x")
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "api.cli",
            "demo",
            "--out",
            str(tmp_path / "out"),
            "--applicants",
            "20",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 1 and "not empty" in done.stderr
