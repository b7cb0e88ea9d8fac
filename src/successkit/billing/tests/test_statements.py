"""Statements: billable lines at then-current rates, each minute billed exactly once."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from successkit.accounts.actors import Actor
from successkit.accounts.roles import Role
from successkit.billing import services
from successkit.billing.errors import NothingToBill
from successkit.billing.models import (
    Adjustment,
    HourlyRate,
    Statement,
    StatementLine,
)
from successkit.billing.tests.helpers import (
    billable_session,
    billing_state,
    contract_starting,
    finance,
    rate,
    unpriced,
)
from successkit.core.errors import PermissionDenied, ValidationFailed
from successkit.core.records import AppendOnlyError
from successkit.engagements.services import cancel_session
from successkit.factories import StaffFactory
from successkit.pricing.errors import NoRateInForce

pytestmark = pytest.mark.django_db

OCTOBER = {"period_start": date(2026, 10, 1), "period_end": date(2026, 10, 31)}


@pytest.fixture
def contract():
    rate("EUR", "150.00", since=date(2026, 1, 1))
    return contract_starting(date(2026, 9, 1))


def issue(contract, actor: Actor | None = None, **period) -> Statement:
    return services.issue_statement(actor or finance(), contract, **(period or OCTOBER))


def lines_of(statement: Statement) -> list[tuple]:
    fields = ("position", "kind", "session_id", "delivered_on", "minutes", "hourly_rate", "amount")
    return [
        tuple(getattr(line, name) for name in fields)
        for line in services.statement_lines(statement)
    ]


def test_completed_and_no_show_sessions_are_billed_booked_and_cancelled_never(contract) -> None:
    completed = billable_session(contract, date(2026, 10, 5), 90)
    no_show = billable_session(contract, date(2026, 10, 6), 30, no_show=True)
    billable_session(contract, date(2026, 10, 7), 60, complete=False)  # still booked
    cancelled = billable_session(contract, date(2026, 10, 8), 60, complete=False)
    cancel_session(Actor.of(contract.representative), cancelled, by="vendor")

    statement = issue(contract)

    assert statement.code == "ST-000001"
    assert lines_of(statement) == [
        (1, "session", completed.pk, date(2026, 10, 5), 90, Decimal("150.00"), Decimal("225.00")),
        (2, "session", no_show.pk, date(2026, 10, 6), 30, Decimal("150.00"), Decimal("75.00")),
    ]
    assert statement.total == Decimal("300.00")
    assert (statement.currency, statement.billed_to) == ("EUR", contract.organization.name)
    assert (statement.period_start, statement.period_end) == (date(2026, 10, 1), date(2026, 10, 31))


def test_a_rate_change_mid_period_prices_each_line_at_its_days_rate(contract) -> None:
    rate("EUR", "165.00", since=date(2026, 10, 15))
    before = billable_session(contract, date(2026, 10, 14), 90)
    after = billable_session(contract, date(2026, 10, 15), 90)

    statement = issue(contract)

    assert [(line[2], line[5], line[6]) for line in lines_of(statement)] == [
        (before.pk, Decimal("150.00"), Decimal("225.00")),
        (after.pk, Decimal("165.00"), Decimal("247.50")),
    ]
    assert statement.total == Decimal("472.50")


def test_each_line_is_rounded_half_up_to_the_cent_and_the_total_is_their_sum() -> None:
    rate("EUR", "99.99", since=date(2026, 1, 1))
    contract = contract_starting(date(2026, 9, 1))
    for day in (3, 4, 5):
        billable_session(contract, date(2026, 10, day), 7)  # 11.6655 each

    statement = issue(contract)

    assert [line[6] for line in lines_of(statement)] == [Decimal("11.67")] * 3
    assert statement.total == Decimal("35.01")


def test_the_delivery_day_is_the_buyers_calendar_day(contract) -> None:
    # Europe/Madrid: 31 October 23:30 is still October; 1 November 00:30 is 31 October
    # 23:30 in UTC but November for the buyer.
    last = billable_session(contract, date(2026, 10, 31), 30, hour=23, minute=30)
    next_month = billable_session(contract, date(2026, 11, 1), 30, hour=0, minute=30)

    october = issue(contract)
    november = issue(contract, period_start=date(2026, 11, 1), period_end=date(2026, 11, 30))

    assert [line[2:4] for line in lines_of(october)] == [(last.pk, date(2026, 10, 31))]
    assert [line[2:4] for line in lines_of(november)] == [(next_month.pk, date(2026, 11, 1))]


def test_a_statement_bills_the_price_fixed_at_delivery_whatever_the_rate_card_says_later(
    contract,
) -> None:
    first = billable_session(contract, date(2026, 10, 5), 60)  # 150.00/h in force: 150.00
    # Someone removes that rate from the database and enters another: billing is unmoved.
    HourlyRate.objects.filter(currency="EUR").delete()
    rate("EUR", "300.00", since=date(2026, 1, 1))
    statement = issue(contract)
    assert [line[4:] for line in lines_of(statement)] == [
        (60, Decimal("150.00"), Decimal("150.00"))
    ]
    first.refresh_from_db()
    assert (first.hourly_rate, first.billable_amount) == (Decimal("150.00"), Decimal("150.00"))


def test_a_line_without_a_price_refuses_the_whole_statement_and_writes_nothing(contract) -> None:
    billable_session(contract, date(2026, 10, 5), 60)
    orphan = billable_session(contract, date(2026, 10, 20), 60)
    unpriced(contract=contract)
    before = billing_state()

    with pytest.raises(NoRateInForce) as refused:
        issue(contract)

    assert refused.value.details == {"currency": "EUR", "day": "2026-10-05"}
    assert billing_state() == before
    billing = services.unbilled(contract)
    priced = [(line.session.pk, line.hourly_rate, line.amount) for line in billing.lines]
    assert priced[1] == (orphan.pk, None, None)
    assert priced[0][1:] == (None, None)
    assert len(billing.unpriced) == 2  # reported as unpriced, never as zero


def test_nothing_to_bill_is_refused_and_writes_nothing(contract) -> None:
    billable_session(contract, date(2026, 11, 5), 60)  # outside the period
    before = billing_state()
    with pytest.raises(NothingToBill) as refused:
        issue(contract)
    assert refused.value.code == "nothing_to_bill"
    assert billing_state() == before


def test_issuing_twice_for_the_same_period_bills_nothing_twice(contract) -> None:
    first = billable_session(contract, date(2026, 10, 5), 60)
    statement = issue(contract)
    with pytest.raises(NothingToBill):
        issue(contract)
    # A session recorded later for the same month is billed by a second statement, alone.
    late = billable_session(contract, date(2026, 10, 25), 30)
    second = issue(contract)
    assert [line[2] for line in lines_of(statement)] == [first.pk]
    assert [line[2] for line in lines_of(second)] == [late.pk]
    assert second.code == "ST-000002"


def test_overlapping_periods_bill_each_session_once(contract) -> None:
    early = billable_session(contract, date(2026, 10, 5), 60)
    middle = billable_session(contract, date(2026, 10, 20), 60)
    late = billable_session(contract, date(2026, 11, 3), 60)
    first = issue(contract, period_start=date(2026, 10, 1), period_end=date(2026, 10, 20))
    second = issue(contract, period_start=date(2026, 10, 15), period_end=date(2026, 11, 15))
    assert [line[2] for line in lines_of(first)] == [early.pk, middle.pk]
    assert [line[2] for line in lines_of(second)] == [late.pk]


def test_the_database_refuses_a_second_line_for_a_billed_session(contract) -> None:
    session = billable_session(contract, date(2026, 10, 5), 60)
    statement = issue(contract)
    with pytest.raises(IntegrityError), transaction.atomic():
        StatementLine.objects.create(
            statement=statement,
            position=2,
            kind="session",
            session=session,
            delivered_on=date(2026, 10, 5),
            minutes=60,
            hourly_rate=Decimal("150.00"),
            amount=Decimal("150.00"),
        )


def test_numbers_have_no_gaps_even_after_refused_issues(contract) -> None:
    other = contract_starting(date(2026, 9, 1), currency="USD")  # no USD rate at all
    billable_session(contract, date(2026, 10, 5), 60)
    assert issue(contract).code == "ST-000001"
    with pytest.raises(NothingToBill):
        issue(contract)
    rate("USD", "165.00", since=date(2026, 1, 1))
    billable_session(other, date(2026, 10, 5), 60)
    unpriced(contract=other)
    with pytest.raises(NoRateInForce):
        issue(other)
    billable_session(contract, date(2026, 10, 6), 60)
    assert issue(contract).code == "ST-000002"
    assert list(Statement.objects.order_by("number").values_list("number", flat=True)) == [1, 2]


def test_a_statement_and_its_lines_never_change(contract) -> None:
    billable_session(contract, date(2026, 10, 5), 60)
    statement = issue(contract)
    line = statement.lines.get()
    statement.total = Decimal("1.00")
    with pytest.raises(AppendOnlyError):
        statement.save()
    line.amount = Decimal("1.00")
    with pytest.raises(AppendOnlyError):
        line.save()
    with pytest.raises(AppendOnlyError):
        statement.delete()
    with pytest.raises(AppendOnlyError):
        line.delete()
    statement.refresh_from_db()
    assert statement.total == Decimal("150.00")
    assert statement.lines.get().amount == Decimal("150.00")


def test_a_correction_is_a_line_of_the_next_statement_never_an_edit(contract) -> None:
    session = billable_session(contract, date(2026, 10, 5), 60)
    october = issue(contract)
    line = october.lines.get()
    credit = services.record_adjustment(
        finance(),
        october,
        amount="-50.00",
        reason="  Session ended 20 minutes early ",
        line_id=line.pk,
    )
    assert credit.amount == Decimal("-50.00")
    assert (credit.reason, credit.corrects_line) == ("Session ended 20 minutes early", line)
    november_session = billable_session(contract, date(2026, 11, 10), 30)

    november = issue(contract, period_start=date(2026, 11, 1), period_end=date(2026, 11, 30))

    session_line, credit_line = lines_of(november)
    assert session_line == (
        1,
        "session",
        november_session.pk,
        date(2026, 11, 10),
        30,
        Decimal("150.00"),
        Decimal("75.00"),
    )
    assert credit_line == (2, "adjustment", None, None, None, None, Decimal("-50.00"))
    assert november.total == Decimal("25.00")
    assert services.adjustment_statement(credit) == november
    october.refresh_from_db()
    assert october.total == Decimal("150.00")
    assert lines_of(october)[0][2] == session.pk
    # Billed once: a later statement does not carry it again.
    services.record_adjustment(finance(), october, amount="10.00", reason="Materials")
    december = issue(contract, period_start=date(2026, 12, 1), period_end=date(2026, 12, 31))
    assert [(line.kind, line.amount) for line in december.lines.all()] == [
        ("adjustment", Decimal("10.00"))
    ]


def test_a_credit_alone_makes_a_statement_with_a_negative_total(contract) -> None:
    billable_session(contract, date(2026, 10, 5), 60)
    october = issue(contract)
    services.record_adjustment(finance(), october, amount="-150.00", reason="Goodwill")
    credit_note = issue(contract, period_start=date(2026, 11, 1), period_end=date(2026, 11, 30))
    assert credit_note.total == Decimal("-150.00")


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"amount": "0"}, "amount"),
        ({"amount": "1.234"}, "amount"),
        ({"amount": "abc"}, "amount"),
        ({"amount": "NaN"}, "amount"),
        ({"amount": "1e20"}, "amount"),
        ({"reason": "   "}, "reason"),
        ({"reason": "x" * 501}, "reason"),
        ({"line_id": 999999}, "line_id"),
    ],
)
def test_malformed_corrections_are_refused(contract, fields: dict, field: str) -> None:
    billable_session(contract, date(2026, 10, 5), 60)
    statement = issue(contract)
    before = billing_state()
    with pytest.raises(ValidationFailed) as refused:
        services.record_adjustment(
            finance(), statement, **{"amount": "-1.00", "reason": "Refund", **fields}
        )
    assert refused.value.details["field"] == field
    assert billing_state() == before


def test_a_correction_names_a_line_of_the_statement_it_corrects(contract) -> None:
    billable_session(contract, date(2026, 10, 5), 60)
    billable_session(contract, date(2026, 11, 5), 60)
    october = issue(contract)
    november = issue(contract, period_start=date(2026, 11, 1), period_end=date(2026, 11, 30))
    with pytest.raises(ValidationFailed):
        services.record_adjustment(
            finance(), october, amount="-1.00", reason="x", line_id=november.lines.get().pk
        )


@pytest.mark.parametrize("role", [Role.CSM, Role.ACCOUNT_MANAGER, Role.SUPPORT])
def test_only_finance_and_admins_issue_and_correct(contract, role: str) -> None:
    billable_session(contract, date(2026, 10, 5), 60)
    outsider = Actor.of(StaffFactory(roles=[role]))
    with pytest.raises(PermissionDenied):
        issue(contract, outsider)
    statement = issue(contract, Actor.of(StaffFactory(roles=[Role.ADMIN])))
    with pytest.raises(PermissionDenied):
        services.record_adjustment(outsider, statement, amount="-1.00", reason="x")
    assert Adjustment.objects.count() == 0
    contact = Actor.of(contract.buyer_contact.user)
    with pytest.raises(PermissionDenied):
        issue(contract, contact, period_start=date(2026, 11, 1), period_end=date(2026, 11, 30))


def test_a_period_ending_before_it_starts_is_refused(contract) -> None:
    with pytest.raises(ValidationFailed) as refused:
        issue(contract, period_start=date(2026, 10, 31), period_end=date(2026, 10, 1))
    assert refused.value.details == {"field": "period_end"}


def test_contract_billing_lists_billed_and_unbilled_lines_with_totals(contract) -> None:
    billed = billable_session(contract, date(2026, 10, 5), 90)
    statement = issue(contract)
    open_line = billable_session(contract, date(2026, 11, 2), 45)

    billing = services.contract_billing(contract)

    assert [(line.session.pk, line.amount, line.statement) for line in billing.lines] == [
        (billed.pk, Decimal("225.00"), statement),
        (open_line.pk, Decimal("112.50"), None),
    ]
    assert billing.billed_total == Decimal("225.00")
    assert billing.unbilled_total == Decimal("112.50")
    assert billing.total == Decimal("337.50")


def test_the_cli_issues_a_month_for_every_contract_with_something_to_bill(contract) -> None:
    rate("USD", "165.00", since=date(2026, 1, 1))
    other = contract_starting(date(2026, 9, 1), currency="USD")
    quiet = contract_starting(date(2026, 9, 1))
    billable_session(contract, date(2026, 10, 5), 60)
    billable_session(other, date(2026, 10, 31), 30, hour=23)
    billable_session(quiet, date(2026, 11, 1), 30, hour=0, minute=30)  # November in Madrid

    issued = list(services.issue_statements_for_month(None, "2026-10"))

    assert [(c.pk, s.code, s.total) for c, s in issued] == [  # type: ignore[union-attr]
        (c.pk, f"ST-00000{n}", total)
        for n, (c, total) in enumerate(
            sorted(
                [(contract, Decimal("150.00")), (other, Decimal("82.50"))],
                key=lambda item: (item[0].organization.name, item[0].pk),
            ),
            start=1,
        )
    ]
    assert all(s.issued_by is None for _c, s in issued)  # type: ignore[union-attr]
    assert not Statement.objects.filter(contract=quiet).exists()


def test_the_back_office_shows_statements_read_only(contract) -> None:
    from django.test import Client

    billable_session(contract, date(2026, 10, 5), 60)
    statement = issue(contract)
    client = Client()
    client.force_login(StaffFactory(roles=[Role.ADMIN]))
    page = client.get(f"/admin/billing/statement/{statement.pk}/change/")
    assert page.status_code == 200
    assert b"ST-000001" in page.content
    assert b'name="_save"' not in page.content
    assert client.get("/admin/billing/statement/add/").status_code == 403
    deleted = client.post(f"/admin/billing/statement/{statement.pk}/delete/", {"post": "yes"})
    assert deleted.status_code == 403
    assert Statement.objects.filter(pk=statement.pk).exists()


def test_the_demo_can_be_billed_without_a_refusal() -> None:
    from successkit.demo import build_demo

    build_demo(date(2026, 11, 25))
    contracts = list(services.contracts_with_unbilled())
    assert contracts, "the demo has billable minutes delivered"
    for contract in contracts:
        days = [line.delivered_on for line in services.unbilled(contract).lines]
        statement = services.issue_statement(
            None, contract, period_start=min(days), period_end=max(days)
        )
        assert statement.total > 0
    assert list(services.contracts_with_unbilled()) == []
