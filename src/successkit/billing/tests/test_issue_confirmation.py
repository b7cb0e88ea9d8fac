"""Issuing a numbered statement asks first, showing what it will freeze."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client

from successkit.accounts.roles import Role
from successkit.billing.models import Statement
from successkit.billing.tests.helpers import billable_session, contract_starting, rate
from successkit.factories import StaffFactory

pytestmark = pytest.mark.django_db


def test_the_confirmation_shows_the_lines_and_issues_nothing_until_confirmed() -> None:
    rate("EUR", "150.00", since=date(2026, 1, 1))
    contract = contract_starting(date(2026, 9, 1), organization__name="Clínica Horizonte")
    billable_session(contract, date(2026, 10, 5), 90)
    client = Client()
    client.force_login(StaffFactory(roles=[Role.FINANCE], language="en"))
    period = {"contract": contract.pk, "period_start": "2026-10-01", "period_end": "2026-10-31"}

    page = client.get("/billing/issue/", period).content.decode()

    assert "Issue a statement for Clínica Horizonte?" in page
    assert "Additional training" in page
    assert "€225.00" in page
    assert Statement.objects.count() == 0
    issued = client.post("/billing/issue/", period)
    assert issued.status_code == 302
    assert Statement.objects.get().contract == contract


def test_only_finance_sees_the_confirmation() -> None:
    contract = contract_starting(date(2026, 9, 1))
    client = Client()
    client.force_login(StaffFactory(roles=[Role.CSM]))
    period = {"contract": contract.pk, "period_start": "2026-10-01", "period_end": "2026-10-31"}
    assert client.get("/billing/issue/", period).status_code == 403
