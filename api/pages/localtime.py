"""Times as people read them: UTC ISO strings (signed data) -> local wall-clock text.

Signed data keeps `YYYY-MM-DDTHH:MM:SSZ` in UTC (protocol §1.5); a page shows the local time of
the bureau's zone (setting `timezone`, SUNSHINE_TIMEZONE, Asia/Shanghai by default), written the way the
reader writes it: 2026年7月10日 09:30, or 10 July 2026, 09:30.
"""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

__all__ = ["local_time"]

_MONTHS_EN = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


def local_time(utc_iso: str | None, *, zone: str, lang: str) -> str:
    """`utc_iso` (UTC, `Z` suffix) in `zone`, in the words of `lang` ("zh" or "en"); "" for None."""
    if not utc_iso:
        return ""
    moment = datetime.datetime.fromisoformat(utc_iso.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.UTC)
    local = moment.astimezone(ZoneInfo(zone))
    if lang == "en":
        return f"{local.day} {_MONTHS_EN[local.month - 1]} {local.year}, {local:%H:%M}"
    return f"{local.year}年{local.month}月{local.day}日 {local:%H:%M}"
