"""The verification report: the numbered checks of protocol §17 and their outcome."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from verifier.messages import Message

PASS, FAIL, NOT_RUN, ABSENT = "PASS", "FAIL", "NOT RUN", "ABSENT"

# (number, name) of each check of §17, in order; their titles are in `verifier.messages`.
NAMES = "bundle signatures pins manifest applicants ceremony seed lottery_numbers allocation"
NAMES += " results counts actions audit second_round"
CHECKS: tuple[tuple[int, str], ...] = tuple(enumerate(NAMES.split(), start=1))
CHECK_NAMES = dict(CHECKS)


@dataclass(frozen=True)
class CheckResult:
    """One numbered check: its status, what it found (a message), and on a failure the
    expected and the found values."""

    number: int
    status: str
    message: Message
    expected: str = ""
    found: str = ""

    @property
    def name(self) -> str:
        return CHECK_NAMES[self.number]

    @property
    def detail(self) -> str:
        return self.message.text("en")

    def as_dict(self, lang: str = "en") -> dict[str, Any]:
        title, detail = Message(f"check_{self.number}").text(lang), self.message.text(lang)
        fields = {"number": self.number, "name": self.name, "title": title, "status": self.status}
        return fields | {"detail": detail, "expected": self.expected, "found": self.found}


@dataclass(frozen=True)
class Report:
    """Every check's result; `passed` only if none failed and none was left unrun; `pinned`
    if the manifest digest or the pin was given (check 3 compared it)."""

    bundle: str
    checks: tuple[CheckResult, ...]
    manifest_digest: str | None
    fingerprint: str | None
    pin: str | None = None
    pinned: bool = False

    @property
    def passed(self) -> bool:
        return all(check.status in (PASS, ABSENT) for check in self.checks)

    @property
    def verdict(self) -> str:
        """§17.2: "authentic" (and correct), "not_pinned" (correct) or "failed"."""
        if not self.passed:
            return "failed"
        return "authentic" if self.pinned else "not_pinned"

    @property
    def first_failure(self) -> CheckResult | None:
        return next((check for check in self.checks if check.status == FAIL), None)

    def as_dict(self, lang: str = "en") -> dict[str, Any]:
        checks = [check.as_dict(lang) for check in self.checks]
        pins = {"manifest_digest": self.manifest_digest, "key_fingerprint": self.fingerprint}
        verdict = {"verdict": self.verdict, "passed": self.passed, "pinned": self.pinned}
        return {"bundle": self.bundle, **verdict, **pins, "pin": self.pin, "checks": checks}
