"""A buyer contact drives the real pages in Chromium at desktop and phone width: sign in
(Spanish), open the contract, pick a free slot of the week, see the session listed."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone

from successkit.engagements.models import TrainingSession
from successkit.factories import PASSWORD, ContractFactory
from successkit.portal.tests.browser import browser_marks, chromium, look, page, sign_in

pytestmark = browser_marks
__all__ = ["chromium", "page"]


def test_a_spanish_buyer_picks_a_free_slot_in_the_browser(page) -> None:
    contract = ContractFactory(
        start_date=timezone.localdate() - timedelta(days=5), organization__language="es"
    )
    user = contract.buyer_contact.user
    user.language = "es"
    user.save()

    sign_in(page, user.email, PASSWORD)
    page.goto(f"/contracts/{contract.pk}/")
    assert "Reservar una sesión" in page.content()
    assert page.locator("#id_starts_at").count() == 0  # no free-text date for a buyer

    page.select_option("#pick-type", "kickoff")
    page.get_by_role("button", name="Ver horas libres").click()
    page.get_by_role("link", name="Semana siguiente →").click()
    page.wait_for_selector("input[name=slot]")
    look(page, "booking-slots")
    first = page.locator("input[name=slot]").first
    value = first.get_attribute("value")
    first.check()
    page.fill("#id_duration_minutes", "50")
    page.get_by_role("button", name="Reservar", exact=True).click()
    page.wait_for_selector("[data-session]")
    assert "La sesión está reservada." in page.content()
    session = TrainingSession.objects.get(contract=contract)
    assert (session.duration_minutes, session.covered_minutes) == (50, 50)
    assert session.starts_at == datetime.fromisoformat(value.split("|")[0])
    assert session.staff_id == contract.representative_id
