"""Shapes shared by every API router."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from ninja import Schema
from pydantic import ConfigDict, Field, PlainValidator, WithJsonSchema
from pydantic_core import PydanticCustomError

from successkit.core.bounds import FIRST_DAY, INTEGER_LIMIT, LAST_DAY, MEETING_MINUTES_LIMIT
from successkit.core.errors import NotFound, ValidationFailed
from successkit.core.money import currencies
from successkit.core.openapi import REFUSALS_KEY

# --- request bodies: JSON types as they are (SPEC.md §8) ---------------------------------


class InSchema(Schema):
    """A JSON request body. Strict: a number is not a string, ``true`` is not a number and
    ``1`` is not a boolean; dates, instants and amounts are the strings API.md shows
    (``Day``, ``Instant``, ``Money`` below). Query strings use plain ``Schema``."""

    model_config = ConfigDict(strict=True)


_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_INSTANT = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,6})?)?"
    r"(Z|[+-][0-9]{2}:?[0-9]{2})?"
)
_BETWEEN = "between 2000-01-01 and 2100-12-31"


def _day(value: object) -> date:
    if isinstance(value, date) and not isinstance(value, datetime):
        day = value
    else:
        if not isinstance(value, str) or not _DAY.fullmatch(value):
            raise PydanticCustomError("date_type", "Input should be a date as YYYY-MM-DD")
        try:
            day = date.fromisoformat(value)
        except ValueError:
            raise PydanticCustomError("date_from_string", "Input is not a valid date") from None
    if not FIRST_DAY <= day <= LAST_DAY:
        raise PydanticCustomError("date_range", f"Input should be a date {_BETWEEN}")
    return day


def _instant(value: object) -> datetime:
    if isinstance(value, datetime):
        instant = value
    else:
        if not isinstance(value, str) or not _INSTANT.fullmatch(value):
            raise PydanticCustomError(
                "datetime_type", "Input should be an ISO 8601 date and time with its offset"
            )
        try:
            instant = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise PydanticCustomError(
                "datetime_from_string", "Input is not a valid instant"
            ) from None
    if not FIRST_DAY <= instant.date() <= LAST_DAY:
        raise PydanticCustomError("datetime_range", f"Input should be an instant {_BETWEEN}")
    return instant


# A day: "YYYY-MM-DD" (a number is not a date), 2000-01-01..2100-12-31.
Day = Annotated[
    date,
    PlainValidator(_day),
    WithJsonSchema({"type": "string", "format": "date", "description": f"YYYY-MM-DD, {_BETWEEN}"}),
]
# An instant: ISO 8601 with offset (the services refuse one without), within the same years.
Instant = Annotated[
    datetime,
    PlainValidator(_instant),
    WithJsonSchema(
        {
            "type": "string",
            "format": "date-time",
            "description": f"ISO 8601 with offset, {_BETWEEN}",
        }
    ),
]
# Minutes of one meeting: a JSON integer from 1 to a day; each type's own cap (catalog data:
# 60 for kickoff, implementation and software training, 480 for additional training) is
# checked by the services (``duration_exceeds_limit``).
Minutes = Annotated[int, Field(strict=True, ge=1, le=MEETING_MINUTES_LIMIT)]
# A count (rings, quantities): a JSON integer from 1.
Count = Annotated[int, Field(strict=True, ge=1, le=INTEGER_LIMIT)]
Flag = Annotated[bool, Field(strict=True)]


def _text_or_integer(value: object) -> str | int:
    if isinstance(value, str) or (isinstance(value, int) and not isinstance(value, bool)):
        return value
    raise PydanticCustomError("id_type", "Input should be a string or an integer")


# A string or a JSON integer (not true, not 1.5): an opaque id as the API shows it ("12",
# 12 accepted too), a ring size ("9" or 9).
TextOrInteger = Annotated[
    str | int,
    PlainValidator(_text_or_integer),
    WithJsonSchema({"anyOf": [{"type": "string"}, {"type": "integer"}]}),
]
Id = TextOrInteger


def one_of(values: Iterable[str], description: str | None = None) -> WithJsonSchema:
    """Documents a code-valued string as an ``enum`` of ``values`` (the services check
    the value itself, with their own ``validation_error`` naming the field)."""
    schema: dict[str, Any] = {"type": "string", "enum": list(values)}
    if description is not None:
        schema["description"] = description
    return WithJsonSchema(schema)


PersonKind = Annotated[str, one_of(("staff", "contact"))]
CurrencyCode = Annotated[str, one_of(currencies(), "ISO 4217")]
# Currency with an upper-case enum; lower case ("eur") is accepted as well.
Currency = Annotated[str, Field(pattern=r"^[A-Za-z]{3}$"), one_of(currencies(), "ISO 4217")]

HOURLY_RATE_LIMIT = Decimal("100000")


def _money(
    field: str | Promise, pattern: re.Pattern[str], low: Decimal, high: Decimal, zero: bool
) -> Callable[[object], Decimal]:
    def check(value: object) -> Decimal:
        if isinstance(value, Decimal):
            amount = value
        elif isinstance(value, str) and pattern.fullmatch(value):
            try:
                amount = Decimal(value)
            except InvalidOperation:
                raise PydanticCustomError("decimal_parsing", "Input is not a decimal") from None
        else:
            raise PydanticCustomError(
                "decimal_type",
                'Input should be a decimal string with at most 2 decimals, e.g. "150.00"',
            )
        if not amount.is_finite() or not low <= amount < high or (amount == 0 and not zero):
            raise PydanticCustomError("decimal_range", "Input should be {range}", {"range": field})
        return amount

    return check


# An hourly rate: a decimal string, positive, at most 2 decimals, below 100,000 (SPEC §8).
HourlyRateText = Annotated[
    Decimal,
    PlainValidator(
        _money(
            _("a positive amount below 100000.00"),
            re.compile(r"[0-9]{1,5}(\.[0-9]{1,2})?"),
            Decimal("0.01"),
            HOURLY_RATE_LIMIT,
            zero=False,
        )
    ),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": r"^[0-9]{1,5}(\.[0-9]{1,2})?$",
            "description": 'A positive decimal below 100000 with at most 2 decimals, e.g. "150.00"',
        }
    ),
]
# A correction: a non-zero decimal string (negative: a credit), at most 2 decimals and 12
# digits before the point.
AmountText = Annotated[
    Decimal,
    PlainValidator(
        _money(
            _("a non-zero amount with at most 12 digits before the point"),
            re.compile(r"-?[0-9]{1,12}(\.[0-9]{1,2})?"),
            Decimal("-1e12"),
            Decimal("1e12"),
            zero=False,
        )
    ),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": r"^-?[0-9]{1,12}(\.[0-9]{1,2})?$",
            "description": 'Non-zero, at most 2 decimals; negative: a credit ("-50.00")',
        }
    ),
]


# --- answers ----------------------------------------------------------------------------


FORBIDDEN = "403 permission_denied"


def errors(*refusals: str, media: str | None = None, **responses: Any) -> dict[str, Any]:
    """An operation's documented answers, as keyword arguments of its route decorator
    (``@router.post(path, **errors(FORBIDDEN, "409 staff_busy", r201=SessionOut))``): its
    successes (``media``: a success that is a file of that type, not JSON) and the refusals
    the route itself answers, each "status code"; core/openapi.py adds those that follow
    from the operation's shape (401, 404, 400, 413, 415, 422 validation_error)."""
    mapping: dict[int, Any] = {int(status[1:]): schema for status, schema in responses.items()}
    declared: dict[str, list[str]] = {}
    for refusal in refusals:
        status, _space, code = refusal.partition(" ")
        declared.setdefault(status, []).append(code)
    extra: dict[str, Any] = {REFUSALS_KEY: declared}
    if media is not None:
        binary = {"schema": {"type": "string", "format": "binary"}}
        extra["responses"] = {
            str(status): {"description": "OK", "content": {media: binary}} for status in mapping
        }
    return {"response": mapping, "openapi_extra": extra}


def object_id(value: str | int, field: str | None = None) -> int:
    """An opaque id from a path (``field`` None: a malformed id is simply not found) or a
    body field (a malformed id is a ``validation_error`` naming the field)."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = 0
    if number < 1:
        if field is None:
            raise NotFound()
        raise ValidationFailed(
            _("%(field)s is not a valid id."), details={"field": field}, field=field
        )
    return number


class PersonOut(Schema):
    id: str = Field(description="The staff id, or the contact id as created")
    name: str
    kind: PersonKind


def person_out(user: Any) -> PersonOut:
    """Who did something, as histories name them: staff by user id, a buyer contact by
    contact id."""
    contact = None if user.is_staff else getattr(user, "contact", None)
    if contact is not None:
        return PersonOut.model_construct(id=str(contact.pk), name=user.name, kind="contact")
    return PersonOut.model_construct(id=str(user.pk), name=user.name, kind="staff")
