"""What a booking or a record must satisfy: who may, which staff, the caps, the time,
single use; each refusal in words."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from successkit.accounts.actors import Actor
from successkit.accounts.models import User
from successkit.accounts.roles import Duty, Role
from successkit.accounts.services import active_staff, role_codes_column, with_role_codes
from successkit.catalog.models import SessionType
from successkit.catalog.services import localized
from successkit.contracts.errors import ContractNotActive, RoleNotAllowed
from successkit.contracts.models import Contract, platform_labels
from successkit.contracts.rules import local_date
from successkit.core.errors import InvalidState, SuccessKitError, ValidationFailed
from successkit.engagements import rules
from successkit.engagements.errors import (
    DurationExceedsLimit,
    SessionNotStarted,
    SessionTypeAlreadyUsed,
)
from successkit.engagements.models import (
    TrainingSession,
)
from successkit.engagements.rules import Refusal, SessionStatus
from successkit.scheduling import services as scheduling
from successkit.scheduling.rules import MeetingKind


def require_booker(actor: Actor, contract: Contract) -> None:
    if actor.is_contact and actor.organization_id == contract.organization_id:
        return
    actor.require(Duty.DELIVER_SESSIONS)


def booking_columns(contracts: QuerySet[Contract]) -> QuerySet[Contract]:
    """The contract lookup of a booking (``contract_for(..., extra=booking_columns)``):
    the representative's roles in the same query, for ``delivering_staff``."""
    return contracts.annotate(representative_role_codes=role_codes_column("representative_id"))


def delivering_staff(contract: Contract, staff_id: int | None) -> User:
    """Who delivers a new session, with their roles read now: before the booking's
    transaction, whose lock guards the pool and the term, not anyone's roles (on SQLite
    that lock is the whole database's, held for as short a time as can be). The
    representative's come with the contract when it was read with ``booking_columns``."""
    if staff_id is None and hasattr(contract, "representative_role_codes"):
        return with_role_codes(contract.representative, contract.representative_role_codes)
    staff = (
        contract.representative if staff_id is None else active_staff().filter(pk=staff_id).first()
    )
    if staff is None:
        raise ValidationFailed(
            _("Staff member %(id)s does not exist."), details={"field": "staff_id"}, id=staff_id
        )
    staff.known_role_codes = staff.role_codes
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


def single_use_refusal(contract: Contract, kind: SessionType) -> SessionTypeAlreadyUsed:
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


def require_started(session: TrainingSession, contract: Contract) -> None:
    if not rules.delivery_started(session.starts_at, timezone.now()):
        zone = contract.organization.timezone
        raise SessionNotStarted(
            _(
                "The session starts at %(starts_at)s: its completion or no-show is recorded "
                "only once it has started."
            ),
            starts_at=session.starts_at.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M %z"),
        )


def check_cap(kind: SessionType, minutes: int) -> None:
    if kind.max_minutes is not None and minutes > kind.max_minutes:
        raise _over_cap(kind)


def check_booking(
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


def check_time(
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


def reloaded(session: TrainingSession, expected: SessionStatus) -> TrainingSession:
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


def single_use_taken(contract: Contract, kind: SessionType) -> bool:
    return TrainingSession.objects.filter(
        contract=contract,
        session_type__code=kind.code,
        status__in=[s.value for s in rules.HOLDS_SINGLE_USE],
    ).exists()
