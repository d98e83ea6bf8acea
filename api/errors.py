"""The service's errors: one base class, a subclass per HTTP answer a caller handles differently.

Each error carries a message in Chinese and in English written for a clerk ("抽签已封存, 不能再修改
/ the draw is sealed; it can no longer be edited") and, where it helps, a list of problems
(row, column, message). `api.main` maps them to HTTP answers in one exception handler.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "Conflict",
    "Forbidden",
    "InvalidInput",
    "NotConfigured",
    "NotFound",
    "Problem",
    "RateLimited",
    "ServiceError",
    "TooLarge",
    "Unauthenticated",
    "WrongState",
]


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input: where (row, field) and what, in both languages."""

    field: str | None
    message_zh: str
    message_en: str
    row: int | None = None
    value: str | None = None


class ServiceError(Exception):
    """Base of every error the service reports to a caller."""

    status_code = 400
    code = "error"
    # Where the full problem report can be downloaded, when the answer shows only part of it.
    report_url: str | None = None

    def __init__(self, zh: str, en: str, *, problems: tuple[Problem, ...] = ()) -> None:
        super().__init__(f"{zh} / {en}")
        self.message_zh = zh
        self.message_en = en
        self.problems = problems

    def headers(self) -> dict[str, str]:
        """HTTP headers the answer carries (Retry-After for a rate limit)."""
        return {}


class NotFound(ServiceError):
    """The thing asked for does not exist (or the caller may not know that it exists)."""

    status_code = 404
    code = "not_found"


class Conflict(ServiceError):
    """Someone else changed the draw first (compare-and-set failed); nothing was written."""

    status_code = 409
    code = "conflict"


class WrongState(Conflict):
    """The action is not allowed in the draw's current lifecycle state."""

    code = "wrong_state"


class InvalidInput(ServiceError):
    """The request is well-formed but its content breaks a rule; `problems` lists every reason."""

    status_code = 422
    code = "invalid"


class Unauthenticated(ServiceError):
    """No token, or a token the service does not know."""

    status_code = 401
    code = "unauthenticated"


class Forbidden(ServiceError):
    """A known caller whose role may not do this."""

    status_code = 403
    code = "forbidden"


class TooLarge(ServiceError):
    """The request body is larger than the service accepts; it was not read further."""

    status_code = 413
    code = "too_large"


class RateLimited(ServiceError):
    """Too many wrong guesses from this client or for this application number."""

    status_code = 429
    code = "rate_limited"

    def __init__(self, zh: str, en: str, *, retry_after: int) -> None:
        super().__init__(zh, en)
        self.retry_after = retry_after

    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after)}


class NotConfigured(ServiceError):
    """The service lacks something the operator must provide (for example the signing key)."""

    status_code = 503
    code = "not_configured"
