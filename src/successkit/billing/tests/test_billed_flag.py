"""``TrainingSession.billed``: the flag the unbilled lines are read by is set in the
transaction that bills the session, by every way of issuing, never by a refused issue;
``successkit check_billed`` proves it agrees with the statement lines."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.management import call_command

from successkit.billing import services
from successkit.billing.models import StatementLine
from successkit.billing.tests.helpers import billable_session, contract_starting, rate, unpriced
from successkit.engagements.models import TrainingSession
from successkit.pricing.errors import NoRateInForce

pytestmark = pytest.mark.django_db


def billed() -> set[int]:
    return set(TrainingSession.objects.filter(billed=True).values_list("pk", flat=True))


def on_statements() -> set[int]:
    return set(
        StatementLine.objects.filter(session__isnull=False).values_list("session_id", flat=True)
    )


@pytest.fixture
def contract():
    rate("EUR", "150.00", since=date(2026, 1, 1))
    contract = contract_starting(date(2026, 9, 1))
    billable_session(contract, date(2026, 10, 5), 90)
    billable_session(contract, date(2026, 11, 5), 30)
    return contract


def test_issuing_a_statement_marks_the_sessions_it_bills_and_no_other(contract) -> None:
    assert billed() == set()
    services.issue_statement(
        None, contract, period_start=date(2026, 10, 1), period_end=date(2026, 10, 31)
    )
    assert billed() == on_statements() and len(billed()) == 1
    assert [line.delivered_on for line in services.unbilled(contract).lines] == [date(2026, 11, 5)]
    call_command("check_billed")


def test_month_end_marks_the_sessions_it_bills(contract) -> None:
    list(services.issue_statements_for_month(None, "2026-10"))
    assert billed() == on_statements() and len(billed()) == 1
    list(services.issue_statements_for_month(None, "2026-11"))
    assert billed() == on_statements() and len(billed()) == 2
    assert services.unbilled(contract).lines == []
    call_command("check_billed")


def test_a_refused_issue_marks_nothing(contract) -> None:
    billable_session(contract, date(2026, 10, 6), 30)
    unpriced(contract=contract, starts_at__date=date(2026, 10, 6))
    with pytest.raises(NoRateInForce):
        services.issue_statement(
            None, contract, period_start=date(2026, 10, 1), period_end=date(2026, 10, 31)
        )
    assert billed() == set()


def test_check_billed_reports_a_flag_that_disagrees(contract) -> None:
    session = TrainingSession.objects.filter(contract=contract).first()
    TrainingSession.objects.filter(pk=session.pk).update(billed=True)
    with pytest.raises(SystemExit):
        call_command("check_billed")
    assert services.billed_mismatches() == [session.pk]
