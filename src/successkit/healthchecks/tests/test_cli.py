from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.core.management import call_command

from successkit.healthchecks.tests.factories import completed_check

pytestmark = pytest.mark.django_db


def test_the_cli_report_prints_the_tables(spanish, english, clock, capsys) -> None:
    completed_check(spanish)
    clock.set(datetime(2026, 4, 20, 10, 0, tzinfo=UTC))
    call_command("healthcheck_report")
    out = capsys.readouterr().out
    lines = [line.split() for line in out.splitlines()]
    header = ["owed", "delivered", "on", "time", "late", "scheduled", "unscheduled", "missed"]
    assert ["package", *header] in lines
    assert ["pro_lite", "8", "1", "1", "0", "0", "6", "1"] in lines
    assert lines.count(["total", "8", "1", "1", "0", "0", "6", "1"]) == 2
    english_check = english.health_checks.get(period_index=1)
    assert [
        str(english_check.pk),
        "Northwind",
        "pro_lite",
        "2",
        "2026-04-15",
        "to",
        "2026-07-14",
        *english.representative.name.split(),
    ] in lines
