"""``successkit issue_statements`` and ``successkit unbilled``."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.management import CommandError, call_command

from successkit.accounts.roles import Role
from successkit.billing.models import Statement
from successkit.billing.tests.helpers import billable_session, contract_starting, rate, unpriced
from successkit.factories import StaffFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def contracts():
    rate("EUR", "150.00", since=date(2026, 1, 1))
    rate("USD", "100.00", since=date(2026, 1, 1))
    first = contract_starting(date(2026, 9, 1), organization__name="A Clinic")
    second = contract_starting(date(2026, 9, 1), organization__name="B Logistics", currency="USD")
    billable_session(first, date(2026, 10, 5), 90)
    billable_session(first, date(2026, 11, 5), 30)
    billable_session(second, date(2026, 10, 7), 7)
    return first, second


def test_unbilled_lists_lines_by_contract_with_totals(contracts, capsys) -> None:
    first, second = contracts
    call_command("unbilled", "--period", "2026-10")
    out = capsys.readouterr().out
    sessions = {
        c.pk: list(c.sessions.order_by("starts_at").values_list("pk", flat=True)) for c in contracts
    }
    assert out == (
        f"contract {first.pk}  A Clinic  EUR  1 line  225.00\n"
        f"  2026-10-05  session {sessions[first.pk][0]}  90 min  150.00/h  225.00\n"
        f"contract {second.pk}  B Logistics  USD  1 line  11.67\n"
        f"  2026-10-07  session {sessions[second.pk][0]}  7 min  100.00/h  11.67\n"
        "total EUR 225.00\n"
        "total USD 11.67\n"
    )


def test_issue_statements_bills_a_month_and_prints_numbers_and_totals(contracts, capsys) -> None:
    first, second = contracts
    finance = StaffFactory(roles=[Role.FINANCE])
    call_command("issue_statements", "--period", "2026-10", "--by", finance.email)
    out = capsys.readouterr().out
    assert out == (
        f"ST-000001  contract {first.pk} A Clinic  EUR 225.00  (1 line)\n"
        f"ST-000002  contract {second.pk} B Logistics  USD 11.67  (1 line)\n"
        "2 statements issued, 0 refused.\n"
    )
    assert set(Statement.objects.values_list("issued_by", flat=True)) == {finance.pk}
    call_command("issue_statements", "--period", "2026-10")
    assert capsys.readouterr().out == "Nothing to bill in 2026-10.\n"
    call_command("unbilled")
    assert "2026-11-05" in capsys.readouterr().out


def test_issue_statements_reports_refusals_and_bills_the_others(contracts, capsys) -> None:
    first, second = contracts
    unpriced(contract=second)
    with pytest.raises(CommandError, match="1 contracts could not be billed"):
        call_command("issue_statements", "--period", "2026-10")
    captured = capsys.readouterr()
    assert f"ST-000001  contract {first.pk} A Clinic  EUR 225.00" in captured.out
    assert (
        f"refused  contract {second.pk} B Logistics  no_rate_in_force: "
        "No hourly rate in USD is in force on Oct 7, 2026." in captured.err
    )
    assert list(Statement.objects.values_list("contract", flat=True)) == [first.pk]


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--period", "2026-13"], "validation_error"),
        (["--period", "2026-10", "--by", "nobody@example.test"], "validation_error"),
    ],
)
def test_issue_statements_refuses_bad_arguments(contracts, arguments, message) -> None:
    with pytest.raises(CommandError, match=message):
        call_command("issue_statements", *arguments)
    assert Statement.objects.count() == 0


def test_issue_statements_by_someone_without_a_finance_role_is_refused(contracts) -> None:
    csm = StaffFactory(roles=[Role.CSM])
    with pytest.raises(CommandError, match="permission_denied"):
        call_command("issue_statements", "--period", "2026-10", "--by", csm.email)
    assert Statement.objects.count() == 0
