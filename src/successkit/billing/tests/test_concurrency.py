"""Statements issued at the same moment: threads, each with its own database connection,
released together by a barrier, against the real transactions (SQLite and PostgreSQL).
Whatever the interleaving, every billable minute is billed exactly once and the numbers
have no gaps."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest

from successkit.accounts.roles import Role
from successkit.billing.models import Statement, StatementLine
from successkit.billing.tests.helpers import billable_session, contract_starting, rate
from successkit.conftest import ApiClient, race
from successkit.factories import StaffFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.needs_row_locks]

ROUNDS = 3
OCTOBER = {"period_start": "2026-10-01", "period_end": "2026-10-31"}


def issuing(api: ApiClient, contract, period: dict) -> Callable[[], tuple[int, str]]:
    def call() -> tuple[int, str]:
        response = api.post(f"contracts/{contract.pk}/statements", period)
        body = response.json()
        return response.status_code, body.get("number") or body["error"]["code"]

    return call


def assert_billed_once(sessions) -> None:
    billed = list(StatementLine.objects.values_list("session_id", flat=True))
    assert sorted(billed) == sorted(session.pk for session in sessions)
    numbers = sorted(Statement.objects.values_list("number", flat=True))
    assert numbers == list(range(1, len(numbers) + 1))


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_parallel_issues_of_one_period_bill_each_minute_once(round_: int) -> None:
    rate("EUR", "150.00", since=date(2026, 1, 1))
    contract = contract_starting(date(2026, 9, 1))
    sessions = [billable_session(contract, date(2026, 10, day), 60) for day in (5, 12, 19)]
    api = ApiClient(StaffFactory(roles=[Role.FINANCE]))

    results = race([issuing(api, contract, OCTOBER) for _ in range(4)])

    assert sorted(results) == [(201, "ST-000001")] + [(409, "nothing_to_bill")] * 3
    assert_billed_once(sessions)
    assert Statement.objects.get().total == 450


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_parallel_overlapping_periods_bill_each_minute_once(round_: int) -> None:
    rate("EUR", "150.00", since=date(2026, 1, 1))
    contract = contract_starting(date(2026, 9, 1))
    sessions = [
        billable_session(contract, day, 30)
        for day in (date(2026, 10, 5), date(2026, 10, 20), date(2026, 11, 4))
    ]
    api = ApiClient(StaffFactory(roles=[Role.FINANCE]))
    periods = [
        OCTOBER,
        {"period_start": "2026-10-15", "period_end": "2026-11-15"},
        {"period_start": "2026-09-01", "period_end": "2026-12-31"},
    ]

    results = race([issuing(api, contract, period) for period in periods])

    issued = sorted(number for status, number in results if status == 201)
    refused = [code for status, code in results if status != 201]
    assert issued == [f"ST-00000{n}" for n in range(1, len(issued) + 1)]
    assert set(refused) <= {"nothing_to_bill"}
    assert_billed_once(sessions)
    totals = sum(statement.total for statement in Statement.objects.all())
    assert totals == 225  # 3 sessions of 30 minutes at 150.00, each billed once


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_parallel_issues_for_different_contracts_take_consecutive_numbers(round_: int) -> None:
    rate("EUR", "150.00", since=date(2026, 1, 1))
    contracts = [contract_starting(date(2026, 9, 1)) for _ in range(4)]
    sessions = [billable_session(contract, date(2026, 10, 5), 60) for contract in contracts]
    api = ApiClient(StaffFactory(roles=[Role.FINANCE]))

    results = race([issuing(api, contract, OCTOBER) for contract in contracts])

    assert sorted(results) == [(201, f"ST-00000{n}") for n in range(1, 5)]
    assert_billed_once(sessions)
