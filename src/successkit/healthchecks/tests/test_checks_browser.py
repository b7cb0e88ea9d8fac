"""The representative schedules a health check, takes its date away and writes its report
in the pages, and the buyer adds it to a calendar, in Chromium at desktop and phone width."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

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


def test_the_representative_takes_a_date_away_and_the_buyer_adds_a_new_one_to_a_calendar(
    page,
) -> None:
    from successkit.accounts.actors import Actor
    from successkit.healthchecks.services import schedule_health_check

    contract = ContractFactory(organization__name="Clínica Sol", organization__language="en")
    staff = contract.representative
    staff.language = "en"
    staff.save()
    first = HealthCheck.objects.get(contract=contract, period_index=0)
    tomorrow = timezone.now().replace(microsecond=0) + timedelta(days=1)
    schedule_health_check(Actor.of(staff), first, scheduled_for=tomorrow, staff_id=staff.pk)

    sign_in(page, staff.email, PASSWORD)
    page.goto(f"/health-checks/contracts/{contract.pk}/")
    asked: list[str] = []
    page.on("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
    page.get_by_role("button", name=re.compile("^Cancel the date.*Health check 1$")).click()
    expect(page.get_by_role("status")).to_contain_text("The date is cancelled")
    assert asked == ["Cancel the date of Health check 1? It will need a new one."]
    first.refresh_from_db()
    assert (first.state, first.scheduled_for, first.staff_id) == ("due", None, None)
    check = page.locator(f"#check-{first.pk}")
    expect(check).to_contain_text("due")
    expect(check.locator("summary", has_text="Schedule")).to_be_visible()
    expect(check.get_by_role("link", name="Add to calendar")).to_have_count(0)
    look(page, "staff-health-check-date-cancelled")

    # A new date; the buyer's contact adds it to their own calendar from the same page.
    schedule_health_check(Actor.of(staff), first, scheduled_for=tomorrow, staff_id=staff.pk)
    page.context.clear_cookies()
    buyer = contract.buyer_contact.user
    sign_in(page, buyer.email, PASSWORD)
    page.goto(f"/health-checks/contracts/{contract.pk}/")
    expect(page.get_by_role("button", name=re.compile("Cancel the date"))).to_have_count(0)
    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile("^Add to calendar.*Health check 1$")).click()
    assert download.value.suggested_filename == f"health-check-{first.pk}.ics"
    text = Path(download.value.path()).read_text(encoding="utf-8")
    assert f"UID:health-check-{first.pk}@successkit" in text
    assert "SEQUENCE:2" in text  # scheduled, date taken away, scheduled again


def test_the_compliance_tables_read_at_phone_width(page) -> None:
    """The compliance page's tables scroll inside their own box at 375 px, and a keyboard
    reaches them (axe: scrollable-region-focusable)."""
    ContractFactory(organization__name="Clínica Sol", organization__language="en")
    ContractFactory(package_code="premium", organization__name="Northwind Logistics")
    staff = ContractFactory().representative
    staff.language = "en"
    staff.save()

    sign_in(page, staff.email, PASSWORD)
    page.goto("/health-checks/compliance/")
    expect(page.get_by_role("table", name="By package")).to_contain_text("Premium")
    expect(page.get_by_role("table", name="By representative")).to_be_visible()
    look(page, "staff-compliance")
