"""Support staff work a case in Chromium at desktop and phone width: the conversation, an
internal note, who works on it and the case's history, readable and usable at 375 px (no
sideways scroll, the history table reachable by keyboard)."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect

from successkit.accounts.actors import Actor
from successkit.accounts.roles import Role
from successkit.factories import PASSWORD, ContractFactory, StaffFactory
from successkit.portal.tests.browser import browser_marks, chromium, look, page, sign_in
from successkit.support.models import Message
from successkit.support.services import escalate_case, open_case

pytestmark = browser_marks
__all__ = ["chromium", "page"]


def test_support_staff_work_an_escalated_case_at_desktop_and_phone_width(page) -> None:
    contract = ContractFactory(
        organization__name="Northwind Logistics", organization__language="en"
    )
    case = open_case(
        Actor.of(contract.buyer_contact.user),
        contract,
        case_type="technical_issue",
        subject="Members do not appear in Oura Teams",
        description="We invited 40 members on Monday; none of them shows up.",
    )
    escalate_case(
        Actor.of(contract.representative),
        case,
        reason="The buyer's rollout starts on Monday",
        queue="customer_success",
    )
    agent = StaffFactory(roles=[Role.SUPPORT], language="en", name="Jordan Lee")
    # Colleagues with long names and addresses, as the assignee list shows them.
    StaffFactory(
        roles=[Role.CS_ENGINEER],
        name="Maximiliano Fernández de Castellanos",
        email="maximiliano.fernandez-de-castellanos@demo.successkit.test",
    )

    sign_in(page, agent.email, PASSWORD)
    page.goto(f"/support/cases/{case.pk}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Members do not appear")
    expect(page.get_by_role("table", name="History")).to_contain_text("Escalated")
    look(page, "staff-case")

    page.get_by_label("Message").fill("Checking the invitation log with engineering.")
    page.get_by_label(re.compile("Internal note")).check()
    page.get_by_role("button", name="Send").click()
    expect(page.locator("[data-message]").last).to_contain_text("internal note")
    assert Message.objects.filter(case=case, internal=True).count() == 1
    look(page, "staff-case-noted")


def test_closing_a_case_asks_first_at_desktop_and_phone_width(page) -> None:
    """Closing is final: choosing "Closed" asks before the form is sent; saying no leaves
    the case as it was, saying yes closes it and says so."""
    contract = ContractFactory(organization__language="en")
    case = open_case(
        Actor.of(contract.buyer_contact.user),
        contract,
        case_type="product_question",
        subject="Which sizes do you stock?",
        description="",
    )
    agent = StaffFactory(roles=[Role.SUPPORT], language="en")
    sign_in(page, agent.email, PASSWORD)
    page.goto(f"/support/cases/{case.pk}/")
    asked: list[str] = []

    def answer(accept: bool) -> None:
        def handle(dialog: Any) -> None:
            asked.append(dialog.message)
            dialog.accept() if accept else dialog.dismiss()

        page.once("dialog", handle)

    status = page.get_by_label("New status")
    status.select_option("closed")
    answer(False)
    page.get_by_role("button", name="Change status").click()
    question = f"Close case #{case.pk}? A closed case cannot be reopened or answered."
    assert asked == [question]
    expect(page.locator("[data-status]")).to_have_attribute("data-status", "open")
    case.refresh_from_db()
    assert case.status == "open"

    status.select_option("resolved")  # any other status is sent without a question
    page.get_by_role("button", name="Change status").click()
    expect(page.get_by_role("status")).to_contain_text("The case's status is now “Resolved”.")
    assert asked == [question]

    page.get_by_label("New status").select_option("closed")
    answer(True)
    page.get_by_role("button", name="Change status").click()
    expect(page.locator("[data-status]")).to_have_attribute("data-status", "closed")
    expect(page.get_by_role("status")).to_contain_text("The case's status is now “Closed”.")
    assert asked == [question, question]
    case.refresh_from_db()
    assert case.status == "closed"
    look(page, "staff-case-closed")
