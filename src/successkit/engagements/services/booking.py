"""Training sessions and the pool they draw on: book, move, complete, cancel, no-show.

Every operation runs in one transaction that first locks the contract's pool row
(``SELECT … FOR UPDATE`` on PostgreSQL; SQLite transactions are IMMEDIATE, so the whole
database is the lock). Under that lock it reads the balance, asks ``rules`` for the
decision, then writes the session, one ledger entry per move and the new balance — so two
concurrent bookings can never together take more than the pool holds, nor both take a
single-use session type.
"""

from __future__ import annotations

from datetime import date, datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from successkit.accounts.actors import Actor
from successkit.accounts.models import Contact
from successkit.accounts.roles import Duty
from successkit.catalog.services import session_type as catalog_session_type
from successkit.contracts.models import Contract
from successkit.contracts.rules import local_date
from successkit.core.compiled import CompiledInsert
from successkit.core.errors import InvalidState, PermissionDenied, ValidationFailed
from successkit.engagements import rules
from successkit.engagements.models import (
    PoolEntry,
    TrainingPool,
    TrainingSession,
)
from successkit.engagements.rules import CancelledBy, Coverage, SessionStatus
from successkit.engagements.services.checks import (
    check_booking,
    check_cap,
    check_time,
    delivering_staff,
    reloaded,
    require_booker,
    require_started,
    single_use_refusal,
    single_use_taken,
)
from successkit.engagements.services.coverage import (
    agreeing_contact,
    apply_coverage,
    coverage_fields,
    pool_coverage,
    priced,
    record_acceptance,
)
from successkit.engagements.services.ledger import lock_pool, post_entry
from successkit.outbox.services import publish
from successkit.pricing import services as pricing
from successkit.scheduling import services as scheduling
from successkit.scheduling.rules import MeetingKind

# The session row every booking writes, its INSERT compiled once (core/compiled.py).
_INSERT_SESSION: CompiledInsert[TrainingSession] = CompiledInsert(TrainingSession)


def book_session(
    actor: Actor,
    contract: Contract,
    *,
    type_code: str,
    starts_at: datetime,
    duration_minutes: int,
    staff_id: int | None = None,
    platforms: list[str] | None = None,
    accept_billable: bool = False,
    on_behalf_of_contact_id: int | None = None,
) -> TrainingSession:
    require_booker(actor, contract)
    kind = catalog_session_type(contract.package.version, type_code)
    staff = delivering_staff(contract, staff_id)
    agreed_by = agreeing_contact(actor, contract, on_behalf_of_contact_id)
    # The lookups above change nothing and need no lock: the transaction (on SQLite the
    # whole database's write lock) starts here.
    with transaction.atomic():
        requested = frozenset(platforms or ())
        pool = lock_pool(contract)  # first: the term is read under the lock
        day = check_booking(actor, contract, kind, starts_at, duration_minutes, staff, requested)
        wanted_platforms = rules.session_platforms(
            kind.terms(), requested, frozenset(contract.platforms)
        )
        if kind.single_use and single_use_taken(contract, kind):
            raise single_use_refusal(contract, kind)
        check_time(actor, contract, staff, starts_at, duration_minutes)
        coverage = pool_coverage(contract, pool, kind, day, duration_minutes, own_reservation=0)
        quote = priced(contract, coverage, day, accepted_before=0, accept_now=accept_billable)
        fields = {
            "contract": contract,
            "session_type": kind,
            "starts_at": starts_at,
            "duration_minutes": duration_minutes,
            "staff": staff,
            "platforms": sorted(wanted_platforms),
            "single_use": kind.single_use,
            "booked_by": actor.user,
            **coverage_fields(coverage, quote),
        }
        if kind.single_use:
            try:
                # A savepoint: the refusal's message reads the type's name after it.
                with transaction.atomic():
                    session = _INSERT_SESSION.insert(TrainingSession(**fields))
            except IntegrityError:
                # The database's own single-use constraint: a concurrent booking won the race.
                raise single_use_refusal(contract, kind) from None
        else:
            session = _INSERT_SESSION.insert(TrainingSession(**fields))
        record_acceptance(session, actor, agreed_by, coverage, quote, accepted_before=0)
        scheduling.occupy(
            staff,
            MeetingKind.SESSION,
            session.pk,
            starts_at,
            duration_minutes,
            new=True,
            checked=True,  # check_time above, in this transaction
        )
        post_entry(pool, session, actor, PoolEntry.Kind.RESERVE, reserved=coverage.covered)
        # A new session's invitation has never been revised: its iCalendar SEQUENCE is 0.
        publish("session.booked", session, sequence=0)
        return session


@transaction.atomic
def move_session(
    actor: Actor,
    session: TrainingSession,
    *,
    starts_at: datetime,
    accept_billable: bool = False,
    on_behalf_of_contact_id: int | None = None,
) -> TrainingSession:
    """Another time for a booked session: it keeps its reservation, and its coverage is
    worked out again for the new day. A buyer contact moves it only before it starts."""
    contract = session.contract
    require_booker(actor, contract)
    agreed_by = agreeing_contact(actor, contract, on_behalf_of_contact_id)
    pool = lock_pool(contract)
    session = reloaded(session, SessionStatus.BOOKED)
    if not rules.move_allowed(actor.is_contact, session.starts_at, timezone.now()):
        raise InvalidState(
            _("The session has started: it can no longer be moved by the buyer."),
            details={"field": "starts_at"},
        )
    day = check_booking(
        actor,
        contract,
        session.session_type,
        starts_at,
        session.duration_minutes,
        session.staff,
        frozenset(session.platforms),
    )
    check_time(actor, contract, session.staff, starts_at, session.duration_minutes, session.pk)
    reserved = session.covered_minutes
    coverage = _covered_again(
        actor,
        session,
        pool,
        day,
        session.duration_minutes,
        agreed_by=agreed_by,
        accept_billable=accept_billable,
        starts_at=starts_at,
    )
    delta = coverage.covered - reserved
    scheduling.occupy(
        session.staff, MeetingKind.SESSION, session.pk, starts_at, session.duration_minutes
    )
    if delta:
        kind = PoolEntry.Kind.RESERVE if delta > 0 else PoolEntry.Kind.RELEASE
        post_entry(pool, session, actor, kind, reserved=delta)
    publish("session.moved", session)
    return session


@transaction.atomic
def complete_session(
    actor: Actor,
    session: TrainingSession,
    *,
    actual_minutes: int,
    accept_billable: bool = False,
    on_behalf_of_contact_id: int | None = None,
) -> TrainingSession:
    """Post the actual minutes: fewer than booked release the rest; more are covered by
    what is left of the pool, the remainder billable only with acceptance. Refused before
    the session starts (``session_not_started``)."""
    actor.require(Duty.DELIVER_SESSIONS)
    contract = session.contract
    agreed_by = agreeing_contact(actor, contract, on_behalf_of_contact_id)
    pool = lock_pool(contract)
    session = reloaded(session, SessionStatus.BOOKED)
    require_started(session, contract)
    kind = session.session_type
    if actual_minutes < 1:
        raise ValidationFailed(
            _("Actual minutes must be at least 1; record a no-show or cancel instead."),
            details={"field": "actual_minutes"},
        )
    check_cap(kind, actual_minutes)
    day = local_date(session.starts_at, contract.organization.timezone)
    reserved = session.covered_minutes
    coverage = _covered_again(
        actor,
        session,
        pool,
        day,
        actual_minutes,
        agreed_by=agreed_by,
        accept_billable=accept_billable,
        at_delivery=True,
        status=SessionStatus.COMPLETED,
        actual_minutes=actual_minutes,
    )
    post_entry(pool, session, actor, PoolEntry.Kind.POST, reserved=-reserved, used=coverage.covered)
    publish("session.completed", session)
    return session


def _covered_again(
    actor: Actor,
    session: TrainingSession,
    pool: TrainingPool,
    day: date,
    minutes: int,
    *,
    agreed_by: Contact | None,
    accept_billable: bool,
    at_delivery: bool = False,
    **changes: object,
) -> Coverage:
    """A booked session's ``minutes`` on ``day``, covered again by the (locked) pool with
    its own reservation given back, priced, and saved with ``changes``; the acceptance of
    any newly billed minutes recorded. Moving and completing a session both end so."""
    contract = session.contract
    coverage = pool_coverage(
        contract, pool, session.session_type, day, minutes, own_reservation=session.covered_minutes
    )
    accepted_before = session.accepted_billable_minutes
    quote = priced(
        contract,
        coverage,
        day,
        accepted_before=accepted_before,
        accept_now=accept_billable,
        at_delivery=at_delivery,
    )
    for name, value in changes.items():
        setattr(session, name, value)
    apply_coverage(session, coverage, quote)
    session.save()
    record_acceptance(session, actor, agreed_by, coverage, quote, accepted_before=accepted_before)
    return coverage


@transaction.atomic
def cancel_session(actor: Actor, session: TrainingSession, *, by: str) -> TrainingSession:
    """Release the reservation. Before the start either side may cancel at no cost; a
    vendor cancellation never costs the buyer anything."""
    contract = session.contract
    require_booker(actor, contract)
    try:
        cancelled_by = CancelledBy(by)
    except ValueError:
        raise ValidationFailed(_("by must be vendor or buyer."), details={"field": "by"}) from None
    if actor.is_contact and cancelled_by is not CancelledBy.BUYER:
        raise PermissionDenied(_("A buyer contact cancels on the buyer's behalf: use by=buyer."))
    pool = lock_pool(contract)
    session = reloaded(session, SessionStatus.BOOKED)
    if not rules.cancellation_allowed(cancelled_by, session.starts_at, timezone.now()):
        raise InvalidState(
            _("The session has started: it can no longer be cancelled by the buyer.")
        )
    released = session.covered_minutes
    session.status = SessionStatus.CANCELLED
    session.cancelled_by = cancelled_by
    apply_coverage(session, Coverage(0, 0), None)
    session.save()
    scheduling.release(MeetingKind.SESSION, session.pk)
    post_entry(pool, session, actor, PoolEntry.Kind.RELEASE, reserved=-released)
    publish("session.cancelled", session)
    return session


@transaction.atomic
def record_no_show(actor: Actor, session: TrainingSession) -> TrainingSession:
    """The buyer did not attend: the booked minutes are consumed as booked. Refused
    before the session starts (``session_not_started``)."""
    actor.require(Duty.DELIVER_SESSIONS)
    contract = session.contract
    pool = lock_pool(contract)
    session = reloaded(session, SessionStatus.BOOKED)
    require_started(session, contract)
    if session.billable_minutes:
        # The price is fixed now, at the rate in force on the day (the booking's quote was
        # an estimate at the rate then known).
        day = local_date(session.starts_at, contract.organization.timezone)
        quote = pricing.price_at_delivery(session.billable_minutes, contract.currency, day)
        session.hourly_rate, session.billable_amount = quote.hourly_rate, quote.amount
    session.status = SessionStatus.NO_SHOW
    session.save()
    reserved = session.covered_minutes
    post_entry(pool, session, actor, PoolEntry.Kind.POST, reserved=-reserved, used=reserved)
    publish("session.no_show", session)
    return session
