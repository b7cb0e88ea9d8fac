"""A buyer contact drives the real pages in Chromium: sign in (Spanish), open the
contract, book a session, see it listed."""

from __future__ import annotations

import os
import shutil
from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from successkit.engagements.models import TrainingSession
from successkit.factories import PASSWORD, ContractFactory

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="needs Debian's chromium"),
]


@pytest.fixture
def browser_page(monkeypatch):
    sync_api = pytest.importorskip("playwright.sync_api")
    # Playwright's sync API runs an event loop in this thread; the ORM calls the test
    # makes between page actions are still plain synchronous code.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        page = browser.new_page()
        yield page
        browser.close()


@pytest.mark.parametrize("width", [1280, 375])
def test_a_spanish_buyer_picks_a_free_slot_in_the_browser(
    live_server, browser_page, settings, width: int
) -> None:
    settings.ALLOWED_HOSTS = ["*"]
    contract = ContractFactory(
        start_date=timezone.localdate() - timedelta(days=5), organization__language="es"
    )
    user = contract.buyer_contact.user
    user.language = "es"
    user.save()

    page = browser_page
    page.set_viewport_size({"width": width, "height": 800})
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", user.email)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.click(f"text={contract.organization.name}")
    assert "Reservar una sesión" in page.content()
    assert page.locator("#id_starts_at").count() == 0  # no free-text date for a buyer

    page.select_option("#pick-type", "kickoff")
    page.get_by_role("button", name="Ver horas libres").click()
    page.get_by_role("link", name="Semana siguiente →").click()
    first = page.locator("input[name=slot]").first
    value = first.get_attribute("value")
    first.check()
    page.fill("#id_duration_minutes", "50")
    page.get_by_role("button", name="Reservar", exact=True).click()
    page.wait_for_selector("tr[data-session]")
    assert "La sesión está reservada." in page.content()
    session = TrainingSession.objects.get(contract=contract)
    assert (session.duration_minutes, session.covered_minutes) == (50, 50)
    assert (
        session.starts_at.isoformat()
        == datetime.fromisoformat(value.split("|")[0])
        .astimezone(session.starts_at.tzinfo)
        .isoformat()
    )
    assert session.staff_id == contract.representative_id
    # The booking section fits a phone's width.
    box = page.locator("#book").bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width
