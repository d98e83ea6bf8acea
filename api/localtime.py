"""Times as a person reads and writes them: local (setting `timezone`, Asia/Shanghai by
default), written 2026年7月10日 09:30. Signed and stored data keep UTC ISO strings (§1.5)."""

from __future__ import annotations

import datetime
import re
import zoneinfo

from api.errors import InvalidInput

__all__ = ["local_time", "parse_local_time"]

_UTC_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
_LOCAL_INPUT = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})[ T](\d{1,2}):(\d{2})")


def local_time(utc_iso: str, zone: str) -> str:
    """`2026-07-10T01:30:00Z` in Asia/Shanghai -> `2026年7月10日 09:30`."""
    moment = datetime.datetime.strptime(utc_iso, _UTC_FORMAT).replace(tzinfo=datetime.UTC)
    here = moment.astimezone(zoneinfo.ZoneInfo(zone))
    return f"{here.year}年{here.month}月{here.day}日 {here:%H:%M}"


def parse_local_time(text: str, zone: str) -> str:
    """A time the clerk typed (`2026-07-10 09:30`, local) as UTC ISO (`2026-07-10T01:30:00Z`)."""
    match = _LOCAL_INPUT.fullmatch(text.strip())
    if match is None:
        raise InvalidInput(
            f"时间格式应为 2026-07-10 09:30, 收到 {text!r}",
            f"a time is written 2026-07-10 09:30 (local time), found {text!r}",
        )
    year, month, day, hour, minute = (int(part) for part in match.groups())
    try:
        here = datetime.datetime(year, month, day, hour, minute, tzinfo=zoneinfo.ZoneInfo(zone))
    except ValueError:
        raise InvalidInput(f"没有这个时间: {text}", f"no such time: {text}") from None
    return here.astimezone(datetime.UTC).strftime(_UTC_FORMAT)
