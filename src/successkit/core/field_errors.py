"""What is wrong with a field that does not parse, in the caller's language.

Pydantic words its errors in English only; an API caller who reads Spanish gets the
``fields[].message`` of a 422 in Spanish too. Each kind of error pydantic (or one of our
strict types in ``core.schemas``) reports has its sentence here; the details pydantic
gives (a length, a bound, the values allowed) fill it in. A kind not listed reads as a
plain "not valid" rather than in English.
"""

from __future__ import annotations

from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from successkit.core.bounds import FIRST_DAY, LAST_DAY

_NOT_VALID = _("This value is not valid.")

MESSAGES: dict[str, Promise] = {
    "missing": _("This field is required."),
    "extra_forbidden": _("This field is not expected here."),
    "string_type": _("Give a text (a JSON string)."),
    "string_too_short": _("Give at least %(min_length)s characters."),
    "string_too_long": _("Give at most %(max_length)s characters."),
    "string_pattern_mismatch": _("This text does not have the expected form."),
    "int_type": _("Give a whole number."),
    "int_parsing": _("Give a whole number."),
    "int_from_float": _("Give a whole number."),
    "float_type": _("Give a number."),
    "float_parsing": _("Give a number."),
    "bool_type": _("Give true or false."),
    "bool_parsing": _("Give true or false."),
    "list_type": _("Give a list (a JSON array)."),
    "too_short": _("Give at least %(min_length)s items."),
    "too_long": _("Give at most %(max_length)s items."),
    "dict_type": _("Give an object (a JSON object)."),
    "model_type": _("Give an object (a JSON object)."),
    "model_attributes_type": _("Give an object (a JSON object)."),
    "greater_than": _("Give a number greater than %(gt)s."),
    "greater_than_equal": _("Give a number of at least %(ge)s."),
    "less_than": _("Give a number less than %(lt)s."),
    "less_than_equal": _("Give a number of at most %(le)s."),
    "literal_error": _("Give one of: %(expected)s."),
    "enum": _("Give one of: %(expected)s."),
    "json_invalid": _("This is not valid JSON."),
    "uuid_type": _("Give an identifier."),
    "uuid_parsing": _("Give an identifier."),
    # The strict types of core.schemas.
    "date_type": _("Give a date as YYYY-MM-DD."),
    "date_from_string": _("This is not a date of the calendar."),
    "date_range": _("Give a date between %(first)s and %(last)s."),
    "datetime_type": _("Give an ISO 8601 date and time with its offset."),
    "datetime_from_string": _("This is not a valid date and time."),
    "datetime_range": _("Give a date and time between %(first)s and %(last)s."),
    "id_type": _("Give an identifier (a string or an integer)."),
    "decimal_type": _('Give an amount as a decimal string with at most 2 decimals, e.g. "150.00".'),
    "decimal_parsing": _("This is not a decimal amount."),
    "decimal_range": _("Give %(range)s."),
}


def field_message(problem: dict[str, Any]) -> str:
    """The sentence for one of pydantic's ``errors()`` entries."""
    message = MESSAGES.get(str(problem.get("type", "")), _NOT_VALID)
    params = {
        "first": FIRST_DAY.isoformat(),
        "last": LAST_DAY.isoformat(),
        **{name: str(value) for name, value in (problem.get("ctx") or {}).items()},
    }
    try:
        return str(message) % params
    except (KeyError, TypeError, ValueError):
        return str(_NOT_VALID)
