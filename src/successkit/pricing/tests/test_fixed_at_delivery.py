"""The price of delivered minutes has one owner: it is fixed on the session when the
delivery is recorded, and neither the session nor the statement changes it afterwards,
whatever the rate card does (SPEC.md §5)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import transaction
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from successkit.accounts.actors import Actor
from successkit.accounts.roles import Role
from successkit.billing import services as billing
from successkit.billing.tests.helpers import billable_session, contract_starting, rate
from successkit.core.errors import SuccessKitError
from successkit.engagements.models import TrainingSession
from successkit.engagements.services import record_no_show
from successkit.factories import StaffFactory
from successkit.flows.rates import add_rate
from successkit.pricing.errors import RateAlreadyApplied
from successkit.pricing.models import HourlyRate

pytestmark = pytest.mark.django_db

START = date(2026, 9, 1)
rates = st.decimals(min_value=Decimal("1.00"), max_value=Decimal("999.99"), places=2)


def test_a_no_show_fixes_the_rate_in_force_at_delivery_not_the_booking_quote() -> None:
    rate("EUR", "150.00", since=date(2026, 1, 1))
    contract = contract_starting(START)
    booked = billable_session(contract, date(2026, 10, 5), 60, complete=False)
    assert booked.billable_amount == Decimal("150.00")  # the booking's estimate
    rate("EUR", "180.00", since=date(2026, 10, 1))  # nothing delivered yet: accepted
    done = record_no_show(Actor.of(contract.representative), booked)
    assert (done.hourly_rate, done.billable_amount) == (Decimal("180.00"), Decimal("180.00"))


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    deliveries=st.lists(
        st.tuples(st.integers(0, 60), st.integers(1, 90), st.booleans()), min_size=1, max_size=4
    ),
    changes=st.lists(
        st.tuples(st.integers(-40, 120), rates, st.booleans()), min_size=1, max_size=5
    ),
)
def test_an_amount_never_changes_after_delivery_whatever_the_rate_card_does(
    deliveries: list[tuple[int, int, bool]], changes: list[tuple[int, Decimal, bool]]
) -> None:
    with transaction.atomic():
        rate("EUR", "150.00", since=date(2026, 1, 1))
        contract = contract_starting(START)
        finance = Actor.of(StaffFactory(roles=[Role.FINANCE]))
        fixed = {}
        for index, (offset, minutes, no_show) in enumerate(deliveries):
            # Two hours apart: one representative is never in two meetings at once.
            session = billable_session(
                contract,
                START + timedelta(days=offset),
                minutes,
                hour=8 + 2 * index,
                no_show=no_show,
            )
            fixed[session.pk] = (session.hourly_rate, session.billable_amount)
        last = max(START + timedelta(days=offset) for offset, _m, _n in deliveries)
        for offset, hourly, behind_the_rules in changes:
            effective_from = START + timedelta(days=offset)
            if behind_the_rules:
                # Written straight into the table, as no door allows: still nothing moves.
                HourlyRate.objects.get_or_create(
                    currency="EUR", effective_from=effective_from, defaults={"hourly_rate": hourly}
                )
                event("rate written behind the rules")
                continue
            try:
                add_rate(finance, currency="EUR", hourly_rate=hourly, effective_from=effective_from)
            except RateAlreadyApplied:
                assert effective_from <= last
                event("rate refused: it would reprice a delivered day")
            except SuccessKitError:
                event("rate refused: same day as another rate")
            else:
                assert effective_from > last
                event("rate added after the last delivery")
        stored = {
            pk: (hourly_rate, amount)
            for pk, hourly_rate, amount in TrainingSession.objects.filter(
                contract=contract
            ).values_list("pk", "hourly_rate", "billable_amount")
        }
        assert stored == fixed
        billed = {
            line.session.pk: (line.hourly_rate, line.amount)
            for line in billing.contract_billing(contract).lines
        }
        assert billed == fixed
        transaction.set_rollback(True)
