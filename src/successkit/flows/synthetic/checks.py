"""A contract's project health checks: one per period, held inside it (some recorded
late), missed, scheduled or due as the day says, each taking its staff member's time."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from successkit.accounts.models import User
from successkit.accounts.roles import Role
from successkit.contracts.models import Contract
from successkit.flows.synthetic.bulk import new
from successkit.flows.synthetic.data import CHECK_ACTIONS, CHECK_SUMMARIES
from successkit.flows.synthetic.world import World
from successkit.healthchecks import rules as check_rules
from successkit.healthchecks.models import ActionItem, HealthCheck, HealthCheckEvent
from successkit.scheduling.rules import MeetingKind


def write_health_checks(world: World, contract: Contract) -> None:
    rng = world.rng
    terms = contract.package.terms()
    if not terms.health_check_count:
        return
    minutes = terms.health_check_minutes or 60
    zone_name = contract.organization.timezone
    yesterday, soon = world.today - timedelta(days=1), world.today + timedelta(days=2)
    holders = [contract.representative, *_check_staff(world, contract)]
    periods = check_rules.health_check_periods(
        contract.start_date,
        contract.end_date,
        terms.health_check_count,
        terms.health_check_interval_months,
    )
    for period in periods:
        check = world.add(
            new(
                HealthCheck,
                contract=contract,
                period_index=period.index,
                period_start=period.start,
                period_end=period.end,
            )
        )
        if period.end <= yesterday:
            held = rng.random() < 0.82
            if held:
                _held(world, check, holders, zone_name, period.start, period.end, minutes)
        elif period.start <= yesterday and rng.random() < 0.35:
            _held(world, check, holders, zone_name, period.start, yesterday, minutes)
        elif (
            period.start <= world.today + timedelta(days=30)
            and period.end >= soon
            and rng.random() < (0.6 if period.start <= world.today else 0.3)
        ):
            _scheduled(
                world, check, holders, zone_name, max(soon, period.start), period.end, minutes
            )


def _check_staff(world: World, contract: Contract) -> list[User]:
    return [
        world.rng.choice(world.staff[Role.CS_ENGINEER]),
        world.rng.choice(world.staff[Role.LD_SPECIALIST]),
    ]


def _book(
    world: World,
    check: HealthCheck,
    holders: list[User],
    zone_name: str,
    first: date,
    last: date,
    minutes: int,
) -> tuple[User, datetime] | None:
    span = (last - first).days
    staff = holders[0] if world.rng.random() < 0.7 else world.rng.choice(holders)
    day = first + timedelta(days=world.rng.randint(0, max(0, span - 3)))
    starts_at = world.slot(staff, zone_name, day, minutes, last)
    if starts_at is None:
        return None
    world.busy_row(staff, MeetingKind.HEALTH_CHECK, check.pk, starts_at, minutes, True)
    return staff, starts_at


def _scheduled(
    world: World,
    check: HealthCheck,
    holders: list[User],
    zone_name: str,
    first: date,
    last: date,
    minutes: int,
) -> None:
    booked = _book(world, check, holders, zone_name, first, last, minutes)
    if booked is None:
        return
    staff, starts_at = booked
    check.state = check_rules.HealthCheckState.SCHEDULED.value
    scheduled_on = max(
        world.today - timedelta(days=world.rng.randint(1, 20)), check.contract.start_date
    )
    _on_calendar(
        world,
        check,
        staff,
        starts_at,
        world.stamp(min(scheduled_on, world.today - timedelta(days=1))),
    )


def _on_calendar(
    world: World, check: HealthCheck, staff: User, starts_at: datetime, at: datetime
) -> None:
    """The check put on the calendar at ``at``: its time, who holds it, the buyer
    attending, and the event that says so."""
    check.scheduled_for = starts_at
    check.staff = staff
    check.attendees = [check.contract.buyer_contact.user.name]
    world.add(
        new(
            HealthCheckEvent,
            health_check=check,
            kind=HealthCheckEvent.Kind.SCHEDULED,
            actor=check.contract.representative,
            staff=staff,
            scheduled_for=starts_at,
            created_at=at,
        )
    )


def _held(
    world: World,
    check: HealthCheck,
    holders: list[User],
    zone_name: str,
    first: date,
    last: date,
    minutes: int,
) -> None:
    rng = world.rng
    booked = _book(world, check, holders, zone_name, first, last, minutes)
    if booked is None:
        return
    staff, starts_at = booked
    held_on = starts_at.date()
    contract = check.contract
    language = contract.organization.language
    yesterday = world.today - timedelta(days=1)
    if rng.random() < 0.12 and check.period_end < yesterday:
        recorded_on = min(check.period_end + timedelta(days=rng.randint(1, 20)), yesterday)
    else:
        recorded_on = min(
            held_on + timedelta(days=rng.randint(0, 2)),
            max(check.period_end, held_on),
            yesterday,
        )
        recorded_on = max(recorded_on, held_on)
    status = rng.choices(["green", "amber", "red"], [60, 28, 12])[0]
    buyer = contract.buyer_contact.user.name
    check.state = check_rules.HealthCheckState.COMPLETED.value
    check.held_on = held_on
    check.summary = CHECK_SUMMARIES[language][status]
    check.overall_status = status
    check.completed_at = world.stamp(recorded_on, 17)
    check.completed_by = staff
    check.recorded_late = check_rules.recorded_late(check.period_end, recorded_on)
    scheduled_at = world.stamp(
        max(
            held_on - timedelta(days=rng.randint(5, 20)),
            contract.start_date - timedelta(days=1),
        )
    )
    _on_calendar(world, check, staff, starts_at, scheduled_at)
    world.add(
        new(
            HealthCheckEvent,
            health_check=check,
            kind=HealthCheckEvent.Kind.COMPLETED,
            actor=staff,
            staff=staff,
            held_on=held_on,
            created_at=check.completed_at,
        )
    )
    for position in range(1, rng.randint(1, 2) + 1):
        world.add(
            new(
                ActionItem,
                health_check=check,
                position=position,
                description=rng.choice(CHECK_ACTIONS[language]),
                owner=buyer,
                due_on=held_on + timedelta(days=rng.randint(7, 45)),
            )
        )
