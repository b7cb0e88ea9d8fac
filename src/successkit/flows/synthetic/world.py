"""The state one generation shares: the random source, the rows waiting to be written,
the staff and their taken hours, the rate card, and the delivered sessions still to bill."""

from __future__ import annotations

import math
import random
from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta
from typing import TypeVar
from zoneinfo import ZoneInfo

from django.db import models

from successkit.accounts.models import Contact, Organization, StaffRole, User
from successkit.billing.models import Statement, StatementLine
from successkit.catalog.models import Package, SessionType
from successkit.contracts.models import Contract
from successkit.engagements.models import (
    BillableAcceptance,
    PoolEntry,
    TrainingPool,
    TrainingSession,
)
from successkit.flows.synthetic.bulk import Ids, insert, new
from successkit.healthchecks.models import ActionItem, HealthCheck, HealthCheckEvent
from successkit.pricing import rules as pricing_rules
from successkit.scheduling.models import Availability, BusyInterval, WorkingHours
from successkit.scheduling.rules import MeetingKind
from successkit.support.models import (
    Case,
    CaseEvent,
    CaseLine,
    ExchangeLine,
    Message,
    Order,
    OrderLine,
)

M = TypeVar("M", bound=models.Model)

# The order in which a round's rows are written: each after the rows it points at.
WRITE_ORDER: list[type[models.Model]] = [
    Organization,
    User,
    StaffRole,
    Availability,
    WorkingHours,
    Contact,
    Contract,
    TrainingPool,
    TrainingSession,
    PoolEntry,
    BillableAcceptance,
    HealthCheck,
    HealthCheckEvent,
    ActionItem,
    BusyInterval,
    Order,
    OrderLine,
    Case,
    CaseLine,
    ExchangeLine,
    Message,
    CaseEvent,
    Statement,
    StatementLine,
]


class World:
    def __init__(self, seed: int, today: date) -> None:
        self.seed = seed
        self.today = today
        self.rng = random.Random(seed)
        self.ids = Ids()
        self.rows: dict[type[models.Model], list[models.Model]] = defaultdict(list)
        self.counts: dict[str, int] = defaultdict(int)
        # Each staff member's taken hours (hours since the epoch): meetings start on the hour.
        self.busy: dict[int, set[int]] = defaultdict(set)
        self.zones: dict[str, ZoneInfo] = {}
        # (contract, month start) -> delivered billable sessions, for the statements.
        self.billable: dict[tuple[int, date], list[TrainingSession]] = defaultdict(list)
        self.contract_of: dict[int, Contract] = {}
        # Set by the generator before any contract is written.
        self.packages: dict[str, Package] = {}
        self.types: dict[str, SessionType] = {}
        self.staff: dict[str, list[User]] = {}
        self.card: dict[str, list[pricing_rules.RatePeriod]] = defaultdict(list)
        self.number = 0  # the contract being written, from 1

    # -- rows ---------------------------------------------------------------------------------

    def add(self, row: M) -> M:
        row.__dict__["id"] = self.ids.take(type(row))
        self.rows[type(row)].append(row)
        return row

    def flush(self) -> None:
        for model in WRITE_ORDER:
            rows = self.rows.pop(model, [])
            if rows:
                insert(model, rows)
                self.counts[model._meta.label] += len(rows)
        assert not self.rows, f"rows of {list(self.rows)} were not written"

    def ledger_entry(
        self,
        pool: TrainingPool,
        session: TrainingSession,
        kind: str,
        by: User,
        at: datetime,
        reserved: int,
        used: int,
    ) -> None:
        """One ledger entry, written as ``engagements.services.ledger.post_entry`` writes
        them: a post always, a reserve or release only when it moves something."""
        if not reserved and not used and kind != PoolEntry.Kind.POST:
            return
        self.add(
            new(
                PoolEntry,
                pool=pool,
                session=session,
                kind=kind,
                reserved_delta=reserved,
                used_delta=used,
                recorded_by=by,
                recorded_at=at,
            )
        )

    # -- time ---------------------------------------------------------------------------------

    def zone(self, name: str) -> ZoneInfo:
        if name not in self.zones:
            self.zones[name] = ZoneInfo(name)
        return self.zones[name]

    def at(self, day: date, hour: int, zone_name: str, minute: int = 0) -> datetime:
        return datetime.combine(day, time(hour, minute), self.zone(zone_name))

    @property
    def latest(self) -> datetime:
        """The last moment history may have: a minute before today began (UTC). What
        follows something late yesterday is clamped to it, never in the future."""
        return datetime.combine(self.today, time(0), UTC) - timedelta(minutes=1)

    def stamp(self, day: date, hour: int = 9) -> datetime:
        """A moment of ``day`` in UTC (creation and recording times)."""
        return datetime.combine(day, time(hour, self.rng.randrange(60)), UTC)

    @staticmethod
    def hours(starts_at: datetime, minutes: int) -> range:
        """The hours (since the epoch) a meeting of ``minutes`` from ``starts_at`` takes."""
        first = int(starts_at.timestamp()) // 3600
        return range(first, first + math.ceil(minutes / 60))

    def slot(
        self, staff: User, zone_name: str, day: date, minutes: int, last: date
    ) -> datetime | None:
        """The first free hour of ``staff`` from ``day`` (a weekday, 9:00-16:00 in the
        buyer's time zone) to ``last``; the hours are then taken."""
        hours = math.ceil(minutes / 60)
        taken = self.busy[staff.pk]
        tries = 0
        while day <= last and tries < 15:
            tries += 1
            if day.weekday() >= 5:
                day += timedelta(days=7 - day.weekday())
                continue
            for hour in self.rng.sample(range(9, 17 - hours + 1), 17 - hours - 8):
                starts_at = self.at(day, hour, zone_name)
                wanted = self.hours(starts_at, minutes)
                if not any(h in taken for h in wanted):
                    taken.update(wanted)
                    return starts_at
            day += timedelta(days=1)
        return None

    def busy_row(
        self,
        staff: User,
        kind: MeetingKind,
        meeting_id: int,
        starts_at: datetime,
        minutes: int,
        live: bool,
    ) -> None:
        self.add(
            new(
                BusyInterval,
                staff=staff,
                kind=kind.value,
                meeting_id=meeting_id,
                starts_at=starts_at,
                ends_at=starts_at + timedelta(minutes=minutes),
                live=live,
            )
        )
