"""What goes into an import (the draw's rules) and what comes out (normalised rows)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Literal

from api.importing.report import ImportProblem

__all__ = ["FileFormat", "ImportResult", "ImportRules", "ImportedApplicant", "Sex"]

Sex = Literal["F", "M"]
FileFormat = Literal["csv", "xlsx"]


@dataclass(frozen=True)
class ImportRules:
    """The parts of a draw's configuration an applicant row is checked against.

    `birth_date_from` and `birth_date_to` are inclusive: the draw's eligible birth
    range (entry age is the same rule for local and migrant children).
    `tiers_by_school` lists the priority tiers each school accepts; a school that
    is absent accepts no tier.
    """

    schools: frozenset[str]
    birth_date_from: datetime.date
    birth_date_to: datetime.date
    max_preferences: int = 1
    tiers_by_school: dict[str, tuple[str, ...]] = field(default_factory=dict)
    categories: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        if self.birth_date_from > self.birth_date_to:
            raise ValueError(
                f"birth_date_from {self.birth_date_from} is after birth_date_to {self.birth_date_to}"
            )
        if self.max_preferences < 1:
            raise ValueError(f"max_preferences must be at least 1, got {self.max_preferences}")
        unknown = sorted(set(self.tiers_by_school) - self.schools)
        if unknown:
            raise ValueError(f"tiers_by_school names schools not in schools: {unknown}")


@dataclass(frozen=True)
class ImportedApplicant:
    """One applicant row after normalisation and validation.

    `sex` and `birth_date` are derived from the ID number (GB 11643), never typed
    in, so they cannot disagree with it. `tiers` holds (school, tier) pairs only
    for schools where the file gave a tier, sorted by school.
    """

    row: int
    application: str | None
    name: str
    id_number: str
    sex: Sex
    birth_date: datetime.date
    preferences: tuple[str, ...]
    tiers: tuple[tuple[str, str], ...]
    category: str | None
    group: str | None


@dataclass(frozen=True)
class ImportResult:
    """A file that passed every check: all of its applicants, in file order."""

    rows: tuple[ImportedApplicant, ...]
    warnings: tuple[ImportProblem, ...]
    encoding: str | None
    format: FileFormat
