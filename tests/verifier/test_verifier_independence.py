"""The verifier shares no code with the engine or the service (STYLE: verifier/)."""

from __future__ import annotations

import ast
from pathlib import Path

VERIFIER = Path(__file__).resolve().parents[2] / "verifier"
FORBIDDEN = ("lottery", "api", "numpy", "rfc8785", "random")
ALLOWED_THIRD_PARTY = ("cryptography",)
OPTIONAL_EXTRA = sorted(
    ("py_ecc", "py_ecc.bls", "py_ecc.bls.ciphersuites", "py_ecc.bls.hash_to_curve",
     "py_ecc.optimized_bls12_381.optimized_pairing")
)  # fmt: skip


def _imported_modules(source: Path) -> list[str]:
    names = []
    for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            names.append("." * node.level + (node.module or ""))
    return names


def test_the_scan_finds_the_verifier_sources() -> None:
    assert len(list(VERIFIER.rglob("*.py"))) >= 10


def test_verifier_imports_neither_engine_nor_service_nor_numpy() -> None:
    offenders = [
        f"{source.name}: {name}"
        for source in sorted(VERIFIER.rglob("*.py"))
        for name in _imported_modules(source)
        if name.split(".")[0] in FORBIDDEN
    ]
    assert offenders == []


def test_verifier_uses_only_the_standard_library_and_cryptography() -> None:
    import sys

    outside = sorted(
        {
            f"{source.name}: {name}"
            for source in VERIFIER.rglob("*.py")
            for name in _imported_modules(source)
            if not name.startswith(".")
            and name.split(".")[0] not in sys.stdlib_module_names
            and name.split(".")[0] not in (*ALLOWED_THIRD_PARTY, "verifier")
        }
    )
    # The one optional extra (py-ecc, for drand's BLS signatures) lives in one module, which
    # `verifier.drand` imports inside try/except ImportError.
    assert outside == [f"drand_bls.py: {name}" for name in OPTIONAL_EXTRA], outside
    drand = (VERIFIER / "drand.py").read_text(encoding="utf-8")
    assert "    from verifier.drand_bls import" in drand and "except ImportError:" in drand


def test_scan_catches_a_forbidden_import(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("import os\nfrom lottery.tickets import ticket\nimport numpy as np\n")
    assert [n for n in _imported_modules(sample) if n.split(".")[0] in FORBIDDEN] == [
        "lottery.tickets",
        "numpy",
    ]


def test_exception_hierarchy() -> None:
    import verifier

    for name in ("BundleError", "CanonicalError", "CheckFailed", "ApplicantNotFound"):
        assert issubclass(getattr(verifier, name), verifier.VerificationError), name
    assert not issubclass(verifier.VerificationError, ValueError)


MACHINERY = ("multiprocessing", "threading", "subprocess", "concurrent", "_thread")


def test_verifier_runs_in_one_process_and_one_thread() -> None:
    """Issue 10: no process or thread machinery, and no `os.fork`, for a reader to learn."""
    offenders = [
        f"{source.name}: {name}"
        for source in sorted(VERIFIER.rglob("*.py"))
        for name in _imported_modules(source)
        if name.split(".")[0] in MACHINERY
    ]
    forks = [s.name for s in VERIFIER.rglob("*.py") if "fork" in s.read_text(encoding="utf-8")]
    assert offenders == [] and forks == []


def test_verifier_is_readable_in_one_sitting() -> None:
    """Issue 10, raised for protocol version 2 (witness tool, heads and outcome proofs included): at most 3,900 lines in
    all (`wc -l`, comments and docstrings included)."""
    lines = sum(len(s.read_bytes().splitlines()) for s in VERIFIER.rglob("*.py"))
    assert lines <= 3900, lines
