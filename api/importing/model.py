"""What goes into an import (the draw's rules) and what comes out (normalised rows)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from functools import cached_property
from typing import Literal

from api.importing.normalisation import normalise_header
from api.importing.report import ImportProblem

__all__ = [
    "ColumnChoices",
    "FileFormat",
    "ImportResult",
    "ImportRules",
    "ImportedApplicant",
    "Sex",
]

Sex = Literal["F", "M"]
FileFormat = Literal["csv", "xlsx"]


@dataclass(frozen=True)
class ImportRules:
    """The parts of a draw's configuration an applicant row is checked against.

    `birth_date_from` and `birth_date_to` are inclusive: the draw's eligible birth
    range (entry age is the same rule for local and migrant children).
    `tiers_by_school` lists the priority tiers each school accepts; a school that
    is absent accepts no tier.

    Bureaus write names and labels rather than codes, so each code may also be written as
    the text the draw gives it: `school_names` (code -> name), `tier_labels` (school -> tier
    code -> label) and `category_labels` (code -> label); the `*_by_label` properties look
    them up by their normalised form. `migrant_category` is the category a yes in a
    是否随迁子女 column stands for (the category labelled 随迁子女), None if the draw has none.
    """

    schools: frozenset[str]
    birth_date_from: datetime.date
    birth_date_to: datetime.date
    max_preferences: int = 1
    tiers_by_school: dict[str, tuple[str, ...]] = field(default_factory=dict)
    categories: frozenset[str] = frozenset()
    school_names: dict[str, str] = field(default_factory=dict)
    tier_labels: dict[str, dict[str, str]] = field(default_factory=dict)
    category_labels: dict[str, str] = field(default_factory=dict)
    migrant_category: str | None = None

    @cached_property
    def school_by_label(self) -> dict[str, str]:
        return {normalise_header(name): code for code, name in self.school_names.items()}

    @cached_property
    def tier_by_label(self) -> dict[str, dict[str, str]]:
        return {
            school: {normalise_header(label): code for code, label in labels.items()}
            for school, labels in self.tier_labels.items()
        }

    @cached_property
    def category_by_label(self) -> dict[str, str]:
        return {normalise_header(label): code for code, label in self.category_labels.items()}

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
class ColumnChoices:
    """What the clerk said about columns the import does not know (never guessed).

    `mapped`: header as written -> the field it holds (`tier`, `类别`, `preference_2`, ...);
    `ignored`: headers the clerk chose to leave out. Both come from the command line, the API
    or a `列对应 mapping` sheet of the workbook; every choice is recorded in the audit log.
    """

    mapped: dict[str, str] = field(default_factory=dict)
    ignored: frozenset[str] = frozenset()


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
    ignored_columns: tuple[str, ...] = ()
    mapped_columns: tuple[tuple[str, str], ...] = ()
