"""A staff member sets working hours and time off on a phone, in Chromium."""

from __future__ import annotations

import os

import pytest

from successkit.accounts.roles import Role
from successkit.engagements.tests.test_browser import CHROMIUM
from successkit.factories import PASSWORD, StaffFactory
from successkit.scheduling.models import Availability

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="needs Debian's chromium"),
]


@pytest.fixture
def browser_page(monkeypatch):
    sync_api = pytest.importorskip("playwright.sync_api")
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
        )
        yield browser.new_page()
        browser.close()


@pytest.mark.parametrize("width", [1280, 375])
def test_a_staff_member_sets_working_hours_in_the_browser(
    live_server,
    browser_page,
    settings,
    width: int,
) -> None:
    settings.ALLOWED_HOSTS = ["*"]
    staff = StaffFactory(roles=[Role.CSM], language="es")
    page = browser_page
    page.set_viewport_size({"width": width, "height": 800})
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", staff.email)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.get_by_role("link", name="Mi horario").click()
    page.wait_for_selector("#hours")
    assert "Aún no has fijado tu horario" in page.content()
    page.select_option("#id_timezone", "America/New_York")
    page.get_by_label("lunes, desde").fill("08:30")
    page.get_by_label("lunes, hasta").fill("12:30")
    page.get_by_label("Primer día libre (1)").fill("2027-08-02")
    page.get_by_label("Último día libre (1)").fill("2027-08-13")
    page.get_by_role("button", name="Guardar el horario").click()
    page.wait_for_selector("text=Tu horario está guardado.")
    availability = Availability.objects.get(staff=staff).value()
    assert availability.timezone == "America/New_York"
    assert [(h.weekday, h.start, h.end) for h in availability.weekly] == [(1, 510, 750)]
    assert [(t.start.isoformat(), t.end.isoformat()) for t in availability.time_off] == [
        ("2027-08-02", "2027-08-13")
    ]
    assert "webcal://" in page.content()
    for section in ("#hours", "#calendar"):
        box = page.locator(section).bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width
