"""Applicant-list import: CSV or XLSX in, normalised applicants or a full problem report out.

Pure and all-or-nothing: no database, no web, no clock. See `read_applicant_bytes`.
"""

from api.importing.masking import mask_id_number, mask_name
from api.importing.model import (
    ColumnChoices,
    FileFormat,
    ImportedApplicant,
    ImportResult,
    ImportRules,
    Sex,
)
from api.importing.reader import read_applicant_bytes, read_applicant_file
from api.importing.report import ImportProblem, ImportRejected

__all__ = [
    "ColumnChoices",
    "FileFormat",
    "ImportProblem",
    "ImportRejected",
    "ImportResult",
    "ImportRules",
    "ImportedApplicant",
    "Sex",
    "mask_id_number",
    "mask_name",
    "read_applicant_bytes",
    "read_applicant_file",
]
