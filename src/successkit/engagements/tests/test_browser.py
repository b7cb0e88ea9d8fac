"""A buyer contact drives the real pages in Chromium: sign in (Spanish), open the
contract, book a session, see it listed."""

from __future__ import annotations

import os
import shutil
from datetime import timedelta

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


def test_a_spanish_buyer_books_a_session_in_the_browser(
    live_server, browser_page, settings
) -> None:
    settings.ALLOWED_HOSTS = ["*"]
    contract = ContractFactory(
        start_date=timezone.localdate() - timedelta(days=5), organization__language="es"
    )
    user = contract.buyer_contact.user
    user.language = "es"
    user.save()

    page = browser_page
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", user.email)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.click(f"text={contract.organization.name}")
    assert "Reservar una sesión" in page.content()

    page.select_option("#id_type", "kickoff")
    starts = (timezone.localdate() + timedelta(days=10)).isoformat() + "T09:00"
    page.fill("#id_starts_at", starts)
    page.fill("#id_duration_minutes", "50")
    page.click("#book button[type=submit]")
    page.wait_for_selector("tr[data-session]")
    assert "La sesión está reservada." in page.content()
    session = TrainingSession.objects.get(contract=contract)
    assert (session.duration_minutes, session.covered_minutes) == (50, 50)
