"""Full problem reports of refused imports, kept for the operator to download (issue 13).

The error answer lists the first 1,000 problems (`api.error_answers`); the report holds them
all, as the CSV a clerk opens in Excel, with ID numbers masked. It is written in its own
transaction, after the refused import was rolled back, and read back by its random token.
"""

from __future__ import annotations

import gzip
import secrets

from sqlmodel import Session, select

from api.error_answers import problem_report_csv
from api.errors import NotFound, ServiceError
from api.lifecycle import transaction
from api.models import Draw, ProblemReport

__all__ = ["report_csv", "store_report"]


def store_report(
    session: Session, draw: Draw, error: ServiceError, *, filename: str, at: str
) -> str:
    """Keep the report of `error` (its own transaction); its token."""
    assert draw.id is not None
    token = secrets.token_hex(16)
    with transaction(session):
        session.add(
            ProblemReport(
                draw_id=draw.id,
                token=token,
                filename=filename[:200],
                problem_count=len(error.problems),
                at=at,
                content=gzip.compress(problem_report_csv(error), mtime=0),
            )
        )
    return token


def report_csv(session: Session, draw: Draw, token: str) -> tuple[str, bytes]:
    """The report's file name and CSV bytes, or `NotFound`."""
    row = session.exec(
        select(ProblemReport).where(ProblemReport.draw_id == draw.id, ProblemReport.token == token)
    ).first()
    if row is None:
        raise NotFound("没有这份问题报告", "no such problem report")
    return f"{row.filename}.problems.csv", gzip.decompress(row.content)
