"""The bounds of SPEC.md §8 that hold for every input, whatever the field.

- Text: no NUL byte and no lone surrogate (PostgreSQL stores neither; SQLite would, and a
  backup would then not load into PostgreSQL), and within its column's length.
- Numbers: within a 32-bit integer (the integer columns of both databases) and, for
  decimals, at most 12 digits before the point.
- Dates and instants: between 2000-01-01 and 2100-12-31 (any offset).

``refusal_in_body`` applies them to a JSON body before anything parses it into a schema;
``check_row`` (a ``pre_save`` hook on every successkit model) applies text and length to
whatever any door writes, so a value accepted on SQLite is accepted on PostgreSQL and the
other way round.
"""

from __future__ import annotations

import json
import re
from datetime import date, datetime
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from successkit.core.errors import ValidationFailed

FIRST_DAY = date(2000, 1, 1)
LAST_DAY = date(2100, 12, 31)
INTEGER_LIMIT = 2_147_483_647
DECIMAL_LIMIT = 10**12
# The longest meeting any session type may last (each type's cap is catalog data below it).
MEETING_MINUTES_LIMIT = 24 * 60
_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_INSTANT = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?"
)
_SURROGATE = re.compile("[\ud800-\udfff]")


def bad_text(value: str) -> bool:
    return "\x00" in value or bool(_SURROGATE.search(value))


def _invalid(field: str, message: Any) -> ValidationFailed:
    return ValidationFailed(message, details={"field": field}, field=field)


def check_value(field: str, value: Any) -> None:
    """Refuse ``value`` (at ``field``, a dotted path) if it breaks a field-independent bound."""
    if isinstance(value, bool) or value is None:
        return
    if isinstance(value, str):
        if bad_text(value):
            raise _invalid(field, _("%(field)s contains a character that cannot be stored."))
        if _DATE.fullmatch(value) or _INSTANT.fullmatch(value):
            year = int(value[:4])
            if not FIRST_DAY.year <= year <= LAST_DAY.year:
                raise _invalid(field, _("%(field)s must be between 2000-01-01 and 2100-12-31."))
        return
    if isinstance(value, int):
        if abs(value) > INTEGER_LIMIT:
            raise _invalid(field, _("%(field)s is out of range."))
        return
    if isinstance(value, float):
        if value != value or abs(value) >= DECIMAL_LIMIT:
            raise _invalid(field, _("%(field)s is out of range."))
        return
    if isinstance(value, dict):
        for key, item in value.items():
            if bad_text(key):
                raise _invalid(
                    field or "body", _("%(field)s contains a character that cannot be stored.")
                )
            check_value(f"{field}.{key}" if field else str(key), item)
        return
    if isinstance(value, list):
        for index, item in enumerate(value):
            check_value(f"{field}.{index}" if field else str(index), item)


def _no_constants(name: str) -> Any:
    raise ValueError(name)


def refusal_in_body(body: bytes) -> ValidationFailed | None:
    """The first bound a JSON body breaks, or None (also for a body that is not JSON at
    all: the API's parser refuses that itself)."""
    try:
        parsed = json.loads(body, parse_constant=_no_constants)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return None
    try:
        check_value("", parsed)
    except ValidationFailed as refusal:
        return refusal
    return None


def check_row(
    sender: type[models.Model], instance: models.Model, raw: bool = False, **kwargs: Any
) -> None:
    """``pre_save``: every text column of a successkit row is storable and fits."""
    if raw or not sender.__module__.startswith("successkit."):
        return
    for field in sender._meta.concrete_fields:
        if not isinstance(field, models.CharField | models.TextField):
            continue
        value = getattr(instance, field.attname, None)
        if not isinstance(value, str):
            continue
        if bad_text(value):
            raise _invalid(field.name, _("%(field)s contains a character that cannot be stored."))
        if field.max_length is not None and len(value) > field.max_length:
            raise ValidationFailed(
                _("%(field)s is longer than %(max)s characters."),
                details={"field": field.name},
                field=field.name,
                max=field.max_length,
            )


# --- page forms -------------------------------------------------------------------------

# Minutes a page form accepts at most (the session type's cap is checked by the services).
FORM_MINUTES_LIMIT = 10_000


def within_years(value: date | datetime) -> None:
    """A form validator: the day (or instant) lies within 2000-01-01..2100-12-31."""
    from django.core.exceptions import ValidationError

    day = value.date() if isinstance(value, datetime) else value
    if not FIRST_DAY <= day <= LAST_DAY:
        raise ValidationError(_("Choose a day between 2000-01-01 and 2100-12-31."))
