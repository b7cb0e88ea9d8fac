"""The working-hours page: staff set their own hours and time off (admins anyone's)."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.test import Client

from successkit.accounts.roles import Role
from successkit.factories import PASSWORD, ContactFactory, StaffFactory
from successkit.scheduling.models import Availability, TimeOff, WorkingHours

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    client = Client()
    assert client.post("/login/", {"username": user.email, "password": PASSWORD}).status_code == 302
    return client


def week(**changes: str) -> dict[str, str]:
    data = {"timezone": "America/New_York", "off_start_0": "2027-08-02", "off_end_0": "2027-08-06"}
    for day in range(1, 6):
        data[f"start_{day}_0"], data[f"end_{day}_0"] = "09:00", "13:00"
        data[f"start_{day}_1"], data[f"end_{day}_1"] = "14:00", "18:00"
    data.update(changes)
    return data


def test_staff_set_their_hours_and_time_off_in_spanish() -> None:
    staff = StaffFactory(roles=[Role.CSM], language="es")
    client = signed_in(staff)
    page = client.get("/schedule/availability/", follow=True)
    assert page.status_code == 200
    text = page.content.decode()
    assert "Horario laboral de" in text and "lunes" in text.lower()
    assert "webcal://" in text  # the calendar subscription
    response = client.post(f"/schedule/staff/{staff.pk}/availability/", week())
    assert response.status_code == 302
    row = Availability.objects.get(staff=staff)
    assert row.timezone == "America/New_York"
    assert row.weekly.count() == 10
    assert list(TimeOff.objects.values_list("start_date", "end_date")) == [
        (date(2027, 8, 2), date(2027, 8, 6))
    ]
    again = client.get(f"/schedule/staff/{staff.pk}/availability/").content.decode()
    assert 'value="14:00"' in again and 'value="2027-08-02"' in again


def test_bad_hours_are_refused_on_the_page_and_nothing_is_written() -> None:
    staff = StaffFactory(roles=[Role.CSM])
    client = signed_in(staff)
    response = client.post(
        f"/schedule/staff/{staff.pk}/availability/", week(start_3_0="15:00", end_3_0="10:00")
    )
    assert response.status_code == 422
    assert "The end must come after the start." in response.content.decode()
    overlap = client.post(
        f"/schedule/staff/{staff.pk}/availability/", week(start_2_1="12:00", end_2_1="15:00")
    )
    assert overlap.status_code == 422
    assert Availability.objects.count() == WorkingHours.objects.count() == 0


def test_colleagues_see_but_only_admins_change_someone_elses_hours() -> None:
    staff = StaffFactory(roles=[Role.CSM])
    colleague = signed_in(StaffFactory(roles=[Role.CS_ENGINEER]))
    page = colleague.get(f"/schedule/staff/{staff.pk}/availability/").content.decode()
    assert "webcal://" not in page and "Save working hours" not in page
    refused = colleague.post(f"/schedule/staff/{staff.pk}/availability/", week())
    assert refused.status_code == 422 and Availability.objects.count() == 0
    admin = signed_in(StaffFactory(roles=[Role.ADMIN]))
    assert admin.post(f"/schedule/staff/{staff.pk}/availability/", week()).status_code == 302
    assert Availability.objects.get().staff == staff


def test_buyer_contacts_find_no_staff_pages() -> None:
    staff = StaffFactory(roles=[Role.CSM])
    buyer = signed_in(ContactFactory().user)
    assert buyer.get(f"/schedule/staff/{staff.pk}/availability/").status_code == 404
    assert buyer.post(f"/schedule/staff/{staff.pk}/availability/", week()).status_code == 404
    assert buyer.post(f"/schedule/staff/{staff.pk}/calendar/rotate/").status_code == 404
    assert Availability.objects.count() == 0


def zone_options(page: str) -> list[str]:
    select = page.split('name="timezone"', 1)[1].split("</select>", 1)[0]
    return re.findall(r'<option value="([^"]+)"', select)


def test_the_time_zone_list_offers_places_not_legacy_aliases() -> None:
    staff = StaffFactory(roles=[Role.CSM], language="en")
    page = signed_in(staff).get(f"/schedule/staff/{staff.pk}/availability/").content.decode()
    offered = zone_options(page)
    assert {"UTC", "Europe/Madrid", "America/Bogota", "Asia/Tokyo", "Pacific/Auckland"} <= set(
        offered
    )
    for odd in ("localtime", "Factory", "GMT+0", "GMT", "Etc/GMT+5", "US/Eastern", "EST5EDT"):
        assert odd not in offered
    assert offered == sorted(offered)


def test_a_zone_set_before_stays_offered_and_chosen() -> None:
    staff = StaffFactory(roles=[Role.CSM], language="en")
    Availability.objects.create(staff=staff, timezone="Etc/GMT+5", updated_by=staff)
    page = signed_in(staff).get(f"/schedule/staff/{staff.pk}/availability/").content.decode()
    assert "Etc/GMT+5" in zone_options(page)
    assert '<option value="Etc/GMT+5" selected>' in page
