"""Bounded reading (protocol §13.3): hostile bundles are refused quickly, in little memory, with
a clear message and never a traceback. The large inputs are made here at run time, never
committed: a 3 MB zip that inflates to 2 GiB, a sparse 2 GiB file, JSON nested 100,000 deep.

Each case runs the verifier in its own process, so that its peak memory (ru_maxrss of the
child) and its wall time are its own."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

VALID = Path(__file__).resolve().parents[1] / "vectors" / "draws" / "single" / "09-several-schools"
GIB = 2**30


MEASURE = (
    "import json, resource, subprocess, sys, time; started = time.monotonic(); "
    "done = subprocess.run([sys.executable, '-m', 'verifier', sys.argv[1], '--json', '--lang', 'en'], "
    "capture_output=True, text=True); "
    "print(json.dumps([done.returncode, done.stdout, done.stderr, time.monotonic() - started, "
    "resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024]))"
)


def _verify(bundle: Path) -> tuple[subprocess.CompletedProcess[str], float, float]:
    """`python -m verifier BUNDLE --json` as the only child of a fresh process: its output,
    its wall seconds and its peak memory in MiB (printed, not asserted: bench/ measures time)."""
    measured = subprocess.run(
        [sys.executable, "-c", MEASURE, str(bundle)], capture_output=True, text=True, timeout=120
    )
    code, out, err, seconds, peak = json.loads(measured.stdout)
    print(f"{bundle.name}: refused in {seconds:.1f} s, peak {peak:.0f} MiB")
    return subprocess.CompletedProcess([], code, out, err), seconds, peak


def _first_failure(done: subprocess.CompletedProcess[str]) -> dict[str, object]:
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    report = json.loads(done.stdout)
    assert report["passed"] is False
    return next(c for c in report["checks"] if c["status"] == "FAIL")


@pytest.mark.slow
def test_zip_bomb_declaring_its_size_is_refused_before_inflating(tmp_path: Path) -> None:
    archive = tmp_path / "bomb.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as bundle:
        for item in sorted(VALID.iterdir()):
            if item.name != "README.txt":
                bundle.write(item, item.name)
        # 2 GiB of zeros as README.txt: written raw, so that the test need not inflate it.
        info = zipfile.ZipInfo("README.txt", date_time=(1980, 1, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_DEFLATED
        with bundle.open(info, "w", force_zip64=True) as stream:
            block = bytes(2**24)
            for _ in range(2 * GIB // len(block)):
                stream.write(block)
    assert archive.stat().st_size < 4 * 2**20  # a 3 MB zip (deflate tops out near 1:1000)
    done, _, peak = _verify(archive)
    failure = _first_failure(done)
    assert failure["number"] == 1 and "README.txt" in str(failure["detail"])
    assert "more than" in str(failure["detail"])
    assert peak < 500, peak


def test_zip_entry_lying_about_its_size_is_caught_as_it_inflates(tmp_path: Path) -> None:
    source = tmp_path / "honest.zip"
    with zipfile.ZipFile(source, "w", zipfile.ZIP_DEFLATED) as bundle:
        for item in sorted(VALID.iterdir()):
            bundle.write(item, item.name)
    # Rewrite the central directory and local header sizes of results.json to 100 bytes.
    data = bytearray(source.read_bytes())
    with zipfile.ZipFile(source) as bundle:
        info = bundle.getinfo("results.json")
    real = info.file_size.to_bytes(4, "little")
    small = (100).to_bytes(4, "little")
    assert data.count(real) >= 2
    (tmp_path / "lying.zip").write_bytes(bytes(data).replace(real, small))
    done, _, _ = _verify(tmp_path / "lying.zip")
    failure = _first_failure(done)
    assert failure["number"] == 1 and "results.json" in str(failure["detail"])


def test_a_2_gib_file_in_a_folder_is_refused_unread(tmp_path: Path) -> None:
    bundle = tmp_path / "bundle"
    shutil.copytree(VALID, bundle)
    with open(bundle / "README.txt", "wb") as file:  # sparse: no 2 GiB written to disk
        file.truncate(2 * GIB)
    done, _, peak = _verify(bundle)
    failure = _first_failure(done)
    assert "README.txt: 2147483648 bytes, more than" in str(failure["detail"])
    assert peak < 500, peak


def test_deeply_nested_json_is_refused_with_a_message(tmp_path: Path) -> None:
    bundle = tmp_path / "bundle"
    shutil.copytree(VALID, bundle)
    os.remove(bundle / "README.txt")
    depth = 100_000
    (bundle / "ceremony.json").write_bytes(b"[" * depth + b"]" * depth)
    done, _, peak = _verify(bundle)
    failure = _first_failure(done)
    assert failure["number"] == 1 and "ceremony.json" in str(failure["detail"])
    assert "nested" in str(failure["detail"]) or "more than" in str(failure["detail"])
    assert peak < 500, peak


def test_documents_nested_deeper_than_32_are_refused(tmp_path: Path) -> None:
    from verifier.canonical import encode
    from verifier.errors import CanonicalError

    value: object = []
    for _ in range(40):
        value = [value]
    with pytest.raises(CanonicalError, match="nested more than 32"):
        encode(value)
