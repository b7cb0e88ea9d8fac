"""Dates and times formatted by Babel for the page's language, one way on every page:
``{{ day|day }}`` (``Nov 30, 2026`` / ``30 nov 2026``) and ``{{ instant|when }}``
(``Nov 30, 2026, 9:00 AM CET``), instants in the page's time zone with its label."""

from __future__ import annotations

from datetime import date, datetime

from babel.dates import format_date, format_time
from django import template
from django.utils import timezone

from successkit.core.formats import babel_locale, format_day

register = template.Library()


_locale = babel_locale


@register.filter
def day(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = timezone.localtime(value).date()
    return format_day(value)


@register.filter
def when(value: datetime | None) -> str:
    if value is None:
        return ""
    local = timezone.localtime(value)
    shown_day = format_date(local.date(), "medium", locale=_locale())
    shown_time = format_time(local.time(), "short", locale=_locale())
    zone = local.tzname() or ""
    if not zone[:1].isalpha():  # a zone with no abbreviation of its own: "-05" (Bogotá)
        offset = local.strftime("%z")
        zone = f"UTC{offset[:3]}:{offset[3:]}"
    return f"{shown_day}, {shown_time} {zone}"


@register.filter
def weekday(value: date | None) -> str:
    """A day with its weekday, for a calendar's column (``Monday, Nov 30`` / ``lunes, 30 nov``)."""
    if value is None:
        return ""
    return format_date(value, "EEEE, d MMM", locale=_locale())


@register.filter
def clock(value: datetime | None) -> str:
    """The time of day alone, in the page's time zone (``9:00 AM`` / ``9:00``)."""
    if value is None:
        return ""
    return format_time(timezone.localtime(value).time(), "short", locale=_locale())
