"""Errors of the allocation step: an inconsistent problem, an impossible post-draw action.

The manifest and records are validated before a problem is built (protocol §6.3, §4); these
errors catch what still reaches the allocation wrong, and name the field and the value found.
"""

from __future__ import annotations

from lottery.errors import LotteryError

__all__ = ["AllocationError", "InvalidAction", "InvalidProblem"]


class AllocationError(LotteryError):
    """Base of the errors raised by `lottery.allocation`."""


class InvalidProblem(AllocationError):
    """An `AllocationProblem` is inconsistent (an index out of range, seats, sizes, lists)."""


class InvalidAction(AllocationError):
    """A post-draw action cannot be replayed (unknown or already removed applicant), §14."""
