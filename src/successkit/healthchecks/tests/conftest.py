from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.utils import timezone

from successkit.contracts.models import Contract
from successkit.healthchecks.tests.factories import contract_with_checks


class Clock:
    """Sets what ``django.utils.timezone.now()`` answers, so "today" in each
    organization's time zone is known in a test."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.monkeypatch = monkeypatch

    def set(self, instant: datetime) -> None:
        self.monkeypatch.setattr(timezone, "now", lambda: instant)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    fixed = Clock(monkeypatch)
    fixed.set(datetime(2026, 2, 1, 10, 0, tzinfo=UTC))
    return fixed


@pytest.fixture
def spanish(clock: Clock) -> Contract:
    """A Pro Lite of a Spanish-speaking organization in Madrid, from 15 January 2026."""
    return contract_with_checks(organization__language="es", organization__name="Clínica Sol")


@pytest.fixture
def english(clock: Clock) -> Contract:
    """A Pro Lite of an English-speaking organization in New York, from 15 January 2026."""
    return contract_with_checks(
        organization__language="en",
        organization__name="Northwind",
        organization__timezone="America/New_York",
    )
