"""Pages: finance sees what is billable and issues statements; buyers read their own."""

from __future__ import annotations

import html
import re
from datetime import date, timedelta

import pytest
from django.test import Client

from successkit.accounts.roles import Role
from successkit.billing import services
from successkit.billing.models import Adjustment, Statement
from successkit.billing.tests.helpers import (
    billable_session,
    billing_state,
    contract_starting,
    finance,
    rate,
)
from successkit.contracts.rules import local_date
from successkit.core.formats import format_day
from successkit.factories import ContactFactory, StaffFactory

pytestmark = pytest.mark.django_db


def signed_in(user, **kwargs) -> Client:
    client = Client(**kwargs)
    client.force_login(user)
    return client


@pytest.fixture
def contract():
    rate("EUR", "150.00", since=date(2026, 1, 1))
    return contract_starting(date(2026, 9, 1), organization__name="Clínica Horizonte")


@pytest.fixture
def finance_user():
    return StaffFactory(roles=[Role.FINANCE], language="en")


def issue_october(contract) -> Statement:
    return services.issue_statement(
        finance(), contract, period_start=date(2026, 10, 1), period_end=date(2026, 10, 31)
    )


def test_finance_sees_what_is_billable_across_contracts_with_an_issue_form(
    contract, finance_user
) -> None:
    rate("USD", "100.00", since=date(2026, 1, 1))
    other = contract_starting(date(2026, 9, 1), currency="USD")
    quiet = contract_starting(date(2026, 9, 1))
    session = billable_session(contract, date(2026, 10, 5), 90)
    billable_session(other, date(2026, 10, 6), 1)

    page = signed_in(finance_user).get("/billing/").content.decode()

    assert f'data-contract="{contract.pk}"' in page
    assert f'data-contract="{other.pk}"' in page
    assert f'data-contract="{quiet.pk}"' not in page
    assert f'data-session="{session.pk}"' in page
    assert "€225.00" in page and "€150.00" in page
    assert "$1.67" in page
    assert 'action="/billing/issue/"' in page
    assert "csrfmiddlewaretoken" in page
    assert 'name="period_start" value="2026-10-05"' in page


def test_staff_without_a_finance_role_see_but_cannot_issue(contract) -> None:
    billable_session(contract, date(2026, 10, 5), 60)
    client = signed_in(StaffFactory(roles=[Role.CSM]))
    page = client.get("/billing/")
    assert page.status_code == 200
    assert 'action="/billing/issue/"' not in page.content.decode()
    before = billing_state()
    refused = client.post(
        "/billing/issue/",
        {"contract": contract.pk, "period_start": "2026-10-01", "period_end": "2026-10-31"},
    )
    assert refused.status_code == 403
    assert "permission_denied" in refused.content.decode()
    assert billing_state() == before


def test_issuing_from_the_page_shows_the_statement(contract, finance_user) -> None:
    billable_session(contract, date(2026, 10, 5), 90)
    client = signed_in(finance_user)
    response = client.post(
        "/billing/issue/",
        {"contract": contract.pk, "period_start": "2026-10-01", "period_end": "2026-10-31"},
        follow=True,
    )
    statement = Statement.objects.get()
    assert response.redirect_chain == [(f"/billing/statements/{statement.pk}/", 302)]
    page = response.content.decode()
    assert "Statement ST-000001 issued." in page
    assert "Clínica Horizonte" in page
    assert "Additional training; accepted by" in page
    assert "€225.00" in page
    assert f"/billing/statements/{statement.pk}/pdf?language=es" in page
    assert f'data-contract="{contract.pk}"' not in client.get("/billing/").content.decode()


def test_the_issue_form_needs_its_csrf_token(contract, finance_user) -> None:
    billable_session(contract, date(2026, 10, 5), 90)
    client = signed_in(finance_user, enforce_csrf_checks=True)
    response = client.post(
        "/billing/issue/",
        {"contract": contract.pk, "period_start": "2026-10-01", "period_end": "2026-10-31"},
    )
    assert response.status_code == 403
    assert Statement.objects.count() == 0


@pytest.mark.parametrize(
    ("form", "status", "code"),
    [
        ({"period_start": "2026-10-01", "period_end": "2026-10-31"}, 409, "nothing_to_bill"),
        ({"period_start": "2026-10-31", "period_end": "2026-10-01"}, 422, "validation_error"),
        ({"period_start": "someday", "period_end": "2026-10-01"}, 422, "validation_error"),
    ],
)
def test_refused_issues_render_the_refusal_and_write_nothing(
    contract, finance_user, form, status, code
) -> None:
    billable_session(contract, date(2026, 11, 5), 90)
    before = billing_state()
    response = signed_in(finance_user).post("/billing/issue/", {"contract": contract.pk, **form})
    assert response.status_code == status
    assert code in response.content.decode()
    assert billing_state() == before


def test_finance_records_a_correction_from_the_statement_page(contract, finance_user) -> None:
    billable_session(contract, date(2026, 10, 5), 90)
    statement = issue_october(contract)
    line = statement.lines.get()
    client = signed_in(finance_user)
    response = client.post(
        f"/billing/statements/{statement.pk}/adjustments/",
        {"amount": "-25.00", "reason": "Late start", "line": line.pk},
        follow=True,
    )
    assert response.status_code == 200
    adjustment = Adjustment.objects.get()
    assert (adjustment.amount, adjustment.reason, adjustment.corrects_line) == (
        -25,
        "Late start",
        line,
    )
    page = response.content.decode()
    assert "-€25.00" in page
    assert "next statement" in page


def test_buyers_read_their_statements_in_spanish_and_nothing_else(contract) -> None:
    billable_session(contract, date(2026, 10, 5), 90)
    mine = issue_october(contract)
    other = contract_starting(date(2026, 9, 1))
    billable_session(other, date(2026, 10, 5), 60)
    theirs = issue_october(other)
    buyer = contract.buyer_contact.user
    buyer.language = "es"
    buyer.save()
    client = signed_in(buyer)

    listed = client.get("/billing/statements/").content.decode()
    assert f'data-statement="{mine.pk}"' in listed
    assert f'data-statement="{theirs.pk}"' not in listed
    page = client.get(f"/billing/statements/{mine.pk}/").content.decode()
    assert "Extracto ST-000001" in page
    assert "225,00\xa0€" in page
    assert "prevalecerá la versión en inglés" in page
    assert "Record a correction" not in page and "Registrar una corrección" not in page
    pdf = client.get(f"/billing/statements/{mine.pk}/pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    csv = client.get(f"/billing/statements/{mine.pk}/csv?language=en")
    assert csv.content.decode().startswith("\ufeffStatement,ST-000001")


def test_every_billing_page_hides_another_organization(contract) -> None:
    billable_session(contract, date(2026, 10, 5), 90)
    statement = issue_october(contract)
    outsider = signed_in(ContactFactory().user)
    for path in (
        f"/billing/statements/{statement.pk}/",
        f"/billing/statements/{statement.pk}/csv",
        f"/billing/statements/{statement.pk}/pdf",
    ):
        assert (path, outsider.get(path).status_code) == (path, 404)
    adjust = outsider.post(
        f"/billing/statements/{statement.pk}/adjustments/", {"amount": "-1.00", "reason": "x"}
    )
    assert adjust.status_code == 404
    issue = outsider.post(
        "/billing/issue/",
        {"contract": contract.pk, "period_start": "2026-11-01", "period_end": "2026-11-30"},
    )
    assert issue.status_code == 404
    assert outsider.get("/billing/").status_code == 403
    assert (
        f'data-statement="{statement.pk}"'
        not in outsider.get("/billing/statements/").content.decode()
    )
    assert Adjustment.objects.count() == 0
    assert Statement.objects.count() == 1


def test_buyers_can_neither_issue_nor_correct_their_own(contract) -> None:
    billable_session(contract, date(2026, 10, 5), 90)
    statement = issue_october(contract)
    buyer = signed_in(contract.buyer_contact.user)
    billable_session(contract, date(2026, 11, 5), 90)
    issue = buyer.post(
        "/billing/issue/",
        {"contract": contract.pk, "period_start": "2026-11-01", "period_end": "2026-11-30"},
    )
    assert issue.status_code == 403
    adjust = buyer.post(
        f"/billing/statements/{statement.pk}/adjustments/", {"amount": "-1.00", "reason": "x"}
    )
    assert adjust.status_code == 403
    assert (Statement.objects.count(), Adjustment.objects.count()) == (1, 0)


def test_pages_need_a_sign_in() -> None:
    for path in ("/billing/", "/billing/statements/", "/billing/statements/1/"):
        response = Client().get(path)
        assert response.status_code == 302
        assert response["Location"].startswith("/login/")


def test_unbilled_contracts_come_oldest_first_with_their_age_a_page_at_a_time(
    finance_user, monkeypatch
) -> None:
    from successkit.billing import views

    monkeypatch.setattr(views, "UNBILLED_PER_PAGE", 2)
    rate("EUR", "150.00", since=date(2026, 1, 1))
    today = date.today()
    start = today - timedelta(days=200)
    recent = contract_starting(start, organization__name="Recent Clinic")
    oldest = contract_starting(start, organization__name="Oldest Clinic")
    middle = contract_starting(start, organization__name="Middle Clinic")
    billable_session(recent, today - timedelta(days=3), 60)
    billable_session(oldest, today - timedelta(days=90), 60)
    billable_session(oldest, today - timedelta(days=5), 60)
    billable_session(middle, today - timedelta(days=40), 30)
    client = signed_in(finance_user)

    first = client.get("/billing/").content.decode()
    second = client.get("/billing/?page=2").content.decode()

    assert re.findall(r'data-unbilled="(\d+)"', first) == [str(oldest.pk), str(middle.pk)]
    assert re.findall(r'data-unbilled="(\d+)"', second) == [str(recent.pk)]
    assert "3 contracts with something to bill" in first
    assert "Page 1 of 2" in first
    summary = first.split(f'data-unbilled="{oldest.pk}"')[1].split("</tr>")[0]
    assert "Oldest Clinic" in summary
    assert oldest.representative.name in summary
    assert "€300.00" in summary  # two hours at 150
    days = (oldest.today() - (today - timedelta(days=90))).days
    assert f'data-age="{days}"' in summary and f"{days} days" in summary
    by_name = client.get("/billing/?sort=organization").content.decode()
    assert re.findall(r'data-unbilled="(\d+)"', by_name) == [str(middle.pk), str(oldest.pk)]


def test_a_statement_names_its_lines_for_the_buyer_in_their_language(contract) -> None:
    """No internal numbers (session or contract ids), a no-show said as such, days in the
    reader's language: the descriptions are written when the statement is shown."""
    held = billable_session(contract, date(2026, 10, 5), 90)
    billable_session(contract, date(2026, 10, 12), 60, no_show=True)
    statement = issue_october(contract)
    buyer = contract.buyer_contact.user
    buyer.language = "es"
    buyer.save()
    page = signed_in(buyer).get(f"/billing/statements/{statement.pk}/").content.decode()
    descriptions = re.findall(r"<tr>\s*<td>(\d+)</td>\s*<td>([^<]*)</td>", page)
    accepted_on = format_day(local_date(held.acceptances.get().at, "Europe/Madrid"), "es")
    assert [position for position, _text in descriptions] == ["1", "2"]
    held_text, missed_text = (escape_free(text) for _position, text in descriptions)
    assert held_text.startswith("Formación adicional; aceptado por ")
    assert held_text.endswith(f" el {accepted_on} (90 min)")
    assert missed_text.startswith(
        "Formación adicional: no asistencia (se facturan los minutos reservados); "
    )
    for text in (held_text, missed_text):
        assert "sesión" not in text and "session" not in text
        assert not re.search(r"\d{4}-\d{2}-\d{2}", text)
    facts = page.split('<table class="facts">', 1)[1].split("</table>", 1)[0]
    start = format_day(date(2026, 9, 1), "es")
    assert f"<th>Contrato</th><td>Pro Lite, desde el {start}</td>" in facts
    english = signed_in(StaffFactory(roles=[Role.FINANCE], language="en"))
    shown = english.get(f"/billing/statements/{statement.pk}/").content.decode()
    assert "Additional training: no-show (the booked minutes are billed); accepted by" in shown
    assert "<th>Contract</th><td>Pro Lite, from Sep 1, 2026</td>" in shown


def escape_free(text: str) -> str:
    return html.unescape(text).strip()
