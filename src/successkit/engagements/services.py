"""Training sessions and the pool they draw on: book, move, complete, cancel, no-show.

Every operation runs in one transaction that first locks the contract's pool row
(``SELECT … FOR UPDATE`` on PostgreSQL; SQLite transactions are IMMEDIATE, so the whole
database is the lock). Under that lock it reads the balance, asks ``rules`` for the
decision, then writes the session, one ledger entry per move and the new balance — so two
concurrent bookings can never together take more than the pool holds, nor both take a
single-use session type.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.db.models import F, QuerySet, Sum
from django.db.transaction import TransactionManagementError
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from successkit.accounts.actors import Actor
from successkit.accounts.models import Contact, User
from successkit.accounts.roles import Duty, Role
from successkit.accounts.services import active_staff
from successkit.catalog.models import SessionType
from successkit.catalog.services import localized
from successkit.catalog.services import session_type as catalog_session_type
from successkit.contracts.errors import ContractNotActive, RoleNotAllowed
from successkit.contracts.models import Contract, platform_labels
from successkit.contracts.rules import DateRange, VendorContact, local_date
from successkit.core.compiled import CompiledQuery
from successkit.core.errors import InvalidState, PermissionDenied, SuccessKitError, ValidationFailed
from successkit.engagements import rules
from successkit.engagements.errors import (
    BillableNotAccepted,
    DurationExceedsLimit,
    SessionNotStarted,
    SessionTypeAlreadyUsed,
)
from successkit.engagements.models import (
    BillableAcceptance,
    PoolEntry,
    SessionMaterial,
    TrainingPool,
    TrainingSession,
)
from successkit.engagements.rules import CancelledBy, Coverage, Refusal, SessionStatus
from successkit.healthchecks.rules import Tally
from successkit.healthchecks.services import health_check_tally
from successkit.outbox.services import publish
from successkit.pricing import services as pricing
from successkit.pricing.rules import Quote
from successkit.scheduling import services as scheduling
from successkit.scheduling.rules import MeetingKind

# Staff who may book and record sessions (a buyer contact books for their own contracts).


@dataclass(frozen=True)
class TrainingEntitlement:
    included_minutes: int
    reserved_minutes: int
    used_minutes: int
    remaining_minutes: int
    window: DateRange


def visible_sessions(actor: Actor) -> QuerySet[TrainingSession]:
    return actor.scope(
        TrainingSession.objects.select_related(
            "contract__organization", "contract__package", "session_type"
        ),
        "contract__organization",
    )


def pool_window(contract: Contract) -> DateRange:
    return rules.pool_window(contract.package.terms(), contract.start_date, contract.end_date)


def training_entitlement(contract: Contract, as_of: date) -> TrainingEntitlement:
    """The pool on ``as_of``: read from the running balance (one row, whatever the size of
    the ledger)."""
    included = contract.package.training_minutes
    try:
        pool: TrainingPool | None = contract.training_pool
    except TrainingPool.DoesNotExist:
        pool = None
    balance = rules.Balance(
        included=included,
        reserved=pool.reserved_minutes if pool else 0,
        used=pool.used_minutes if pool else 0,
    )
    window = pool_window(contract)
    return TrainingEntitlement(
        included_minutes=included,
        reserved_minutes=balance.reserved,
        used_minutes=balance.used,
        remaining_minutes=rules.remaining_on(balance, window, as_of),
        window=window,
    )


@dataclass(frozen=True)
class Entitlements:
    """What a contract includes, has used and has left on a day: the training pool, the
    health checks and whom the buyer contacts."""

    as_of: date
    training: TrainingEntitlement
    health_checks: Tally
    contact: VendorContact


def entitlements(contract: Contract, as_of: date | None = None) -> Entitlements:
    """The contract's entitlements on ``as_of`` (default: today in the buyer's time zone)."""
    day = as_of or contract.today()
    return Entitlements(
        as_of=day,
        training=training_entitlement(contract, day),
        health_checks=health_check_tally(contract, day),
        contact=contract.vendor_contact(day),
    )


def session_for(actor: Actor, session_id: int) -> TrainingSession:
    """A session the actor may see, or ``not_found``."""
    return actor.get(visible_sessions(actor), session_id, "contract__organization")


def contract_sessions(contract: Contract) -> QuerySet[TrainingSession]:
    """A contract's sessions, in order of their start."""
    return (
        TrainingSession.objects.filter(contract=contract)
        .select_related("session_type", "contract__organization")
        .order_by("starts_at", "id")
    )


def contract_page_sessions(contract: Contract) -> QuerySet[TrainingSession]:
    """A contract's sessions for its page: each with its type's names, its staff member,
    its materials and the acceptances of its billable minutes."""
    return (
        TrainingSession.objects.filter(contract=contract)
        .select_related("session_type", "staff")
        .prefetch_related(
            "session_type__translations",
            "materials",
            "acceptances__accepted_by",
            "acceptances__on_behalf_of__user",
        )
        .order_by("starts_at")
    )


def acceptances_of(session: TrainingSession) -> QuerySet[BillableAcceptance]:
    """Every acceptance of the session's billable minutes, oldest first."""
    return session.acceptances.select_related("accepted_by__contact").order_by("at", "id")


def materials_of(session: TrainingSession) -> QuerySet[SessionMaterial]:
    """The session's presentation materials, in the order they were handed over."""
    return session.materials.order_by("added_at", "id")


def material_for(actor: Actor, material_id: int) -> SessionMaterial:
    """A material of a session the actor may see, or ``not_found``."""
    return actor.get(
        SessionMaterial.objects.select_related("session__contract"),
        material_id,
        "session__contract__organization",
    )


@dataclass(frozen=True)
class BookableType:
    """A session type this contract may still book, with its cap per meeting and the
    hourly rate that would price its billable minutes today (None: no rate in force)."""

    session_type: SessionType
    max_minutes: int | None
    hourly_rate: Decimal | None
    draws_on_pool: bool


def bookable_types(contract: Contract, as_of: date | None = None) -> list[BookableType]:
    """The session types still open to the contract: a single-use type already booked,
    held or missed is not (its content is still had as additional training, always
    offered), in catalog order."""
    day = as_of or contract.today()
    try:
        rate: Decimal | None = pricing.rate_on(contract.currency, day)
    except SuccessKitError:
        rate = None
    taken = set(
        TrainingSession.objects.filter(
            contract=contract,
            session_type__single_use=True,
            status__in=[s.value for s in rules.HOLDS_SINGLE_USE],
        ).values_list("session_type__code", flat=True)
    )
    kinds = SessionType.objects.filter(version=contract.package.version).prefetch_related(
        "translations"
    )
    return [
        BookableType(kind, kind.max_minutes, rate, kind.draws_on_pool)
        for kind in kinds.order_by("id")
        if not (kind.single_use and kind.code in taken)
    ]


# --- operations -------------------------------------------------------------------------


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
    _require_booker(actor, contract)
    kind = catalog_session_type(contract.package.version, type_code)
    staff = _staff(contract, staff_id)
    agreed_by = _agreeing_contact(actor, contract, on_behalf_of_contact_id)
    # The lookups above change nothing and need no lock: the transaction (on SQLite the
    # whole database's write lock) starts here.
    with transaction.atomic():
        requested = frozenset(platforms or ())
        pool = lock_pool(contract)  # first: the term is read under the lock
        day = _check_booking(actor, contract, kind, starts_at, duration_minutes, staff, requested)
        wanted_platforms = rules.session_platforms(
            kind.terms(), requested, frozenset(contract.platforms)
        )
        if kind.single_use and _single_use_taken(contract, kind):
            raise _single_use_refusal(contract, kind)
        _check_time(actor, contract, staff, starts_at, duration_minutes)
        coverage = _coverage(contract, pool, kind, day, duration_minutes, own_reservation=0)
        quote = _priced(contract, coverage, day, accepted_before=0, accept_now=accept_billable)
        fields = {
            "contract": contract,
            "session_type": kind,
            "starts_at": starts_at,
            "duration_minutes": duration_minutes,
            "staff": staff,
            "platforms": sorted(wanted_platforms),
            "single_use": kind.single_use,
            "booked_by": actor.user,
            **_coverage_fields(coverage, quote),
        }
        if kind.single_use:
            try:
                # A savepoint: the refusal's message reads the type's name after it.
                with transaction.atomic():
                    session = TrainingSession.objects.create(**fields)
            except IntegrityError:
                # The database's own single-use constraint: a concurrent booking won the race.
                raise _single_use_refusal(contract, kind) from None
        else:
            session = TrainingSession.objects.create(**fields)
        _record_acceptance(session, actor, agreed_by, coverage, quote, accepted_before=0)
        scheduling.occupy(
            staff,
            MeetingKind.SESSION,
            session.pk,
            starts_at,
            duration_minutes,
            new=True,
            checked=True,  # _check_time above, in this transaction
        )
        _post(pool, session, actor, PoolEntry.Kind.RESERVE, reserved=coverage.covered)
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
    _require_booker(actor, contract)
    agreed_by = _agreeing_contact(actor, contract, on_behalf_of_contact_id)
    pool = lock_pool(contract)
    session = _reloaded(session, SessionStatus.BOOKED)
    if not rules.move_allowed(actor.is_contact, session.starts_at, timezone.now()):
        raise InvalidState(
            _("The session has started: it can no longer be moved by the buyer."),
            details={"field": "starts_at"},
        )
    day = _check_booking(
        actor,
        contract,
        session.session_type,
        starts_at,
        session.duration_minutes,
        session.staff,
        frozenset(session.platforms),
    )
    _check_time(actor, contract, session.staff, starts_at, session.duration_minutes, session.pk)
    coverage = _coverage(
        contract,
        pool,
        session.session_type,
        day,
        session.duration_minutes,
        own_reservation=session.covered_minutes,
    )
    quote = _priced(
        contract,
        coverage,
        day,
        accepted_before=session.accepted_billable_minutes,
        accept_now=accept_billable,
    )
    delta = coverage.covered - session.covered_minutes
    accepted_before = session.accepted_billable_minutes
    session.starts_at = starts_at
    _apply_coverage(session, coverage, quote)
    session.save()
    _record_acceptance(session, actor, agreed_by, coverage, quote, accepted_before=accepted_before)
    scheduling.occupy(
        session.staff, MeetingKind.SESSION, session.pk, starts_at, session.duration_minutes
    )
    if delta:
        kind = PoolEntry.Kind.RESERVE if delta > 0 else PoolEntry.Kind.RELEASE
        _post(pool, session, actor, kind, reserved=delta)
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
    agreed_by = _agreeing_contact(actor, contract, on_behalf_of_contact_id)
    pool = lock_pool(contract)
    session = _reloaded(session, SessionStatus.BOOKED)
    _require_started(session, contract)
    kind = session.session_type
    if actual_minutes < 1:
        raise ValidationFailed(
            _("Actual minutes must be at least 1; record a no-show or cancel instead."),
            details={"field": "actual_minutes"},
        )
    _check_cap(kind, actual_minutes)
    day = local_date(session.starts_at, contract.organization.timezone)
    coverage = _coverage(
        contract, pool, kind, day, actual_minutes, own_reservation=session.covered_minutes
    )
    quote = _priced(
        contract,
        coverage,
        day,
        accepted_before=session.accepted_billable_minutes,
        accept_now=accept_billable,
        at_delivery=True,
    )
    reserved = session.covered_minutes
    accepted_before = session.accepted_billable_minutes
    session.status = SessionStatus.COMPLETED
    session.actual_minutes = actual_minutes
    _apply_coverage(session, coverage, quote)
    session.save()
    _record_acceptance(session, actor, agreed_by, coverage, quote, accepted_before=accepted_before)
    _post(pool, session, actor, PoolEntry.Kind.POST, reserved=-reserved, used=coverage.covered)
    publish("session.completed", session)
    return session


@transaction.atomic
def cancel_session(actor: Actor, session: TrainingSession, *, by: str) -> TrainingSession:
    """Release the reservation. Before the start either side may cancel at no cost; a
    vendor cancellation never costs the buyer anything."""
    contract = session.contract
    _require_booker(actor, contract)
    try:
        cancelled_by = CancelledBy(by)
    except ValueError:
        raise ValidationFailed(_("by must be vendor or buyer."), details={"field": "by"}) from None
    if actor.is_contact and cancelled_by is not CancelledBy.BUYER:
        raise PermissionDenied(_("A buyer contact cancels on the buyer's behalf: use by=buyer."))
    pool = lock_pool(contract)
    session = _reloaded(session, SessionStatus.BOOKED)
    if not rules.cancellation_allowed(cancelled_by, session.starts_at, timezone.now()):
        raise InvalidState(
            _("The session has started: it can no longer be cancelled by the buyer.")
        )
    released = session.covered_minutes
    session.status = SessionStatus.CANCELLED
    session.cancelled_by = cancelled_by
    _apply_coverage(session, Coverage(0, 0), None)
    session.save()
    scheduling.release(MeetingKind.SESSION, session.pk)
    _post(pool, session, actor, PoolEntry.Kind.RELEASE, reserved=-released)
    publish("session.cancelled", session)
    return session


@transaction.atomic
def record_no_show(actor: Actor, session: TrainingSession) -> TrainingSession:
    """The buyer did not attend: the booked minutes are consumed as booked. Refused
    before the session starts (``session_not_started``)."""
    actor.require(Duty.DELIVER_SESSIONS)
    contract = session.contract
    pool = lock_pool(contract)
    session = _reloaded(session, SessionStatus.BOOKED)
    _require_started(session, contract)
    if session.billable_minutes:
        # The price is fixed now, at the rate in force on the day (the booking's quote was
        # an estimate at the rate then known).
        day = local_date(session.starts_at, contract.organization.timezone)
        quote = pricing.price_at_delivery(session.billable_minutes, contract.currency, day)
        session.hourly_rate, session.billable_amount = quote.hourly_rate, quote.amount
    session.status = SessionStatus.NO_SHOW
    session.save()
    reserved = session.covered_minutes
    _post(pool, session, actor, PoolEntry.Kind.POST, reserved=-reserved, used=reserved)
    publish("session.no_show", session)
    return session


# --- presentation materials -----------------------------------------------------------

MAX_MATERIAL_BYTES = 20 * 1024 * 1024


@transaction.atomic
def add_material(
    actor: Actor,
    session: TrainingSession,
    *,
    title: str,
    url: str = "",
    upload: UploadedFile | None = None,
) -> SessionMaterial:
    """Hand a presentation material (a link or a file) to the buyer with a session."""
    actor.require(Duty.DELIVER_SESSIONS)
    if not session.session_type.carries_materials:
        raise InvalidState(_("This session type carries no presentation materials."))
    if not title.strip():
        raise ValidationFailed(_("The material needs a title."), details={"field": "title"})
    if bool(url) == (upload is not None):
        raise ValidationFailed(_("Give either a link or a file."), details={"field": "url"})
    if url:
        try:
            URLValidator(schemes=["http", "https"])(url)
        except DjangoValidationError:
            raise ValidationFailed(
                _("The link must be an http or https address."), details={"field": "url"}
            ) from None
    if upload is not None and (upload.size or 0) > MAX_MATERIAL_BYTES:
        raise ValidationFailed(
            _("Files of up to %(mb)s MB are accepted."),
            details={"field": "file"},
            mb=MAX_MATERIAL_BYTES // (1024 * 1024),
        )
    material = SessionMaterial(session=session, title=title.strip(), url=url, added_by=actor.user)
    if upload is not None:
        material.file.save(upload.name or "material", upload, save=False)
    material.save()
    return material


# --- the ledger -------------------------------------------------------------------------


@dataclass(frozen=True)
class LedgerMismatch:
    contract_id: int
    balance: tuple[int, int]
    ledger: tuple[int, int]


def ledger_mismatches() -> list[LedgerMismatch]:
    """Every pool whose running balance differs from the sum of its ledger entries."""
    mismatches = []
    sums = {
        row["pool"]: (row["reserved"] or 0, row["used"] or 0)
        for row in PoolEntry.objects.values("pool").annotate(
            reserved=Sum("reserved_delta"), used=Sum("used_delta")
        )
    }
    for pool in TrainingPool.objects.order_by("id"):
        balance = (pool.reserved_minutes, pool.used_minutes)
        ledger = sums.get(pool.pk, (0, 0))
        if balance != ledger:
            mismatches.append(LedgerMismatch(pool.contract_id, balance, ledger))
    return mismatches


# --- helpers ----------------------------------------------------------------------------


def _require_booker(actor: Actor, contract: Contract) -> None:
    if actor.is_contact and actor.organization_id == contract.organization_id:
        return
    actor.require(Duty.DELIVER_SESSIONS)


def _staff(contract: Contract, staff_id: int | None) -> User:
    if staff_id is None:
        return contract.representative
    staff = active_staff().filter(pk=staff_id).first()
    if staff is None:
        raise ValidationFailed(
            _("Staff member %(id)s does not exist."), details={"field": "staff_id"}, id=staff_id
        )
    return staff


def type_label(kind: SessionType) -> str:
    """The session type's name in the active language (never its code)."""
    return localized(kind, translation.get_language() or "en").name


def status_label(status: str) -> str:
    return str(dict(TrainingSession._meta.get_field("status").flatchoices).get(status, status))


def _over_cap(kind: SessionType) -> DurationExceedsLimit:
    return DurationExceedsLimit(
        _("A session of the type “%(type)s” lasts at most %(limit)s minutes."),
        details={"field": "duration_minutes", "limit_minutes": kind.max_minutes},
        type=type_label(kind),
        limit=kind.max_minutes,
    )


def _single_use_refusal(contract: Contract, kind: SessionType) -> SessionTypeAlreadyUsed:
    """A single-use type is used up by a booked, held or missed (no-show) session; its
    content can still be had as additional training."""
    extra = SessionType.objects.filter(
        version=contract.package.version, single_use=False, draws_on_pool=False
    ).first()
    return SessionTypeAlreadyUsed(
        _(
            "“%(type)s” is held once per contract, and this contract's is already booked, "
            "held or missed (no-show). You can still get its content as “%(extra)s”, billed "
            "by the hour."
        ),
        details={"field": "type", "alternative_type": extra.code if extra else None},
        type=type_label(kind),
        extra=type_label(extra) if extra else "—",
    )


def _require_started(session: TrainingSession, contract: Contract) -> None:
    if not rules.delivery_started(session.starts_at, timezone.now()):
        zone = contract.organization.timezone
        raise SessionNotStarted(
            _(
                "The session starts at %(starts_at)s: its completion or no-show is recorded "
                "only once it has started."
            ),
            starts_at=session.starts_at.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M %z"),
        )


def _check_cap(kind: SessionType, minutes: int) -> None:
    if kind.max_minutes is not None and minutes > kind.max_minutes:
        raise _over_cap(kind)


def _check_booking(
    actor: Actor,
    contract: Contract,
    kind: SessionType,
    starts_at: datetime,
    minutes: int,
    staff: User,
    platforms: frozenset[str],
) -> date:
    if timezone.is_naive(starts_at):
        raise ValidationFailed(
            _("starts_at needs a time zone offset."), details={"field": "starts_at"}
        )
    day = local_date(starts_at, contract.organization.timezone)
    refusals = rules.booking_refusals(
        package=contract.package.terms(),
        session_type=kind.terms(),
        term=contract.term,
        day=day,
        minutes=minutes,
        platforms=platforms,
        staff_roles=staff.role_codes,
        in_the_past=starts_at <= timezone.now(),
        past_allowed=actor.is_staff,
        bought_platforms=frozenset(contract.platforms),
    )
    if refusals:
        raise _refusal(refusals[0], contract, kind)
    return day


def _check_time(
    actor: Actor,
    contract: Contract,
    staff: User,
    starts_at: datetime,
    minutes: int,
    moving: int | None = None,
) -> None:
    """The staff member's calendar (SPEC.md §9): never over another of their meetings;
    a buyer inside their working hours, with notice."""
    scheduling.check_time(
        staff,
        starts_at,
        minutes,
        by_buyer=actor.is_contact,
        notice_hours=contract.package.booking_notice_hours,
        fallback_timezone=contract.organization.timezone,
        kind=MeetingKind.SESSION,
        meeting_id=moving,
    )


def _refusal(refusal: Refusal, contract: Contract, kind: SessionType) -> SuccessKitError:
    if refusal is Refusal.DURATION_EXCEEDS_LIMIT:
        return _over_cap(kind)
    if refusal is Refusal.CONTRACT_NOT_ACTIVE:
        return ContractNotActive(
            _("The contract runs from %(start)s to %(end)s; nothing is booked outside it."),
            start=contract.start_date,
            end=contract.end_date,
        )
    if refusal is Refusal.ROLE_NOT_ALLOWED:
        return RoleNotAllowed(
            _("Sessions of this package are delivered by: %(roles)s."),
            details={"field": "staff_id"},
            roles=", ".join(
                str(Role(role).label) for role in sorted(contract.package.terms().training_roles)
            ),
        )
    if refusal is Refusal.STARTS_IN_THE_PAST:
        return ValidationFailed(
            _("Buyer contacts book only future times."), details={"field": "starts_at"}
        )
    if refusal is Refusal.PLATFORMS_NOT_BOUGHT:
        return ValidationFailed(
            _("This contract covers training on: %(platforms)s."),
            details={"field": "platforms"},
            platforms=platform_labels(contract.platforms),
        )
    if refusal is Refusal.PLATFORMS_NOT_OFFERED:
        return ValidationFailed(
            _("“%(type)s” covers only the platforms: %(platforms)s."),
            details={"field": "platforms"},
            type=type_label(kind),
            platforms=platform_labels(kind.platforms),
        )
    return ValidationFailed(
        _("The duration must be at least one minute."), details={"field": "duration_minutes"}
    )


def lock_pool(contract: Contract) -> TrainingPool:
    """Lock the contract's pool row until the end of the transaction: every booking,
    move, completion, cancellation and no-show of the contract takes this lock first, and
    so does a change of its term (``flows.contracts.change_end_date``). Under it the
    contract's term is read again, so a decision never rests on a term changed meanwhile."""
    if not transaction.get_connection().in_atomic_block:
        raise TransactionManagementError("lock_pool runs inside the operation's transaction.")
    locked = _LOCKED_POOL.run(contract.pk)
    if not locked:  # the contract's first booking
        TrainingPool.objects.get_or_create(
            contract=contract, defaults={"included_minutes": contract.package.training_minutes}
        )
        locked = _LOCKED_POOL.run(contract.pk)
    term = _TERM.run(contract.pk)
    if not term:
        raise Contract.DoesNotExist()
    contract.start_date, contract.end_date = term[0]
    return locked[0]


# lock_pool's two statements, compiled once (core/compiled.py): every write of a
# contract's sessions starts with them.
_LOCKED_POOL: CompiledQuery[TrainingPool] = CompiledQuery(
    lambda contract_id: TrainingPool.objects.select_for_update().filter(contract_id=contract_id),
    1,
)
_TERM: CompiledQuery[tuple[date, date]] = CompiledQuery(
    lambda pk: Contract.objects.filter(pk=pk).values_list("start_date", "end_date"), 1
)


def last_billable_delivery(currency: str) -> date | None:
    """The last day (in each buyer's time zone) on which billable minutes in ``currency``
    were delivered, if any: the rate card may not change on or before it."""
    delivered = TrainingSession.objects.filter(
        contract__currency=currency,
        status__in=[status.value for status in rules.DELIVERED],
        billable_minutes__gt=0,
    )
    latest = delivered.order_by("-starts_at").values_list("starts_at", flat=True).first()
    if latest is None:
        return None
    # Time zones differ by at most a day: the last local day is among the last 26 hours.
    candidates = delivered.filter(starts_at__gte=latest - timedelta(hours=26)).values_list(
        "starts_at", "contract__organization__timezone"
    )
    return max(local_date(starts_at, zone) for starts_at, zone in candidates)


# Sessions whose day a term must keep inside it: booked, held or missed (SPEC.md §2).
KEPT_IN_TERM = (SessionStatus.BOOKED, SessionStatus.COMPLETED, SessionStatus.NO_SHOW)


def sessions_after(contract: Contract, end_date: date) -> list[date]:
    """The days (buyer's) of the sessions on record of ``contract`` after ``end_date``."""
    timezone_name = contract.organization.timezone
    days = (
        local_date(starts_at, timezone_name)
        for starts_at in TrainingSession.objects.filter(
            contract=contract, status__in=[s.value for s in KEPT_IN_TERM]
        ).values_list("starts_at", flat=True)
    )
    return sorted(day for day in days if day > end_date)


def _reloaded(session: TrainingSession, expected: SessionStatus) -> TrainingSession:
    """The session as committed now (under the pool lock), in the ``expected`` status."""
    fresh = TrainingSession.objects.select_related("session_type", "staff").get(pk=session.pk)
    if fresh.status != expected:
        raise InvalidState(
            _("The session is “%(status)s”; this needs a session that is “%(expected)s”."),
            details={"status": fresh.status},
            status=status_label(fresh.status),
            expected=status_label(expected.value),
        )
    return fresh


def _single_use_taken(contract: Contract, kind: SessionType) -> bool:
    return TrainingSession.objects.filter(
        contract=contract,
        session_type__code=kind.code,
        status__in=[s.value for s in rules.HOLDS_SINGLE_USE],
    ).exists()


def _coverage(
    contract: Contract,
    pool: TrainingPool,
    kind: SessionType,
    day: date,
    minutes: int,
    *,
    own_reservation: int,
) -> Coverage:
    balance = pool.balance(contract.package.training_minutes)
    return rules.split_coverage(
        minutes,
        session_type=kind.terms(),
        day=day,
        window=pool_window(contract),
        available=balance.available + own_reservation,
    )


def _priced(
    contract: Contract,
    coverage: Coverage,
    day: date,
    *,
    accepted_before: int,
    accept_now: bool,
    at_delivery: bool = False,
) -> Quote | None:
    """The price of the billable minutes (an estimate when booking, fixed ``at_delivery``),
    refusing when there is no rate or nobody accepted them."""
    if coverage.billable == 0:
        return None
    fix = pricing.price_at_delivery if at_delivery else pricing.price
    quote = fix(coverage.billable, contract.currency, day)
    if rules.billable_needs_acceptance(
        coverage.billable, accepted_before=accepted_before, accept_now=accept_now
    ):
        raise BillableNotAccepted(
            _(
                "%(billable)s of these minutes are billable at %(rate)s %(currency)s an hour "
                "(%(amount)s %(currency)s); repeat with accept_billable to accept."
            ),
            details={"quote": _quote_body(coverage, quote)},
            billable=coverage.billable,
            rate=quote.hourly_rate,
            amount=quote.amount,
            currency=quote.currency,
        )
    return quote


def _quote_body(coverage: Coverage, quote: Quote) -> dict[str, object]:
    return {
        "covered_minutes": coverage.covered,
        "billable_minutes": coverage.billable,
        "hourly_rate": f"{quote.hourly_rate:.2f}",
        "amount": f"{quote.amount:.2f}",
        "currency": quote.currency,
        "priced_on": quote.priced_on.isoformat(),
    }


def _coverage_fields(coverage: Coverage, quote: Quote | None) -> dict[str, object]:
    return {
        "covered_minutes": coverage.covered,
        "billable_minutes": coverage.billable,
        "accepted_billable_minutes": coverage.billable,
        "hourly_rate": quote.hourly_rate if quote else None,
        "billable_amount": quote.amount if quote else Decimal("0.00"),
    }


def _apply_coverage(session: TrainingSession, coverage: Coverage, quote: Quote | None) -> None:
    session.covered_minutes = coverage.covered
    session.billable_minutes = coverage.billable
    session.accepted_billable_minutes = max(session.accepted_billable_minutes, coverage.billable)
    session.hourly_rate = quote.hourly_rate if quote else None
    session.billable_amount = quote.amount if quote else Decimal("0.00")


def _agreeing_contact(actor: Actor, contract: Contract, contact_id: int | None) -> Contact | None:
    """The buyer contact named as having agreed to billable minutes (vendor staff accepting
    on the buyer's behalf): a contact of the contract's organization."""
    if contact_id is None:
        return None
    contact = Contact.objects.filter(pk=contact_id, organization=contract.organization_id).first()
    if contact is None or (actor.is_contact and contact.user_id != actor.user.pk):
        raise ValidationFailed(
            _("on_behalf_of_contact_id must name a contact of the buyer's organization."),
            details={"field": "on_behalf_of_contact_id"},
        )
    return contact


def _record_acceptance(
    session: TrainingSession,
    actor: Actor,
    agreed_by: Contact | None,
    coverage: Coverage,
    quote: Quote | None,
    *,
    accepted_before: int,
) -> None:
    """Record an acceptance whenever this operation billed more minutes than were accepted
    before (``_priced`` has refused the operation if nobody accepted them)."""
    if quote is None or coverage.billable <= accepted_before:
        return
    BillableAcceptance.objects.create(
        session=session,
        accepted_by=actor.user,
        on_behalf_of=agreed_by if actor.is_staff else None,
        minutes=coverage.billable,
        hourly_rate=quote.hourly_rate,
        amount=quote.amount,
        currency=quote.currency,
    )


def _post(
    pool: TrainingPool,
    session: TrainingSession,
    actor: Actor,
    kind: str,
    *,
    reserved: int = 0,
    used: int = 0,
) -> None:
    """Append one ledger entry and move the running balance by the same amounts."""
    if not reserved and not used and kind != PoolEntry.Kind.POST:
        return
    PoolEntry.objects.create(
        pool=pool,
        session=session,
        kind=kind,
        reserved_delta=reserved,
        used_delta=used,
        recorded_by=actor.user,
    )
    TrainingPool.objects.filter(pk=pool.pk).update(
        reserved_minutes=F("reserved_minutes") + reserved, used_minutes=F("used_minutes") + used
    )
    pool.refresh_from_db(fields=["reserved_minutes", "used_minutes"])
