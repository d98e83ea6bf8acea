"""The standalone verifier of sunshine draws, protocol `sunshine-draw/2` (docs/protocol.md).

A second, independent implementation of the protocol: it reads a public bundle, re-runs every
step that decides an outcome (§17), checks one child's record for a family (§17.1) and
holds the witness tool (§7.10). It needs only
the Python standard library and `cryptography`, and shares no code with the engine.
"""

from verifier.errors import BundleError, CanonicalError, CheckFailed, VerificationError
from verifier.parent import (
    ApplicantNotFound,
    ParentReport,
    SchoolLine,
    check_applicant,
    normalise_receipt,
    private_digest,
)
from verifier.report import CHECKS, CheckResult, Report
from verifier.verify import run_checks, verify_bundle

__all__ = [
    "CHECKS",
    "ApplicantNotFound",
    "BundleError",
    "CanonicalError",
    "CheckFailed",
    "CheckResult",
]
__all__ += ["ParentReport", "Report", "SchoolLine", "VerificationError", "check_applicant"]
__all__ += ["normalise_receipt", "private_digest", "run_checks", "verify_bundle"]
