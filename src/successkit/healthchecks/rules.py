"""Health-check periods and statuses (SPEC.md §1): pure calendar arithmetic, no Django.

Period k of a contract starts on start + k·interval calendar months, anchored on the
contract start (not chained: a contract starting on 31 January has monthly periods
starting 28/29 February, 31 March, 30 April, …) and ends the day before period k+1
starts, clipped to the contract end. A period that starts inside the term is owed one
check when the term leaves it at least half its natural length (a short stub at the end
owes nothing); a longer term keeps the cadence. A period that ends without a completed
check makes that check *missed*, which is derived from the dates, never stored; a check
recorded after its period ended is completed and *recorded late*.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum

# "Due in the next 30 days": today and the 29 days after it (SPEC.md §1 counts windows
# the same way: the first 90 days of a term starting on S are S through S+89).
UPCOMING_DAYS = 30


class HealthCheckState(StrEnum):
    """What is stored: where the check stands in its lifecycle."""

    DUE = "due"
    SCHEDULED = "scheduled"
    COMPLETED = "completed"


class HealthCheckStatus(StrEnum):
    """What is shown: the stored state, or ``missed`` once the period ended without one."""

    DUE = "due"
    SCHEDULED = "scheduled"
    COMPLETED = "completed"
    MISSED = "missed"


class OverallStatus(StrEnum):
    GREEN = "green"
    AMBER = "amber"
    RED = "red"


@dataclass(frozen=True)
class HealthCheckPeriod:
    """Period ``index`` (0-based): calendar days ``start`` through ``end``, both included."""

    index: int
    start: date
    end: date

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= day <= self.end


def add_months(day: date, months: int) -> date:
    """``day`` moved ``months`` calendar months on; a day the target month lacks becomes
    that month's last day (31 January + 1 month = 28 or 29 February)."""
    month_index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(month_index, 12)
    last_day = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last_day))


@dataclass(frozen=True)
class CalendarPeriod:
    """One period of the cadence as the term cuts it, owed or not."""

    period: HealthCheckPeriod
    # Days from its start to the next period's start (what an uncut period lasts).
    natural_days: int

    @property
    def days(self) -> int:
        return (self.period.end - self.period.start).days + 1

    @property
    def owed(self) -> bool:
        """Owed one check when the term leaves it at least half its natural length."""
        return 2 * self.days >= self.natural_days


def calendar_periods(start: date, end: date, interval_months: int | None) -> list[CalendarPeriod]:
    """Every period of the cadence that starts inside ``start``..``end``: together they
    tile the term, day after day, without overlap (the last one possibly a stub)."""
    if not interval_months or interval_months <= 0 or end < start:
        return []
    periods = []
    index = 0
    period_start = start
    while period_start <= end:
        next_start = add_months(start, (index + 1) * interval_months)
        periods.append(
            CalendarPeriod(
                HealthCheckPeriod(index, period_start, min(end, next_start - timedelta(days=1))),
                (next_start - period_start).days,
            )
        )
        index += 1
        period_start = next_start
    return periods


def health_check_periods(
    start: date, end: date, count: int, interval_months: int | None
) -> list[HealthCheckPeriod]:
    """The periods owed one check over ``start``..``end`` (inclusive), SPEC.md §1: those
    that start inside the term and keep at least half their natural length. ``count`` is
    what a 12-month term yields (the package's figure); it does not cap a longer term,
    which keeps the cadence, and 0 means the package has no health checks."""
    if count <= 0:
        return []
    return [item.period for item in calendar_periods(start, end, interval_months) if item.owed]


@dataclass(frozen=True)
class RecordedCheck:
    """What a term change must respect about one check on record."""

    period: HealthCheckPeriod
    state: HealthCheckState
    # The day it was held (completed) or is scheduled for, in the organization's time zone.
    day: date | None = None


def lost_to_new_term(
    checks: Iterable[RecordedCheck], new_periods: Iterable[HealthCheckPeriod], today: date
) -> list[RecordedCheck]:
    """The checks a new term would lose: a scheduled or completed check whose period
    disappears or no longer contains its day, and any period that has already started
    (its check delivered, running or missed is history) and would disappear."""
    by_index = {period.index: period for period in new_periods}
    lost = []
    for check in checks:
        period = by_index.get(check.period.index)
        if check.state != HealthCheckState.DUE:
            if period is None or check.day is None or check.day not in period:
                lost.append(check)
        elif period is None and check.period.start <= today:
            lost.append(check)
    return lost


def status_on(state: HealthCheckState, period_end: date, today: date) -> HealthCheckStatus:
    """The status shown on ``today`` (the organization's date): a check not completed
    by the end of its period is missed, whether or not it had been scheduled."""
    if state == HealthCheckState.COMPLETED:
        return HealthCheckStatus.COMPLETED
    if today > period_end:
        return HealthCheckStatus.MISSED
    return HealthCheckStatus(state.value)


def upcoming_window(today: date) -> tuple[date, date]:
    """The days counted as "the next 30 days" from ``today``."""
    return today, today + timedelta(days=UPCOMING_DAYS - 1)


def needs_a_date(status: HealthCheckStatus, period: HealthCheckPeriod, today: date) -> bool:
    """A check still without a date whose period overlaps the next 30 days."""
    first, last = upcoming_window(today)
    return status == HealthCheckStatus.DUE and period.start <= last and period.end >= first


@dataclass
class Tally:
    """Owed checks split by status: ``owed == completed + scheduled + due + missed``."""

    owed: int = 0
    completed: int = 0
    scheduled: int = 0
    due: int = 0
    missed: int = 0
    # Of ``completed``: written down after its period had ended (held inside it).
    completed_late: int = 0

    def add(self, status: HealthCheckStatus, recorded_late: bool = False, count: int = 1) -> None:
        """Count ``count`` checks of ``status`` (each recorded late or not)."""
        self.owed += count
        setattr(self, status.value, getattr(self, status.value) + count)
        if status == HealthCheckStatus.COMPLETED and recorded_late:
            self.completed_late += count

    @property
    def completed_on_time(self) -> int:
        return self.completed - self.completed_late

    @property
    def upcoming(self) -> int:
        """Neither completed nor missed (API.md's ``upcoming``)."""
        return self.scheduled + self.due


@dataclass
class ComplianceTally:
    total: Tally = field(default_factory=Tally)
    by_representative: dict[int, Tally] = field(default_factory=dict)
    by_package: dict[str, Tally] = field(default_factory=dict)


def tally(statuses: Iterable[HealthCheckStatus | tuple[HealthCheckStatus, bool]]) -> Tally:
    """Count statuses, each alone or with whether it was recorded late."""
    result = Tally()
    for item in statuses:
        status, late = item if isinstance(item, tuple) else (item, False)
        result.add(status, late)
    return result


def recorded_late(period_end: date, recorded_on: date) -> bool:
    """A check written down after its period ended (it was held inside it)."""
    return recorded_on > period_end


def compliance_tally(
    rows: Iterable[tuple[int, str, HealthCheckStatus] | tuple[int, str, HealthCheckStatus, bool]],
) -> ComplianceTally:
    """Owed vs delivered (on time, late) vs missed, in total, per representative and per
    package, from ``(representative id, package code, status[, recorded late])`` per owed
    check."""
    result = ComplianceTally()
    for row in rows:
        representative_id, package_code, status = row[0], row[1], row[2]
        late = bool(row[3]) if len(row) > 3 else False
        result.total.add(status, late)
        result.by_representative.setdefault(representative_id, Tally()).add(status, late)
        result.by_package.setdefault(package_code, Tally()).add(status, late)
    return result
