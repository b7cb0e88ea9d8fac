"""A staff member sets working hours and time off, in Chromium at desktop and phone width
(axe-core check, no sideways scroll, screenshots)."""

from __future__ import annotations

from successkit.accounts.roles import Role
from successkit.factories import PASSWORD, StaffFactory
from successkit.portal.tests.browser import browser_marks, chromium, look, page, sign_in
from successkit.scheduling.models import Availability

pytestmark = browser_marks
__all__ = ["chromium", "page"]


def test_a_staff_member_sets_working_hours_in_the_browser(page) -> None:
    staff = StaffFactory(roles=[Role.CSM], language="es")
    sign_in(page, staff.email, PASSWORD)
    page.goto("/schedule/availability/")
    page.wait_for_selector("#hours")
    assert "Aún no has fijado tu horario" in page.content()
    look(page, "working-hours")
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
    # The saved page may still be parsing when its message shows: wait for the feed itself.
    feed = page.locator("#calendar .feed a")
    feed.wait_for()
    assert feed.inner_text().startswith("webcal://")
