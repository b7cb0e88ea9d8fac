"""Availability, booking against real calendars, slots and the calendar feed, over HTTP
(SPEC.md §9, API.md)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.test import Client
from django.utils import timezone
from icalendar import Calendar

from successkit.accounts.actors import Actor
from successkit.accounts.roles import Role
from successkit.conftest import ApiClient
from successkit.engagements.models import TrainingSession
from successkit.factories import ContactFactory, ContractFactory, StaffFactory
from successkit.healthchecks.models import HealthCheck
from successkit.healthchecks.services import schedule_health_check
from successkit.scheduling.models import Availability, BusyInterval, TimeOff, WorkingHours
from successkit.scheduling.tests.helpers import local, next_weekday, works

pytestmark = pytest.mark.django_db

GOOD = {
    "timezone": "Europe/Madrid",
    "weekly": [{"weekday": 1, "start": "09:00", "end": "13:00"}],
    "time_off": [{"start_date": "2027-08-02", "end_date": "2027-08-20"}],
}


@pytest.fixture
def contract():
    return ContractFactory(start_date=timezone.localdate() - timedelta(days=10))


def book(api: ApiClient, contract, starts_at, minutes: int = 60, **fields):
    return api.post(
        f"contracts/{contract.pk}/sessions",
        {
            "type": "implementation",
            "starts_at": starts_at.isoformat(),
            "duration_minutes": minutes,
            **fields,
        },
    )


def code(response) -> str:
    return response.json()["error"]["code"]


# --- availability -----------------------------------------------------------------------------


def test_staff_set_their_own_hours_and_time_off(contract) -> None:
    staff = contract.representative
    api = ApiClient(staff)
    response = api.put(f"staff/{staff.pk}/availability", GOOD)
    assert response.status_code == 200
    assert response.json() == {"staff_id": str(staff.pk), **GOOD}
    assert api.get(f"staff/{staff.pk}/availability").json() == response.json()
    # Setting again replaces everything.
    again = api.put(f"staff/{staff.pk}/availability", {"timezone": "America/New_York"})
    assert again.json() == {
        "staff_id": str(staff.pk),
        "timezone": "America/New_York",
        "weekly": [],
        "time_off": [],
    }
    assert (WorkingHours.objects.count(), TimeOff.objects.count()) == (0, 0)


def test_only_the_staff_member_or_an_admin_sets_availability(contract, admin_api) -> None:
    staff = contract.representative
    colleague = ApiClient(StaffFactory(roles=[Role.CSM]))
    assert colleague.put(f"staff/{staff.pk}/availability", GOOD).status_code == 403
    assert colleague.get(f"staff/{staff.pk}/availability").status_code == 200
    buyer = ApiClient(contract.buyer_contact.user)
    assert code(buyer.put(f"staff/{staff.pk}/availability", GOOD)) == "not_found"
    assert code(buyer.get(f"staff/{staff.pk}/availability")) == "not_found"
    assert Availability.objects.count() == 0
    assert admin_api.put(f"staff/{staff.pk}/availability", GOOD).status_code == 200


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"weekly": [{"weekday": 0, "start": "09:00", "end": "13:00"}]}, "weekly.0.weekday"),
        ({"weekly": [{"weekday": 8, "start": "09:00", "end": "13:00"}]}, "weekly.0.weekday"),
        ({"weekly": [{"weekday": 1, "start": "13:00", "end": "09:00"}]}, "weekly.0.end"),
        ({"weekly": [{"weekday": 1, "start": "9am", "end": "13:00"}]}, "weekly.0.start"),
        ({"weekly": [{"weekday": 1, "start": "09:00", "end": "25:00"}]}, "weekly.0.end"),
        (
            {
                "weekly": [
                    {"weekday": 2, "start": "09:00", "end": "13:00"},
                    {"weekday": 2, "start": "12:00", "end": "18:00"},
                ]
            },
            "weekly.1.start",
        ),
        ({"weekly": [{"weekday": 1, "start": "09:00", "end": "10:00"}] * 36}, "weekly"),
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"timezone": ""}, "timezone"),
        (
            {"time_off": [{"start_date": "2027-08-20", "end_date": "2027-08-02"}]},
            "time_off.0.end_date",
        ),
        (
            {"time_off": [{"start_date": "2027-01-01", "end_date": "2099-01-01"}]},
            "time_off.0.end_date",
        ),
        (
            {"time_off": [{"start_date": "1900-01-01", "end_date": "1900-01-02"}]},
            "time_off.0.start_date",
        ),
        (
            {"time_off": [{"start_date": "2027-02-30", "end_date": "2027-03-01"}]},
            "time_off.0.start_date",
        ),
    ],
)
def test_bad_availability_is_refused_naming_the_field_and_writes_nothing(
    contract, change: dict, field: str
) -> None:
    staff = contract.representative
    api = ApiClient(staff)
    assert api.put(f"staff/{staff.pk}/availability", GOOD).status_code == 200
    response = api.put(f"staff/{staff.pk}/availability", {**GOOD, **change})
    assert response.status_code == 422
    body = response.json()["error"]
    assert body["code"] == "validation_error"
    named = {problem["field"] for problem in body.get("fields", [])} | {body.get("field")}
    assert field in named, body
    assert api.get(f"staff/{staff.pk}/availability").json()["weekly"] == GOOD["weekly"]


# --- booking against the calendar -------------------------------------------------------------


def test_a_buyer_books_only_inside_working_hours_outside_time_off_with_notice(contract) -> None:
    staff = contract.representative
    monday = next_weekday(1, timezone.localdate())
    works(staff, time_off=[(monday + timedelta(days=1), monday + timedelta(days=1))])
    buyer = ApiClient(contract.buyer_contact.user)
    for starts_at, reason in [
        (local(monday, 8, 30), "outside_hours"),
        (local(monday, 16, 30), "outside_hours"),  # would end at 17:30
        (local(monday + timedelta(days=5), 10), "outside_hours"),  # Saturday
        (local(monday + timedelta(days=1), 10), "time_off"),
        (timezone.now() + timedelta(hours=23), "too_soon"),
    ]:
        response = book(buyer, contract, starts_at)
        assert (response.status_code, code(response)) == (409, "staff_unavailable"), starts_at
        assert response.json()["error"]["reason"] == reason
    assert TrainingSession.objects.count() == BusyInterval.objects.count() == 0
    assert book(buyer, contract, local(monday, 16)).status_code == 201
    assert book(buyer, contract, local(monday, 9), minutes=30, type="kickoff").status_code == 201


def test_a_buyer_books_a_staff_member_without_hours_at_any_time_with_notice(contract) -> None:
    buyer = ApiClient(contract.buyer_contact.user)
    saturday_night = local(next_weekday(6, timezone.localdate()), 22)
    assert book(buyer, contract, saturday_night).status_code == 201
    soon = book(buyer, contract, timezone.now() + timedelta(hours=2), type="kickoff")
    assert (soon.status_code, code(soon)) == (409, "staff_unavailable")


def test_staff_book_outside_hours_but_never_over_another_meeting(contract) -> None:
    staff = contract.representative
    works(staff)
    api = ApiClient(staff)
    saturday = next_weekday(6, timezone.localdate())
    first = book(api, contract, local(saturday, 10))
    assert first.status_code == 201
    for starts_at in (local(saturday, 10, 30), local(saturday, 9, 30), local(saturday, 10)):
        clash = book(api, contract, starts_at, type="kickoff")
        assert (clash.status_code, code(clash)) == (409, "staff_busy")
    assert TrainingSession.objects.count() == BusyInterval.objects.count() == 1
    # Back to back is fine; so is another staff member at the same time.
    assert book(api, contract, local(saturday, 11), type="kickoff").status_code == 201
    other = ContractFactory(start_date=contract.start_date)
    assert book(ApiClient(other.representative), other, local(saturday, 10)).status_code == 201


def test_the_same_staff_member_is_busy_across_contracts(contract) -> None:
    other = ContractFactory(start_date=contract.start_date, representative=contract.representative)
    api = ApiClient(contract.representative)
    when = local(next_weekday(2, timezone.localdate()), 11)
    assert book(api, contract, when).status_code == 201
    assert code(book(api, other, when + timedelta(minutes=59))) == "staff_busy"


def test_moves_obey_the_same_rules_and_cancelling_frees_the_time(contract) -> None:
    staff = contract.representative
    works(staff)
    monday = next_weekday(1, timezone.localdate())
    buyer = ApiClient(contract.buyer_contact.user)
    staff_api = ApiClient(staff)
    session = book(buyer, contract, local(monday, 10)).json()
    blocker = book(staff_api, contract, local(monday, 14), type="kickoff").json()
    moved = buyer.patch(f"sessions/{session['id']}", {"starts_at": local(monday, 14).isoformat()})
    assert code(moved) == "staff_busy"
    late = buyer.patch(f"sessions/{session['id']}", {"starts_at": local(monday, 18).isoformat()})
    assert code(late) == "staff_unavailable"
    # Moving within its own time (half an hour later) is not a clash with itself.
    later = local(monday, 10, 30).isoformat()
    assert buyer.patch(f"sessions/{session['id']}", {"starts_at": later}).status_code == 200
    assert staff_api.post(f"sessions/{blocker['id']}/cancel", {"by": "vendor"}).status_code == 200
    to_14 = buyer.patch(f"sessions/{session['id']}", {"starts_at": local(monday, 14).isoformat()})
    assert to_14.status_code == 200
    rows = BusyInterval.objects.order_by("meeting_id")
    assert [(r.live, r.starts_at) for r in rows] == [
        (True, local(monday, 14)),
        (False, local(monday, 14)),
    ]


def test_health_checks_and_sessions_never_overlap(contract) -> None:
    staff = contract.representative
    admin = ApiClient(StaffFactory(roles=[Role.ADMIN]))
    check = HealthCheck.objects.filter(contract=contract).order_by("period_index").first()
    day = max(timezone.localdate() + timedelta(days=3), check.period_start)
    when = local(day, 10)
    scheduled = admin.post(
        f"health-checks/{check.pk}/schedule",
        {"scheduled_for": when.isoformat(), "staff_id": str(staff.pk)},
    )
    assert scheduled.status_code == 200
    row = BusyInterval.objects.get(kind="health_check")
    assert row.ends_at - row.starts_at == timedelta(minutes=60)  # catalog data
    clash = book(ApiClient(staff), contract, when + timedelta(minutes=30))
    assert code(clash) == "staff_busy"
    session = book(ApiClient(staff), contract, when + timedelta(hours=2)).json()
    again = admin.post(
        f"health-checks/{check.pk}/schedule",
        {"scheduled_for": (when + timedelta(hours=2)).isoformat(), "staff_id": str(staff.pk)},
    )
    assert (again.status_code, code(again)) == (409, "staff_busy")
    assert again.json()["error"]["field"] == "scheduled_for"
    check.refresh_from_db()
    assert check.scheduled_for == when
    # Rescheduling moves its own time.
    later = admin.post(
        f"health-checks/{check.pk}/schedule",
        {"scheduled_for": (when + timedelta(minutes=30)).isoformat(), "staff_id": str(staff.pk)},
    )
    assert later.status_code == 200
    assert BusyInterval.objects.filter(live=True).count() == 2
    assert session["status"] == "booked"


# --- slots ------------------------------------------------------------------------------------


def slots(api: ApiClient, contract, first: date, last: date, kind: str = "kickoff", **extra):
    query = f"type={kind}&from={first}&to={last}"
    query += "".join(f"&{key}={value}" for key, value in extra.items())
    return api.get(f"contracts/{contract.pk}/slots?{query}")


def madrid_and_new_york_contract():
    staff = StaffFactory(roles=[Role.CSM], name="Ana Representative")
    return ContractFactory(
        start_date=date(2027, 1, 1),
        end_date=date(2027, 12, 31),
        representative=staff,
        organization__timezone="Europe/Madrid",
    )


def by_day(items: list[dict]) -> dict[str, list[str]]:
    days: dict[str, list[str]] = {}
    for item in items:
        days.setdefault(item["starts_at"][:10], []).append(item["starts_at"][11:])
    return days


def test_slots_follow_the_default_hours_across_madrids_dst_change() -> None:
    contract = madrid_and_new_york_contract()
    buyer = ApiClient(contract.buyer_contact.user)
    # Madrid moves to summer time on Sunday 28 March 2027.
    response = slots(buyer, contract, date(2027, 3, 25), date(2027, 3, 31))
    assert response.status_code == 200
    days = by_day(response.json()["items"])
    assert sorted(days) == ["2027-03-25", "2027-03-26", "2027-03-29", "2027-03-30", "2027-03-31"]
    assert days["2027-03-26"][0] == "09:00:00+01:00"
    assert days["2027-03-26"][-1] == "16:00:00+01:00"
    assert days["2027-03-29"][0] == "09:00:00+02:00"
    assert days["2027-03-29"][-1] == "16:00:00+02:00"
    assert all(len(times) == 15 for times in days.values())
    first = response.json()["items"][0]
    assert first == {
        "starts_at": "2027-03-25T09:00:00+01:00",
        "ends_at": "2027-03-25T10:00:00+01:00",
        "staff_id": str(contract.representative_id),
    }


def test_slots_of_a_new_york_staff_member_for_a_madrid_buyer_across_new_yorks_change() -> None:
    contract = madrid_and_new_york_contract()
    works(contract.representative, zone="America/New_York")
    buyer = ApiClient(contract.buyer_contact.user)
    # New York moves on 14 March 2027: 09:00 there is 15:00 in Madrid, then 14:00.
    days = by_day(slots(buyer, contract, date(2027, 3, 11), date(2027, 3, 17)).json()["items"])
    assert sorted(days) == ["2027-03-11", "2027-03-12", "2027-03-15", "2027-03-16", "2027-03-17"]
    assert (days["2027-03-12"][0], days["2027-03-12"][-1]) == ("15:00:00+01:00", "22:00:00+01:00")
    assert (days["2027-03-15"][0], days["2027-03-15"][-1]) == ("14:00:00+01:00", "21:00:00+01:00")


def test_slots_for_a_new_york_buyer_across_its_change() -> None:
    contract = ContractFactory(
        start_date=date(2027, 1, 1),
        end_date=date(2027, 12, 31),
        organization__timezone="America/New_York",
    )
    days = by_day(
        slots(
            ApiClient(contract.buyer_contact.user), contract, date(2027, 3, 11), date(2027, 3, 17)
        ).json()["items"]
    )
    assert days["2027-03-12"][0] == "09:00:00-05:00"
    assert days["2027-03-15"][0] == "09:00:00-04:00"


def test_slots_skip_busy_time_and_fall_back_to_other_eligible_staff() -> None:
    contract = madrid_and_new_york_contract()
    rep = contract.representative
    works(rep, weekly=[], time_off=[(date(2027, 3, 3), date(2027, 3, 3))])
    colleague = StaffFactory(roles=[Role.CS_ENGINEER], name="Bruno Colleague")
    StaffFactory(roles=[Role.SUPPORT], name="Carla Support")  # not allowed to train
    api = ApiClient(rep)
    assert book(api, contract, local(date(2027, 3, 1), 10)).status_code == 201
    items = slots(api, contract, date(2027, 3, 1), date(2027, 3, 3), minutes=30).json()["items"]
    who = {item["starts_at"][:16]: item["staff_id"] for item in items}
    assert who["2027-03-01T09:30"] == str(rep.pk)
    assert who["2027-03-01T10:00"] == who["2027-03-01T10:30"] == str(colleague.pk)
    assert who["2027-03-01T11:00"] == str(rep.pk)
    assert who["2027-03-01T16:30"] == str(rep.pk)  # a 30-minute meeting still fits
    assert "2027-03-01T17:00" not in who
    assert {v for k, v in who.items() if k.startswith("2027-03-03")} == {str(colleague.pk)}


def test_slots_stay_inside_the_pool_window_and_the_term() -> None:
    contract = ContractFactory(
        package_code="launch_kit", start_date=date(2027, 3, 1), end_date=date(2028, 2, 28)
    )
    api = ApiClient(contract.buyer_contact.user)
    # The pool's 90 days end on 29 May 2027 (a Saturday): Friday 28 is its last slot day.
    days = by_day(slots(api, contract, date(2027, 5, 24), date(2027, 6, 4)).json()["items"])
    assert max(days) == "2027-05-28"
    before = slots(api, contract, date(2027, 2, 20), date(2027, 3, 2)).json()["items"]
    assert min(by_day(before)) == "2027-03-01"
    billable = slots(
        api, contract, date(2027, 6, 1), date(2027, 6, 4), kind="additional_training", minutes=120
    )
    assert billable.status_code == 200 and len(by_day(billable.json()["items"])) == 4


def test_slots_start_after_the_notice(contract) -> None:
    api = ApiClient(contract.buyer_contact.user)
    today = timezone.localdate()
    items = slots(api, contract, today, today + timedelta(days=7)).json()["items"]
    assert items
    from datetime import datetime

    first = datetime.fromisoformat(items[0]["starts_at"])
    assert first >= timezone.now() + timedelta(hours=24)


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("type=kickoff&from=2027-03-10&to=2027-03-01", "to"),
        ("type=kickoff&from=2027-01-01&to=2027-12-31", "to"),
        ("type=kickoff&from=1999-01-01&to=1999-01-02", "from"),
        ("type=kickoff&from=2027-03-01&to=2027-03-02&minutes=61", "minutes"),
        ("type=kickoff&from=2027-03-01&to=2027-03-02&minutes=0", "minutes"),
        ("type=nap&from=2027-03-01&to=2027-03-02", "type"),
        ("type=kickoff&from=2027-02-30&to=2027-03-02", "from"),
        ("type=kickoff&to=2027-03-02", "from"),
    ],
)
def test_bad_slot_queries_name_the_field(query: str, field: str) -> None:
    contract = madrid_and_new_york_contract()
    response = ApiClient(contract.buyer_contact.user).get(f"contracts/{contract.pk}/slots?{query}")
    assert response.status_code == 422
    body = response.json()["error"]
    fields = {problem["field"] for problem in body.get("fields", [])} | {body.get("field")}
    assert field in fields, body


def test_slots_of_another_organization_are_not_found() -> None:
    contract = madrid_and_new_york_contract()
    stranger = ApiClient(ContactFactory().user)
    response = slots(stranger, contract, date(2027, 3, 1), date(2027, 3, 5))
    assert (response.status_code, code(response)) == (404, "not_found")


# --- the calendar feed ------------------------------------------------------------------------


def test_a_staff_member_subscribes_to_their_meetings(contract) -> None:
    staff = contract.representative
    staff.language = "es"
    staff.save()
    api = ApiClient(staff)
    when = local(next_weekday(3, timezone.localdate()), 10)
    session = book(api, contract, when).json()
    check = HealthCheck.objects.filter(contract=contract).order_by("period_index").first()
    schedule_health_check(
        Actor.of(staff),
        check,
        scheduled_for=max(when + timedelta(hours=3), local(check.period_start, 12)),
        staff_id=staff.pk,
    )
    cancelled = book(api, contract, when + timedelta(hours=1), type="kickoff").json()
    api.post(f"sessions/{cancelled['id']}/cancel", {"by": "vendor"})
    book(
        ApiClient(StaffFactory(roles=[Role.CSM])),
        contract,
        when,
        type="kickoff",
        staff_id=StaffFactory(roles=[Role.CSM]).pk,
    )

    feed = api.get(f"staff/{staff.pk}/calendar-feed")
    assert feed.status_code == 200
    url, ics_url = feed.json()["url"], feed.json()["ics_url"]
    assert url.startswith("webcal://") and ics_url.startswith("http")
    assert api.get(f"staff/{staff.pk}/calendar-feed").json()["url"] == url  # stable

    anonymous = Client()
    response = anonymous.get(ics_url)
    assert (response.status_code, response["Content-Type"]) == (200, "text/calendar; charset=utf-8")
    events = Calendar.from_ical(response.content).walk("VEVENT")
    assert [str(e["uid"]) for e in events] == [
        f"session-{session['id']}@successkit",
        f"health-check-{check.pk}@successkit",
    ]
    first, second = events
    organization = contract.organization.name
    assert str(first["summary"]) == f"Reunión de implementación — {organization}"
    assert str(second["summary"]) == f"Comprobación del estado del proyecto 1 — {organization}"
    assert first.decoded("dtstart") == when
    assert first.decoded("dtend") == when + timedelta(hours=1)
    assert str(first["url"]).endswith(f"/contracts/{contract.pk}/")
    assert f"/contracts/{contract.pk}/" in str(second["description"])

    rotated = api.get(f"staff/{staff.pk}/calendar-feed?rotate=1").json()["ics_url"]
    assert rotated != ics_url
    assert anonymous.get(ics_url).status_code == 404
    assert anonymous.get(rotated).status_code == 200


def test_only_the_staff_member_or_an_admin_gets_the_feed_address(contract, admin_api) -> None:
    staff = contract.representative
    assert (
        ApiClient(StaffFactory(roles=[Role.CSM])).get(f"staff/{staff.pk}/calendar-feed").status_code
        == 403
    )
    assert (
        code(ApiClient(contract.buyer_contact.user).get(f"staff/{staff.pk}/calendar-feed"))
        == "not_found"
    )
    assert admin_api.get(f"staff/{staff.pk}/calendar-feed").status_code == 200
    assert Client().get(f"/calendar/{staff.pk}/{'0' * 40}.ics").status_code == 404


@pytest.mark.parametrize(
    "query",
    [
        "type=%00&from=2027-03-01&to=2027-03-02",
        "type=additional_training&from=2027-03-01&to=2027-03-02&minutes=100000000000000000000",
        "type=additional_training&from=2027-03-01&to=2027-03-02&minutes=-5",
        "type=kickoff&from=99999-01-01&to=2027-03-02",
        "type=kickoff&from=2027-03-01&to=2027-03-02&minutes=1.5",
        "type=" + "x" * 5000 + "&from=2027-03-01&to=2027-03-02",
    ],
)
def test_hostile_slot_queries_are_refused_without_a_server_error(query: str) -> None:
    contract = madrid_and_new_york_contract()
    response = ApiClient(contract.buyer_contact.user).get(f"contracts/{contract.pk}/slots?{query}")
    assert response.status_code == 422, response.content
    assert response.json()["error"]["code"] == "validation_error"
