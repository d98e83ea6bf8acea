"""The verifier runs alone: a fresh virtual environment with only `cryptography` installed and
only the `verifier/` folder copied, checking every valid bundle of tests/vectors/draws."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import venv
from importlib.metadata import version
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[2]
VECTORS = REPOSITORY / "tests" / "vectors"
# Local folders that may hold the wheel (the machine's wheelhouse); otherwise pip asks its index.
WHEEL_FOLDERS = [os.environ.get("VERIFIER_WHEELHOUSE", ""), "/opt/pypi/files", "/opt/wheels"]


def _install_cryptography(python: Path) -> list[str]:
    wanted = version("cryptography")
    command = [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    for folder in filter(None, WHEEL_FOLDERS):
        if list(Path(folder).glob(f"cryptography-{wanted}-*.whl")):
            command += ["--no-index", "--find-links", folder]
            break
    command.append(f"cryptography=={wanted}")
    subprocess.run(
        command, check=True, capture_output=True, env={"PATH": os.environ.get("PATH", "")}
    )
    return command


def test_standalone_verifier_in_a_fresh_environment(tmp_path: Path) -> None:
    started = time.monotonic()
    environment = tmp_path / "env"
    venv.EnvBuilder(with_pip=True, clear=True).create(environment)
    python = environment / "bin" / "python"
    _install_cryptography(python)
    installed = time.monotonic() - started
    workdir = tmp_path / "notary"
    shutil.copytree(
        REPOSITORY / "verifier", workdir / "verifier", ignore=shutil.ignore_patterns("__pycache__")
    )
    clean_env = {"PATH": os.environ.get("PATH", ""), "LANG": "C.UTF-8", "PYTHONIOENCODING": "utf-8"}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(python), *args], cwd=workdir, env=clean_env, capture_output=True, text=True
        )

    assert run("-c", "import lottery").returncode != 0  # the engine is not reachable from here
    bundles = sorted(p.parent for p in (VECTORS / "draws").rglob("manifest.json"))
    assert bundles
    for bundle in bundles:
        done = run("-m", "verifier", str(bundle))
        assert done.returncode == 3, (bundle, done.stdout, done.stderr)  # correct, not pinned
        pin = (bundle / "README.txt").read_text().split("Pin:")[1].split()[0]
        assert run("-m", "verifier", str(bundle), "--pin", pin).returncode == 0  # authentic
    expected = json.loads((VECTORS / "tamper" / "expected.json").read_text(encoding="utf-8"))
    for name, case in sorted(expected.items()):  # every tampered bundle fails, at its check
        previous = ["--previous", str(VECTORS / case["previous"])] if "previous" in case else []
        bundle = VECTORS / "tamper" / case.get("path", name)
        pins = case.get("pins", {})
        given = ["--pin", pins["pin"]] if "pin" in pins else []
        done = run("-m", "verifier", str(bundle), "--json", *previous, *given)
        assert done.returncode == 1, (name, done.stderr)
        failed = [c["number"] for c in json.loads(done.stdout)["checks"] if c["status"] == "FAIL"]
        assert failed[0] == case["check"], (name, failed)
    total = time.monotonic() - started
    print(
        f"fresh environment + cryptography: {installed:.1f} s; {len(bundles)} bundles verified; total {total:.1f} s"
    )
    assert sys.executable != str(python)
