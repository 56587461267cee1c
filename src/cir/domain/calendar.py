"""Date arithmetic the rules need (months, years), clamped at the end of a month."""

from __future__ import annotations

import calendar
from datetime import date


def add_months(day: date, months: int) -> date:
    """``day`` plus ``months`` calendar months; 30 November + 3 months is 28 or 29 February."""
    month_index = day.month - 1 + months
    year = day.year + month_index // 12
    month = month_index % 12 + 1
    last = calendar.monthrange(year, month)[1]
    return date(year, month, min(day.day, last))


def add_years(day: date, years: int) -> date:
    """``day`` plus ``years``; 29 February becomes 28 February in a common year."""
    return add_months(day, 12 * years)
