"""Days formatted by Babel in the active language, one way everywhere a person reads a
day: pages (``core.templatetags.formats``), refusal messages and mail."""

from __future__ import annotations

from datetime import date

from babel.dates import format_date
from django.utils import translation


def babel_locale() -> str:
    return {"es": "es_ES"}.get(translation.get_language() or "en", "en_US")


def format_day(value: date) -> str:
    """``Nov 30, 2026`` in English, ``30 nov 2026`` in Spanish."""
    return format_date(value, "medium", locale=babel_locale())
