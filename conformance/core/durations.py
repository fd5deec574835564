"""Moments and how long ago, in the words every output uses: one rule for a recording's age
(pure)."""

from __future__ import annotations

from datetime import UTC, datetime

SECONDS_PER_DAY = 86_400


def whole_days(earlier: datetime, later: datetime) -> int:
    """The whole days from ``earlier`` to ``later``, rounded down (a recording 5 days and 14
    hours old is 5 days old; one from a clock ahead of this one is 0 days old)."""
    return max(0, int((later - earlier).total_seconds() // SECONDS_PER_DAY))


def days_text(days: int) -> str:
    """``less than a day``, ``1 day``, ``5 days``."""
    if days < 1:
        return "less than a day"
    return f"{days} day{'s' if days != 1 else ''}"


def parse_iso(text: str | None) -> datetime | None:
    """An ISO 8601 timestamp as an aware datetime (naive ones taken as UTC), or None."""
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
