"""SQLModel tables of the service. Importing this package registers every table."""

from api.models.applicants import Applicant, ApplicantPrivate
from api.models.ceremony import BeaconValue, Checkpoint, Commitment, Cosignature, Reveal, Witness
from api.models.documents import (
    Action,
    AuditEvent,
    BundleFile,
    Outcome,
    Rehearsal,
    SignedDocument,
)
from api.models.draws import Bureau, Category, Draw, ReservedQuota, School, Tier
from api.models.ledger import LedgerEntry, ProblemReport
from api.models.tokens import ApiToken

__all__ = [
    "Action",
    "ApiToken",
    "Applicant",
    "ApplicantPrivate",
    "AuditEvent",
    "BeaconValue",
    "BundleFile",
    "Bureau",
    "Category",
    "Checkpoint",
    "Commitment",
    "Cosignature",
    "Draw",
    "LedgerEntry",
    "Outcome",
    "ProblemReport",
    "Rehearsal",
    "ReservedQuota",
    "Reveal",
    "School",
    "SignedDocument",
    "Tier",
    "Witness",
]
