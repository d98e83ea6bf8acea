"""The service's clock: the one place that asks the time, in the protocol's format (§1.5)."""

from __future__ import annotations

import datetime

__all__ = ["utc_now"]


def utc_now() -> str:
    """The current time as `YYYY-MM-DDTHH:MM:SSZ` (protocol §1.5)."""
    return datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
