"""Calendar arithmetic in the programme's terms (months, Europe/Rome days)."""

import calendar
import datetime as dt


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` plus ``months`` calendar months, clamped to the month's last day
    (31 Jan + 1 = 28/29 Feb), the rule PostgreSQL's interval arithmetic also uses."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))
