"""The body of an error answer, bounded and with ID numbers masked (issue 13).

A rejected 150,000-row file once answered with 136 MB of JSON listing 460,054 problems. The
answer now carries the first `PROBLEMS_SHOWN` problems, how many there are in all and how many
per column, and (for an import) the address of the full report, a CSV the operator downloads.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from api.errors import Problem, ServiceError
from api.importing import ImportProblem, ImportRejected
from api.redaction import redact_id_numbers

__all__ = ["PROBLEMS_SHOWN", "error_body", "masked_problem", "problem_report_csv"]

PROBLEMS_SHOWN = 1000
WHOLE_FILE = "(file)"


def _masked(text: str | None) -> str | None:
    return None if text is None else redact_id_numbers(text)


def masked_problem(problem: Problem) -> Problem:
    """The problem with every ID number in its texts masked."""
    return Problem(
        field=problem.field,
        message_zh=redact_id_numbers(problem.message_zh),
        message_en=redact_id_numbers(problem.message_en),
        row=problem.row,
        value=_masked(problem.value),
    )


def error_body(error: ServiceError) -> dict[str, Any]:
    """The JSON answer of `error`: messages, the first problems, counts, the report's address."""
    shown = [masked_problem(p) for p in error.problems[:PROBLEMS_SHOWN]]
    counts = Counter(p.field or WHOLE_FILE for p in error.problems)
    return {
        "error": error.code,
        "message_zh": redact_id_numbers(error.message_zh),
        "message_en": redact_id_numbers(error.message_en),
        "problem_count": len(error.problems),
        "problem_counts": dict(sorted(counts.items())),
        "problems_truncated": len(error.problems) > PROBLEMS_SHOWN,
        "report": error.report_url,
        "problems": [
            {
                "row": p.row,
                "field": p.field,
                "value": p.value,
                "message_zh": p.message_zh,
                "message_en": p.message_en,
            }
            for p in shown
        ],
    }


def problem_report_csv(error: ServiceError) -> bytes:
    """Every problem of `error` as the import's CSV report (UTF-8 with BOM, opens in Excel),
    ID numbers masked."""
    problems = tuple(
        ImportProblem(
            row=p.row,
            column=p.field,
            value=p.value,
            message_zh=p.message_zh,
            message_en=p.message_en,
        )
        for p in map(masked_problem, error.problems)
    )
    if not problems:
        return "\ufeff".encode()
    return ImportRejected(problems).to_csv_report()
