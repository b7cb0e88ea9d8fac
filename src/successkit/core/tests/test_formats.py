"""Dates and times on every page go through the Babel filters of core/templatetags/formats
(one format per locale); Django's own locale formats would disagree with them."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from django.utils import timezone, translation

from successkit.core.templatetags.formats import clock, day, weekday, when

ROOT = Path(__file__).resolve().parents[2]


def test_no_template_uses_djangos_locale_date_formats() -> None:
    offenders = [
        f"{path.relative_to(ROOT)}: {match.group(0)}"
        for path in ROOT.glob("*/templates/**/*.html")
        for match in re.finditer(
            r"\|(date|time):[\"'](SHORT_)?(DATE|DATETIME|TIME)_FORMAT", path.read_text()
        )
    ]
    assert offenders == []


def test_no_python_module_uses_djangos_locale_formats() -> None:
    """Mail, documents and refusals format through core.formats too."""
    offenders = [
        f"{path.relative_to(ROOT)}: {match.group(0)}"
        for path in ROOT.glob("**/*.py")
        if "tests" not in path.parts
        for match in re.finditer(
            r"formats\.(date_format|time_format|number_format)", path.read_text()
        )
    ]
    assert offenders == []


def test_mail_and_documents_read_moments_and_money_in_the_readers_language() -> None:
    from decimal import Decimal

    from successkit.core.formats import format_moment, format_money

    instant = datetime(2026, 7, 1, 7, 30, tzinfo=UTC)
    with translation.override("en"):
        assert format_moment(instant, "Europe/Madrid") == (
            "Jul 1, 2026, 9:30\u202fAM (Europe/Madrid, UTC+02:00)"
        )
        assert format_money(Decimal("1234.5"), "EUR") == "€1,234.50"
    with translation.override("es"):
        assert format_moment(instant, "America/New_York") == (
            "1 jul 2026, 3:30 (America/New_York, UTC-04:00)"
        )
        assert format_money(Decimal("1234.5"), "EUR") == "1.234,50\u00a0€"


def test_the_filters_follow_the_pages_language_and_time_zone() -> None:
    instant = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
    with timezone.override(ZoneInfo("Europe/Madrid")):
        with translation.override("en"):
            assert day(date(2026, 11, 30)) == "Nov 30, 2026"
            assert weekday(date(2026, 11, 30)) == "Monday, 30 Nov"
            assert clock(instant) == "9:00\u202fAM"
            assert when(instant) == "Nov 30, 2026, 9:00\u202fAM CET"
        with translation.override("es"):
            assert day(date(2026, 11, 30)) == "30 nov 2026"
            assert weekday(date(2026, 11, 30)) == "lunes, 30 nov"
            assert clock(instant) == "9:00"


def test_a_zone_without_an_abbreviation_is_named_by_its_offset() -> None:
    """Bogotá's zone has no abbreviation (its name is "-05"): the page says UTC-05:00."""
    instant = datetime(2026, 11, 30, 14, 0, tzinfo=UTC)
    with timezone.override(ZoneInfo("America/Bogota")), translation.override("es"):
        assert when(instant) == "30 nov 2026, 9:00 UTC-05:00"
    with timezone.override(ZoneInfo("Asia/Kolkata")), translation.override("en"):
        assert when(instant) == "Nov 30, 2026, 7:30\u202fPM IST"
