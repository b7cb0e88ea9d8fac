"""A contract's training sessions: planned, booked in order against the pool, then
delivered, missed or cancelled (and booked again), with their ledger entries, accepted
billable minutes and the staff member's time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from successkit.accounts.models import User
from successkit.accounts.roles import Role
from successkit.catalog.models import SessionType
from successkit.contracts.models import Contract
from successkit.engagements import rules as engagement_rules
from successkit.engagements.models import (
    BillableAcceptance,
    PoolEntry,
    TrainingPool,
    TrainingSession,
)
from successkit.engagements.rules import Coverage, SessionStatus
from successkit.flows.synthetic.bulk import new
from successkit.flows.synthetic.world import World
from successkit.pricing import rules as pricing_rules
from successkit.scheduling.rules import MeetingKind


@dataclass
class _Planned:
    """A session to book: its type, day, length and who gives it."""

    kind: SessionType
    day: date
    minutes: int
    staff: User


@dataclass
class _Booking:
    """One session as booked, before its fate."""

    session: TrainingSession
    planned: _Planned
    coverage: Coverage
    rate: Decimal | None
    booker: User
    booked_at: datetime


class _Sessions:
    """The sessions of one contract, written in booking order so that the pool's
    reserved and used minutes are those the services would have kept."""

    def __init__(self, world: World, contract: Contract) -> None:
        self.world = world
        self.contract = contract
        package = contract.package
        self.window = engagement_rules.pool_window(
            package.terms(), contract.start_date, contract.end_date
        )
        self.pool = world.add(
            new(TrainingPool, contract=contract, included_minutes=package.training_minutes)
        )
        self.reserved = self.used = 0

    @property
    def available(self) -> int:
        return self.contract.package.training_minutes - self.reserved - self.used

    def write(self) -> None:
        world, contract = self.world, self.contract
        rng = world.rng
        horizon = world.today + timedelta(days=120)  # later sessions are not booked yet
        taken_single: set[str] = set()
        queue = _plan(world, contract)
        while queue:
            item = queue.pop(0)
            past = item.day <= world.today - timedelta(days=1)
            if not past and item.day < world.today + timedelta(days=2):
                item.day = world.today + timedelta(days=2)
            if item.day > min(horizon, contract.end_date):
                continue
            if item.kind.single_use and item.kind.code in taken_single:
                continue
            placed = self._place(item, past)
            if placed is None:
                continue
            if past:
                fate = rng.choices(
                    [SessionStatus.COMPLETED, SessionStatus.NO_SHOW, SessionStatus.CANCELLED],
                    [85, 7, 8],
                )[0]
            else:
                fate = SessionStatus.CANCELLED if rng.random() < 0.05 else SessionStatus.BOOKED
            booking = self._accept(*placed, by_buyer=not past and rng.random() < 0.3)
            live = True
            if fate is SessionStatus.COMPLETED:
                self._complete(booking)
            elif fate is SessionStatus.NO_SHOW:
                self._missed(booking)
            elif fate is SessionStatus.CANCELLED:
                self._cancel(booking)
                live = False
                if item.kind.single_use or rng.random() < 0.5:
                    # Booked again a week or two later.
                    again = _Planned(
                        item.kind,
                        item.day + timedelta(rng.randint(7, 14)),
                        item.minutes,
                        item.staff,
                    )
                    queue.insert(0, again)
                    queue.sort(key=lambda planned: planned.day)
            if live and item.kind.single_use:
                taken_single.add(item.kind.code)
            session = booking.session
            starts_at = session.starts_at
            world.busy_row(
                item.staff, MeetingKind.SESSION, session.pk, starts_at, item.minutes, live
            )
            if (
                session.status in (SessionStatus.COMPLETED, SessionStatus.NO_SHOW)
                and session.billable_minutes
            ):
                world.billable[(contract.pk, starts_at.date().replace(day=1))].append(session)
        self.pool.reserved_minutes, self.pool.used_minutes = self.reserved, self.used

    def _place(
        self, item: _Planned, past: bool
    ) -> tuple[_Planned, TrainingSession, Coverage, Decimal | None] | None:
        """The session at the first free hour of its staff member from its day, its minutes
        covered by the pool as far as they go, and the day's rate; None when no hour is free
        or the billable rest has no rate that day."""
        world, contract = self.world, self.contract
        last = (
            min(contract.end_date, world.today - timedelta(days=1)) if past else contract.end_date
        )
        zone_name = contract.organization.timezone
        starts_at = world.slot(item.staff, zone_name, item.day, item.minutes, last)
        if starts_at is None:
            return None
        day = starts_at.date()  # the buyer's day (the slot is in their time zone)
        coverage = self._coverage(item, day, item.minutes, self.available)
        rate = pricing_rules.rate_in_force(world.card[contract.currency], day)
        if coverage.billable and rate is None:
            world.busy[item.staff.pk].difference_update(world.hours(starts_at, item.minutes))
            return None  # no rate in force that day: nobody would have booked it billable
        platforms = sorted(
            engagement_rules.session_platforms(
                item.kind.terms(), frozenset(), frozenset(contract.platforms)
            )
        )
        session = new(
            TrainingSession,
            contract=contract,
            session_type=item.kind,
            status=SessionStatus.BOOKED.value,
            starts_at=starts_at,
            duration_minutes=item.minutes,
            staff=item.staff,
            platforms=platforms,
            covered_minutes=coverage.covered,
            billable_minutes=coverage.billable,
            accepted_billable_minutes=coverage.billable,
            single_use=item.kind.single_use,
        )
        _price(session, coverage, rate)
        return item, session, coverage, rate

    def _accept(
        self,
        item: _Planned,
        session: TrainingSession,
        coverage: Coverage,
        rate: Decimal | None,
        *,
        by_buyer: bool,
    ) -> _Booking:
        """The booking written: who booked it and when, the pool's reserve, and the billable
        minutes accepted at the day's rate."""
        world, contract = self.world, self.contract
        booker = contract.buyer_contact.user if by_buyer else contract.representative
        booked_at = world.stamp(session.starts_at.date() - timedelta(days=world.rng.randint(3, 30)))
        session.booked_by = booker
        session.created_at = session.updated_at = booked_at
        world.add(session)
        booking = _Booking(session, item, coverage, rate, booker, booked_at)
        covered = booking.coverage.covered
        self.reserved += covered
        world.ledger_entry(
            self.pool,
            session,
            PoolEntry.Kind.RESERVE,
            booking.booker,
            booking.booked_at,
            covered,
            0,
        )
        billable = booking.coverage.billable
        if billable:
            assert booking.rate is not None
            world.add(
                new(
                    BillableAcceptance,
                    session=session,
                    accepted_by=booking.booker,
                    on_behalf_of=None if by_buyer else contract.buyer_contact,
                    at=booking.booked_at,
                    minutes=billable,
                    hourly_rate=booking.rate,
                    amount=pricing_rules.amount_for(billable, booking.rate),
                    currency=contract.currency,
                )
            )
        return booking

    def _complete(self, booking: _Booking) -> None:
        """Held: most for their booked length, some a quarter of an hour shorter; the
        actual minutes covered again as completion covers them."""
        rng, session = self.world.rng, booking.session
        minutes = booking.planned.minutes
        actual = minutes if rng.random() < 0.8 else max(15, minutes - 15)
        ended = session.starts_at + timedelta(minutes=actual)
        done = min(ended + timedelta(hours=rng.randint(1, 30)), max(self.world.latest, ended))
        again = self._coverage(
            booking.planned,
            session.starts_at.date(),
            actual,
            self.available + booking.coverage.covered,
        )
        session.actual_minutes = actual
        self._post(booking, SessionStatus.COMPLETED, again, done)

    def _missed(self, booking: _Booking) -> None:
        """A no-show: the booked minutes are used as booked."""
        starts_at = booking.session.starts_at
        hours = self.world.rng.randint(1, 30)
        done = min(starts_at + timedelta(hours=hours), max(self.world.latest, starts_at))
        self._post(booking, SessionStatus.NO_SHOW, booking.coverage, done)

    def _post(
        self, booking: _Booking, status: SessionStatus, coverage: Coverage, done: datetime
    ) -> None:
        session = booking.session
        session.status = status.value
        session.covered_minutes = coverage.covered
        session.billable_minutes = coverage.billable
        _price(session, coverage, booking.rate)
        session.updated_at = done
        self.reserved -= booking.coverage.covered
        self.used += coverage.covered
        self.world.ledger_entry(
            self.pool,
            session,
            PoolEntry.Kind.POST,
            booking.planned.staff,
            done,
            -booking.coverage.covered,
            coverage.covered,
        )

    def _cancel(self, booking: _Booking) -> None:
        """Cancelled a day or two before, by the vendor or the buyer: the reserve released."""
        session, starts_at = booking.session, booking.session.starts_at
        vendor = self.world.rng.random() < 0.4
        done = min(
            starts_at - timedelta(days=1), max(booking.booked_at, starts_at - timedelta(days=2))
        )
        session.status = SessionStatus.CANCELLED.value
        session.cancelled_by = "vendor" if vendor else "buyer"
        session.covered_minutes = session.billable_minutes = 0
        _price(session, Coverage(0, 0), None)
        session.updated_at = done
        self.reserved -= booking.coverage.covered
        self.world.ledger_entry(
            self.pool,
            session,
            PoolEntry.Kind.RELEASE,
            booking.booker,
            done,
            -booking.coverage.covered,
            0,
        )

    def _coverage(self, item: _Planned, day: date, minutes: int, available: int) -> Coverage:
        return engagement_rules.split_coverage(
            minutes,
            session_type=item.kind.terms(),
            day=day,
            window=self.window,
            available=available,
        )


def _price(session: TrainingSession, coverage: Coverage, rate: Decimal | None) -> None:
    """The price of the session's billable minutes, fixed at the day's rate."""
    session.hourly_rate = rate if coverage.billable else None
    session.billable_amount = (
        pricing_rules.amount_for(coverage.billable, rate)
        if coverage.billable and rate is not None
        else Decimal("0.00")
    )


def _plan(world: World, contract: Contract) -> list[_Planned]:
    rng = world.rng
    start, end = contract.start_date, contract.end_date
    launch = contract.package.code == "launch_kit"
    term_days = (end - start).days
    early = 85 if launch else 120  # the pool's sessions, inside a Launch Kit's window
    rep = contract.representative
    engineer = rep if launch else rng.choice(world.staff[Role.CS_ENGINEER])
    trainer = rep if launch else rng.choice(world.staff[Role.LD_SPECIALIST])
    plan = [_Planned(world.types["kickoff"], start + timedelta(rng.randint(1, 8)), 60, rep)]
    for _ in range(rng.randint(2, 4)):
        day = start + timedelta(rng.randint(9, early - 10))
        plan.append(_Planned(world.types["implementation"], day, rng.choice([45, 60]), engineer))
    day = start + timedelta(rng.randint(14, early))
    plan.append(_Planned(world.types["software_training"], day, 60, trainer))
    for _ in range(rng.randint(4, 6)):
        day = start + timedelta(rng.randint(20, term_days - 3))
        minutes = rng.choice([60, 60, 90, 120])
        plan.append(_Planned(world.types["additional_training"], day, minutes, trainer))
    plan.sort(key=lambda item: item.day)
    return plan


def write_sessions(world: World, contract: Contract) -> None:
    _Sessions(world, contract).write()
