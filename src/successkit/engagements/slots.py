"""Free start times for a contract's meetings (SPEC.md §9): the staff who may deliver the
type (the representative first), inside the pool's window for pooled types and the term
for all, every half hour of the buyer's clock. The time arithmetic is ``scheduling.rules``;
what this adds is what only engagements knows: the window and the type's length."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from successkit.accounts.services import active_staff
from successkit.catalog.services import session_type as catalog_session_type
from successkit.contracts.models import Contract
from successkit.core.errors import InvalidFields
from successkit.engagements.services import pool_window
from successkit.scheduling import rules
from successkit.scheduling import services as scheduling
from successkit.scheduling.rules import Slot


def eligible_staff(contract: Contract) -> list[int]:
    """Who may deliver the contract's training: the representative first, then the other
    active staff holding a role the package allows, by name."""
    roles = sorted(contract.package.terms().training_roles)
    ids = list(
        active_staff()
        .filter(staff_roles__role__in=roles)
        .distinct()
        .order_by("name", "id")
        .values_list("pk", flat=True)
    )
    if contract.representative_id in ids:
        ids.remove(contract.representative_id)
        ids.insert(0, contract.representative_id)
    return ids


def _invalid(field: str, message: object) -> InvalidFields:
    return InvalidFields([{"field": field, "message": str(message)}])


def free_slots(
    contract: Contract,
    *,
    type_code: str,
    first: date,
    last: date,
    minutes: int | None = None,
    now: datetime | None = None,
) -> list[Slot]:
    """The start times a buyer could book from ``first`` to ``last`` (days in the buyer's
    time zone), each with the staff member who would deliver it."""
    for field, day in (("from", first), ("to", last)):
        if not rules.EARLIEST_DAY <= day <= rules.LATEST_DAY:
            raise _invalid(field, _("Dates run from 2000-01-01 to 2100-12-31."))
    if last < first:
        raise _invalid("to", _("The end must come after the start."))
    if (last - first).days + 1 > rules.MAX_SLOT_DAYS:
        raise _invalid(
            "to",
            _("Ask for at most %(days)s days at a time.") % {"days": rules.MAX_SLOT_DAYS},
        )
    if not type_code.isprintable() or len(type_code) > 40:  # never reaches the database
        raise _invalid("type", _("Unknown session type %(code)s.") % {"code": "?"})
    kind = catalog_session_type(contract.package.version, type_code)
    length = minutes if minutes is not None else kind.max_minutes
    if length is None:
        raise _invalid("minutes", _("Say how many minutes the meeting lasts."))
    limit = kind.max_minutes or rules.DAY_MINUTES
    if not 1 <= length <= limit:
        raise _invalid(
            "minutes", _("A meeting of this type lasts 1 to %(limit)s minutes.") % {"limit": limit}
        )
    days = pool_window(contract) if kind.draws_on_pool else contract.term
    low, high = max(first, days.start), min(last, days.end)
    if low > high:
        return []
    zone = ZoneInfo(contract.organization.timezone)
    window = rules.day_bounds(low, high, zone)
    now = now or timezone.now()
    not_before = now + timedelta(hours=contract.package.booking_notice_hours)
    staff_ids = eligible_staff(contract)
    availabilities = scheduling.availabilities(staff_ids, contract.organization.timezone)
    busy = scheduling.busy_between(staff_ids, *window)
    span = timedelta(minutes=length)
    return rules.first_available(
        [
            (staff_id, rules.free_time(availabilities[staff_id], busy.get(staff_id, []), window))
            for staff_id in staff_ids
        ],
        window=window,
        length=span,
        zone=zone,
        not_before=not_before,
    )


@dataclass(frozen=True)
class SlotChoice:
    value: str  # "<starts_at ISO>|<staff id>", what the booking page posts back
    starts_at: datetime  # in the buyer's time zone
    staff_id: int


def parse_choice(value: str) -> tuple[datetime, int] | None:
    """A posted slot choice back into its start and staff member (None if malformed)."""
    starts, _sep, staff = value.partition("|")
    try:
        instant = datetime.fromisoformat(starts)
        staff_id = int(staff)
    except ValueError:
        return None
    if instant.tzinfo is None or staff_id < 1:
        return None
    return instant, staff_id


def week_of_slots(
    contract: Contract, *, type_code: str, monday: date, minutes: int | None = None
) -> list[tuple[date, list[SlotChoice]]]:
    """The free slots of the week starting ``monday``, by day in the buyer's time zone,
    for the booking page."""
    zone = ZoneInfo(contract.organization.timezone)
    days: dict[date, list[SlotChoice]] = {}
    for slot in free_slots(
        contract,
        type_code=type_code,
        first=monday,
        last=monday + timedelta(days=6),
        minutes=minutes,
    ):
        local = slot.starts_at.astimezone(zone)
        days.setdefault(local.date(), []).append(
            SlotChoice(f"{local.isoformat()}|{slot.staff_id}", local, slot.staff_id)
        )
    return sorted(days.items())
