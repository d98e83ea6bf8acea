"""Terminal output of the operator commands: progress on long steps, errors a clerk can read.

Progress and errors go to stderr, so that what a command prints on stdout (a token, a digest, a
path) can be captured by a script. A service error is printed as its Chinese and English message
and the first 50 problems it lists (row, field, value), ID numbers masked, never as a traceback.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import TypeVar

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.text import Text

from api.errors import Problem, ServiceError
from api.redaction import redact_id_numbers

__all__ = ["describe_problem", "print_error", "step", "track"]

T = TypeVar("T")
PROBLEMS_PRINTED = 50  # on a terminal; the CSV report holds every problem


def _console() -> Console:
    # Made per call: typer's test runner swaps sys.stderr, and a Console bound at import time
    # would keep writing to the old one.
    return Console(stderr=True, highlight=False, soft_wrap=True)


@contextmanager
def step(description: str) -> Iterator[None]:
    """A spinner with the elapsed time while a long step runs; one line when it is done."""
    console = _console()
    started = time.monotonic()
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as progress:
        progress.add_task(description, total=None)
        yield
    elapsed = time.monotonic() - started
    console.print(Text.assemble(("✓ ", "green"), f"{description} ({elapsed:.1f} s)"))


def track(items: Sequence[T], description: str) -> Iterable[T]:
    """A progress bar over `items` (for example the files being written)."""
    console = _console()
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as progress:
        yield from progress.track(items, total=len(items), description=description)
    console.print(Text.assemble(("✓ ", "green"), description))


def describe_problem(problem: Problem) -> str:
    """One line: where (row, field), what in Chinese and English, and the value found."""
    where = []
    if problem.row is not None:
        where.append(f"第{problem.row}行 row {problem.row}")
    if problem.field is not None:
        where.append(problem.field)
    prefix = ", ".join(where) + ": " if where else ""
    value = "" if problem.value is None else f" [{problem.value}]"
    return redact_id_numbers(f"{prefix}{problem.message_zh} / {problem.message_en}{value}")


def print_error(error: ServiceError, *, more: str | None = None) -> None:
    """The error's message in both languages and every problem it lists, on stderr."""
    console = _console()
    console.print(Text.assemble(("错误 ", "bold red"), redact_id_numbers(error.message_zh)))
    console.print(Text.assemble(("error ", "bold red"), redact_id_numbers(error.message_en)))
    for problem in error.problems[:PROBLEMS_PRINTED]:
        console.print(f"  - {describe_problem(problem)}", markup=False)
    hidden = len(error.problems) - PROBLEMS_PRINTED
    if hidden > 0:
        console.print(f"  …… 另有 {hidden} 个问题 / and {hidden} more", markup=False)
    if more:
        console.print(more, markup=False)
