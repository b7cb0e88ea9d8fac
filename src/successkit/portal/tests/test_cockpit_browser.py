"""A CSM's morning in Chromium at desktop and phone width: the cockpit shows their
accounts and what needs attention; the attention link leads to where it is resolved."""

from __future__ import annotations

import re
from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import expect

from successkit.accounts.actors import Actor
from successkit.engagements import services as engagements
from successkit.factories import PASSWORD, ContractFactory
from successkit.portal.tests.browser import browser_marks, chromium, look, page, sign_in
from successkit.support import services as support
from successkit.support.models import Case

pytestmark = browser_marks
__all__ = ["chromium", "page"]


def test_a_csm_finds_what_needs_attention_and_goes_there(page) -> None:
    late = ContractFactory(organization__name="Clínica Norte")
    csm = late.representative
    csm.language = "en"
    csm.save()
    ContractFactory(organization__name="Clínica Sur", representative=csm, package_code="premium")
    ContractFactory(organization__name="Someone Else's Clinic")
    engagements.book_session(
        Actor.of(csm),
        late,
        type_code="kickoff",
        starts_at=timezone.now() - timedelta(hours=2),
        duration_minutes=60,
    )
    waiting = support.open_case(
        Actor.of(late.buyer_contact.user),
        late,
        case_type="technical_issue",
        subject="Rings do not sync",
    )
    Case.objects.filter(pk=waiting.pk).update(opened_at=timezone.now() - timedelta(days=4))

    sign_in(page, csm.email, PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("My accounts")
    expect(page.locator("[data-contract]")).to_have_count(2)
    look(page, "staff-cockpit")

    page.get_by_label("Search").fill("Sur")
    page.get_by_role("button", name="Show").click()
    expect(page.locator("[data-contract]")).to_have_count(1)

    page.goto("/")
    page.get_by_role("link", name=re.compile("still booked: record the outcome")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Clínica Norte")
    expect(page.get_by_role("button", name=re.compile("No-show.*Kickoff meeting"))).to_be_visible()

    page.goto("/")
    page.get_by_role("link", name="Case “Rings do not sync” has waited on us for 4 days").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Rings do not sync")

    page.goto("/")
    page.get_by_label("Language").first.select_option("es")
    expect(page.get_by_role("heading", level=1)).to_have_text("Mis cuentas")
    look(page, "staff-cockpit-es")
