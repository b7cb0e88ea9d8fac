"""Finance's month-end in Chromium at desktop and phone width: what is unbilled, by
contract with names and the age of its oldest line, oldest first, a page at a time; the
review of one contract's statement starts from its row."""

from __future__ import annotations

import re
from datetime import date, timedelta

from playwright.sync_api import expect

from successkit.accounts.roles import Role
from successkit.billing import views
from successkit.billing.services import issue_statement
from successkit.billing.tests.helpers import billable_session, contract_starting, rate
from successkit.factories import PASSWORD, StaffFactory
from successkit.portal.tests.browser import browser_marks, chromium, look, page, sign_in

pytestmark = browser_marks
__all__ = ["chromium", "page"]


def test_finance_finds_the_oldest_unbilled_minutes_and_reviews_their_statement(
    page, monkeypatch
) -> None:
    monkeypatch.setattr(views, "UNBILLED_PER_PAGE", 2)
    rate("EUR", "150.00", since=date(2020, 1, 1))
    today = date.today()
    start = today - timedelta(days=200)
    oldest = contract_starting(start, organization__name="Clínica Antigua")
    middle = contract_starting(start, organization__name="Northwind Logistics")
    newest = contract_starting(start, organization__name="Zeta Health")
    billable_session(oldest, today - timedelta(days=75), 90)
    billable_session(middle, today - timedelta(days=40), 60)
    billable_session(newest, today - timedelta(days=2), 30)
    finance = StaffFactory(roles=[Role.FINANCE], language="en", name="Carmen Vidal")

    sign_in(page, finance.email, PASSWORD)
    page.goto("/billing/")
    rows = page.locator("table.unbilled-summary tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("Clínica Antigua")
    expect(rows.nth(0)).to_contain_text(oldest.representative.name)
    expect(rows.nth(0)).to_contain_text("€225.00")
    expect(rows.nth(0).locator("[data-age]")).to_have_attribute(
        "data-age", str((oldest.today() - (today - timedelta(days=75))).days)
    )
    expect(rows.nth(1)).to_contain_text("Northwind Logistics")
    look(page, "billing-unbilled")

    page.get_by_role("link", name="Next").click()
    expect(page.locator("table.unbilled-summary tbody tr")).to_have_count(1)
    expect(page.locator("table.unbilled-summary")).to_contain_text("Zeta Health")

    page.goto("/billing/")
    page.get_by_role("button", name="Review the statement for Clínica Antigua").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Clínica Antigua")


def test_an_issued_statement_reads_at_phone_width(page) -> None:
    """The statement's lines scroll inside their own box at 375 px, and a keyboard reaches
    them (axe: scrollable-region-focusable)."""
    rate("EUR", "150.00", since=date(2020, 1, 1))
    today = date.today()
    contract = contract_starting(today - timedelta(days=200), organization__name="Clínica Sol")
    billable_session(contract, today - timedelta(days=30), 90)
    billable_session(contract, today - timedelta(days=20), 30, no_show=True)
    finance = StaffFactory(roles=[Role.FINANCE], language="en")
    statement = issue_statement(
        None, contract, period_start=today - timedelta(days=60), period_end=today
    )

    sign_in(page, finance.email, PASSWORD)
    page.goto(f"/billing/statements/{statement.pk}/")
    expect(page.get_by_role("table", name=re.compile(statement.code))).to_contain_text("€225.00")
    look(page, "billing-statement")


def test_the_billing_page_reads_in_spanish_at_phone_width(page) -> None:
    """The longest Spanish sort option ("La línea sin facturar más antigua primero") stays
    inside a 375 px screen: the filter shrinks to the row instead of pushing the page."""
    rate("EUR", "150.00", since=date(2020, 1, 1))
    today = date.today()
    contract = contract_starting(today - timedelta(days=200), organization__name="Clínica Sol")
    billable_session(contract, today - timedelta(days=30), 60)
    finance = StaffFactory(roles=[Role.FINANCE], language="es")

    sign_in(page, finance.email, PASSWORD)
    page.goto("/billing/")
    expect(page.get_by_label("Ordenar por")).to_contain_text("La línea sin facturar más antigua")
    look(page, "billing-unbilled-es")
