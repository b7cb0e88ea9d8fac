"""Plain rules of reminders: no Django."""

from __future__ import annotations

from datetime import date, timedelta

# A contract's representative hears of its end this many days before it.
CONTRACT_ENDING_DAYS = (60, 30, 7)
# The buyer and the representative hear that unused training minutes expire this close.
WINDOW_CLOSING_DAYS = 14
# A case waiting on the vendor longer than this many working days is raised to its queue.
CASE_WAITING_WORKING_DAYS = 2
# Missed health checks are reported for periods that ended this recently (not the whole
# history of a newly installed system).
MISSED_LOOKBACK_DAYS = 7


def working_days_between(start: date, end: date) -> int:
    """Monday-to-Friday days after ``start`` up to and including ``end``."""
    if end <= start:
        return 0
    days = 0
    day = start
    while day < end:
        day += timedelta(days=1)
        if day.weekday() < 5:
            days += 1
    return days


def ending_threshold(end_date: date, today: date) -> int | None:
    """The nearest of 60/30/7 days that the contract's end is within (None: none yet, or
    the contract has ended)."""
    days_left = (end_date - today).days
    if days_left <= 0:
        return None
    within = [days for days in CONTRACT_ENDING_DAYS if days_left <= days]
    return min(within) if within else None
