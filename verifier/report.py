"""The verification report: the numbered checks of protocol §17 with their outcome."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

PASS, FAIL, NOT_RUN, ABSENT = "PASS", "FAIL", "NOT RUN", "ABSENT"

CHECKS: tuple[tuple[int, str, str], ...] = (
    (1, "bundle", "Bundle layout, canonical files, protocol version (§2.5, §13)"),
    (2, "signatures", "Signatures by the manifest's key (§12.4)"),
    (3, "manifest", "Manifest validity and digest (§6)"),
    (4, "applicants", "Applicant records, groups, root and count (§4, §5)"),
    (5, "reveals", "Witness reveals against commitments, reveal policy (§7.3)"),
    (6, "beacon", "Beacon value against the registered beacon (§7.2, §7.5)"),
    (7, "seed", "Seed (§7.4)"),
    (8, "lottery_numbers", "Every lottery number (§8)"),
    (9, "allocation", "Allocation re-run from scratch and classes (§9-§11)"),
    (10, "results", "Published results equal the re-run (§12)"),
    (11, "counts", "Counts per school, tier and reserved category; plan respected"),
    (12, "actions", "Post-draw actions replayed (§14)"),
    (13, "audit", "Audit-log chain (§15)"),
)
CHECK_NAMES = {number: name for number, name, _ in CHECKS}


@dataclass(frozen=True)
class CheckResult:
    """One numbered check: its status and, on failure, what was expected and what was found."""

    number: int
    name: str
    title: str
    status: str
    detail: str = ""
    expected: str = ""
    found: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "name": self.name,
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
            "expected": self.expected,
            "found": self.found,
        }


@dataclass(frozen=True)
class Report:
    """Everything `verify_bundle` found, check by check."""

    bundle: str
    checks: tuple[CheckResult, ...]
    manifest_digest: str | None

    @property
    def passed(self) -> bool:
        """True only if no check failed and none was left unrun."""
        return all(check.status in (PASS, ABSENT) for check in self.checks)

    @property
    def first_failure(self) -> CheckResult | None:
        return next((check for check in self.checks if check.status == FAIL), None)

    def as_dict(self) -> dict[str, Any]:
        return {
            "bundle": self.bundle,
            "passed": self.passed,
            "manifest_digest": self.manifest_digest,
            "checks": [check.as_dict() for check in self.checks],
        }
