"""Days, moments and money formatted by Babel in the reader's language, one way
everywhere a person reads them: pages (``core.templatetags.formats``, ``billing_money``),
refusal messages, mail and documents. Django's own locale formats would disagree."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time
from babel.numbers import format_currency
from django.utils import translation

_LOCALES = {"en": "en_US", "es": "es_ES"}
_MONEY_LOCALES = {"en": "en", "es": "es_ES"}


def babel_locale(language: str | None = None) -> str:
    """The Babel locale of ``language`` (the active language when None)."""
    return _LOCALES.get(language or translation.get_language() or "en", "en_US")


def format_day(value: date, language: str | None = None, *, width: str = "medium") -> str:
    """``Nov 30, 2026`` in English, ``30 nov 2026`` in Spanish; ``width="long"`` for
    documents: ``November 30, 2026``, ``30 de noviembre de 2026``."""
    return format_date(value, width, locale=babel_locale(language))


def format_moment(moment: datetime, zone: str) -> str:
    """A moment as read in ``zone``, the zone and offset named (for mail, which has no page
    time zone): ``Nov 30, 2026, 9:00 AM (Europe/Madrid, UTC+01:00)``."""
    local = moment.astimezone(ZoneInfo(zone))
    shown_time = format_time(local.time(), "short", locale=babel_locale())
    offset = local.strftime("%z")
    return f"{format_day(local.date())}, {shown_time} ({zone}, UTC{offset[:3]}:{offset[3:]})"


def format_money(amount: Decimal, currency: str, language: str | None = None) -> str:
    """``€150.00`` in English, ``150,00 €`` in Spanish."""
    locale = _MONEY_LOCALES.get(language or translation.get_language() or "en", "en")
    return format_currency(amount, currency, locale=locale)
