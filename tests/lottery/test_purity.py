"""The engine is pure: no randomness, no clock (STYLE.md; protocol §1.5). AST scan of lottery/."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

LOTTERY = Path(__file__).parents[2] / "lottery"
MODULES = sorted(LOTTERY.rglob("*.py"))
BANNED_MODULES = {"random", "numpy.random", "secrets", "time"}
BANNED_CALLS = {("datetime", "now"), ("datetime", "utcnow"), ("date", "today"), ("time", "time")}


def _violations(source: str) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [a.name for a in node.names if a.name in BANNED_MODULES]
            found += [a.name for a in node.names if a.name.startswith("numpy.random")]
        elif isinstance(node, ast.ImportFrom) and node.module is not None:
            if node.module in BANNED_MODULES or node.module.startswith("numpy.random"):
                found.append(node.module)
            if node.module == "numpy" and any(a.name == "random" for a in node.names):
                found.append("numpy.random")
        elif isinstance(node, ast.Attribute):
            if (
                node.attr == "random"
                and isinstance(node.value, ast.Name)
                and node.value.id in ("np", "numpy")
            ):
                found.append(f"{node.value.id}.random")
            if isinstance(node.value, ast.Name) and (node.value.id, node.attr) in BANNED_CALLS:
                found.append(f"{node.value.id}.{node.attr}")
            if (
                isinstance(node.value, ast.Attribute)
                and (node.value.attr, node.attr) in BANNED_CALLS
            ):
                found.append(f"{node.value.attr}.{node.attr}")
    return found


def test_scan_finds_what_it_must() -> None:
    bad = (
        "import random\nimport secrets\nfrom time import time\nimport numpy as np\n"
        "np.random.default_rng()\nfrom datetime import datetime\ndatetime.now()\n"
        "import datetime as d\nd.date.today()\n"
    )
    assert set(_violations(bad)) == {
        "random", "secrets", "time", "np.random", "datetime.now", "date.today",
    }  # fmt: skip


@pytest.mark.parametrize("path", MODULES, ids=[str(p.relative_to(LOTTERY)) for p in MODULES])
def test_engine_module_is_pure(path: Path) -> None:
    assert _violations(path.read_text("utf-8")) == []
