"""The representative schedules a health check and writes its report in the pages, in
Chromium at desktop and phone width."""

from __future__ import annotations

import re
from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import expect

from successkit.factories import PASSWORD, ContractFactory
from successkit.healthchecks.models import HealthCheck
from successkit.portal.tests.browser import browser_marks, chromium, look, page, sign_in

pytestmark = browser_marks
__all__ = ["chromium", "page"]


def test_the_representative_schedules_and_records_a_health_check(page) -> None:
    contract = ContractFactory(organization__name="Clínica Sol", organization__language="en")
    staff = contract.representative
    staff.language = "en"
    staff.save()
    first = HealthCheck.objects.get(contract=contract, period_index=0)
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()

    sign_in(page, staff.email, PASSWORD)
    page.goto(f"/health-checks/contracts/{contract.pk}/")
    page.locator("summary", has_text="Schedule").first.click()
    page.get_by_label(re.compile("When is Health check 1")).fill(f"{tomorrow}T10:00")
    page.get_by_role("button", name="Schedule Health check 1").click()
    expect(page.get_by_role("status")).to_contain_text("The health check is scheduled.")
    first.refresh_from_db()
    assert (first.state, first.staff_id) == ("scheduled", staff.pk)
    look(page, "staff-health-checks")

    page.locator("summary", has_text="Write the report").first.click()
    page.get_by_label(re.compile("Day Health check 1 was held")).fill(
        timezone.localdate().isoformat()
    )
    page.get_by_label("Amber: at risk").check()
    page.get_by_label(re.compile("^Summary")).fill("Rings sized and ordered; HRM adoption slow.")
    page.get_by_label("Action 1").fill("Invite the remaining coaches")
    page.get_by_label("Owner").first.fill("Ana")
    page.get_by_label("Due on").first.fill((timezone.localdate() + timedelta(days=14)).isoformat())
    page.get_by_role("button", name="Record Health check 1 and its report").click()
    expect(page.get_by_role("status")).to_contain_text("its report is ready")
    first.refresh_from_db()
    assert (first.state, first.overall_status) == ("completed", "amber")
    assert first.action_items.get().description == "Invite the remaining coaches"
    expect(page.locator("main")).to_contain_text("HRM adoption slow")
    look(page, "health-check-report")
