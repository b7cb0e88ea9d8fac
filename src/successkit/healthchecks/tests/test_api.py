from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from successkit.accounts.roles import Role
from successkit.conftest import ApiClient
from successkit.contracts.models import Contract
from successkit.factories import ContactFactory, OrganizationFactory, StaffFactory
from successkit.healthchecks.models import ActionItem, HealthCheck, HealthCheckEvent
from successkit.healthchecks.tests.factories import contract_with_checks

pytestmark = pytest.mark.django_db


def snapshot() -> tuple[object, ...]:
    """Everything a health-check refusal must leave as it was."""
    return (
        list(HealthCheck.objects.order_by("pk").values()),
        list(ActionItem.objects.order_by("pk").values()),
        HealthCheckEvent.objects.count(),
        list(Contract.objects.order_by("pk").values_list("pk", "end_date")),
    )


@pytest.fixture
def contract(clock) -> Contract:
    """A Pro Lite in Madrid, 15 Jan 2026 - 14 Jan 2027; today is 1 Feb 2026."""
    return contract_with_checks(organization__timezone="Europe/Madrid")


@pytest.fixture
def csm(db):
    return StaffFactory(roles=[Role.CSM])


def first_check(contract: Contract) -> HealthCheck:
    return contract.health_checks.get(period_index=0)


def completion(staff: int, **changes: object) -> dict[str, object]:
    return {
        "held_on": "2026-01-28",
        "staff_id": str(staff),
        "summary": "120 rings sized, 80 distributed. Adoption at 64%.",
        **changes,
    }


def test_a_contracts_health_checks_list_one_per_period(admin_api: ApiClient, contract) -> None:
    response = admin_api.get(f"contracts/{contract.pk}/health-checks")
    assert response.status_code == 200
    body = response.json()
    assert body["next"] is None
    assert [
        (item["number"], item["period_start"], item["period_end"], item["status"])
        for item in body["items"]
    ] == [
        (1, "2026-01-15", "2026-04-14", "due"),
        (2, "2026-04-15", "2026-07-14", "due"),
        (3, "2026-07-15", "2026-10-14", "due"),
        (4, "2026-10-15", "2027-01-14", "due"),
    ]
    first = body["items"][0]
    assert first == {
        "id": str(first_check(contract).pk),
        "contract_id": str(contract.pk),
        "number": 1,
        "period_start": "2026-01-15",
        "period_end": "2026-04-14",
        "status": "due",
        "scheduled_for": None,
        "staff_id": None,
        "attendees": [],
        "held_on": None,
        "recorded_late": False,
        "summary": "",
        "overall_status": None,
        "action_items": [],
        "report_url": None,
        "report_pdf_url": None,
    }


def test_the_list_pages(admin_api: ApiClient, clock) -> None:
    premium = contract_with_checks("premium")
    page_one = admin_api.get(f"contracts/{premium.pk}/health-checks?limit=5").json()
    assert [item["number"] for item in page_one["items"]] == [1, 2, 3, 4, 5]
    assert page_one["next"].endswith("limit=5&offset=5")
    last = admin_api.get(f"contracts/{premium.pk}/health-checks?limit=5&offset=10").json()
    assert [item["number"] for item in last["items"]] == [11, 12]
    assert last["next"] is None


def test_a_launch_kit_owes_no_health_check(admin_api: ApiClient, clock) -> None:
    launch = contract_with_checks("launch_kit")
    assert admin_api.get(f"contracts/{launch.pk}/health-checks").json() == {
        "items": [],
        "next": None,
    }


def test_scheduling_inside_the_period(admin_api: ApiClient, contract, csm) -> None:
    check = first_check(contract)
    response = admin_api.post(
        f"health-checks/{check.pk}/schedule",
        {
            "scheduled_for": "2026-03-02T09:30:00Z",
            "staff_id": str(csm.pk),
            "attendees": ["Elena García", " Tomás Ruiz "],
        },
    )
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "scheduled"
    assert body["scheduled_for"] == "2026-03-02T10:30:00+01:00"
    assert body["staff_id"] == str(csm.pk)
    assert body["attendees"] == ["Elena García", "Tomás Ruiz"]
    check.refresh_from_db()
    assert check.scheduled_for == datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
    assert list(check.events.values_list("kind", flat=True)) == ["scheduled"]


def test_rescheduling_inside_the_period_moves_it(admin_api: ApiClient, contract, csm) -> None:
    check = first_check(contract)
    url = f"health-checks/{check.pk}/schedule"
    admin_api.post(url, {"scheduled_for": "2026-03-02T10:00:00+01:00", "staff_id": csm.pk})
    engineer = StaffFactory(roles=[Role.CS_ENGINEER])
    moved = admin_api.post(
        url, {"scheduled_for": "2026-04-14T23:30:00+02:00", "staff_id": engineer.pk}
    )
    assert moved.status_code == 200
    assert moved.json()["scheduled_for"] == "2026-04-14T23:30:00+02:00"
    assert moved.json()["staff_id"] == str(engineer.pk)
    assert list(check.events.values_list("kind", flat=True)) == ["scheduled", "rescheduled"]


@pytest.mark.parametrize(
    ("scheduled_for", "status", "code"),
    [
        ("2026-04-15T00:00:00+02:00", 422, "outside_period"),  # first day of the next period
        ("2026-04-14T22:30:00Z", 422, "outside_period"),  # 15 April 00:30 in Madrid
        ("2026-01-14T12:00:00+01:00", 422, "validation_error"),  # past, before the term
        ("2026-02-01T09:00:00Z", 422, "validation_error"),  # an hour ago
        ("2026-03-02T10:00:00", 422, "validation_error"),  # no offset
        ("next tuesday", 422, "validation_error"),
    ],
)
def test_scheduling_refusals_write_nothing(
    admin_api: ApiClient, contract, csm, scheduled_for: str, status: int, code: str
) -> None:
    check = first_check(contract)
    admin_api.post(
        f"health-checks/{check.pk}/schedule",
        {"scheduled_for": "2026-03-02T10:00:00+01:00", "staff_id": csm.pk},
    )
    before = snapshot()
    response = admin_api.post(
        f"health-checks/{check.pk}/schedule", {"scheduled_for": scheduled_for, "staff_id": csm.pk}
    )
    assert response.status_code == status
    assert response.json()["error"]["code"] == code
    assert snapshot() == before


@pytest.mark.parametrize("role", [Role.ACCOUNT_MANAGER, Role.SUPPORT, Role.FINANCE, Role.ADMIN])
def test_only_the_packages_roles_hold_a_health_check(
    admin_api: ApiClient, contract, role: str
) -> None:
    check = first_check(contract)
    staff = StaffFactory(roles=[role])
    before = snapshot()
    scheduled = admin_api.post(
        f"health-checks/{check.pk}/schedule",
        {"scheduled_for": "2026-03-02T10:00:00+01:00", "staff_id": staff.pk},
    )
    completed = admin_api.post(f"health-checks/{check.pk}/complete", completion(staff.pk))
    for response in (scheduled, completed):
        assert response.status_code == 422
        assert response.json()["error"]["code"] == "role_not_allowed"
        assert response.json()["error"]["field"] == "staff_id"
    assert snapshot() == before


@pytest.mark.parametrize("role", [Role.CS_ENGINEER, Role.LD_SPECIALIST])
def test_delivering_roles_may_schedule_and_complete(contract, csm, role: str) -> None:
    api = ApiClient(StaffFactory(roles=[role]))
    check = first_check(contract)
    scheduled = api.post(
        f"health-checks/{check.pk}/schedule",
        {"scheduled_for": "2026-03-02T10:00:00+01:00", "staff_id": csm.pk},
    )
    assert scheduled.status_code == 200
    second = contract.health_checks.get(period_index=1)
    assert api.get(f"health-checks/{second.pk}").status_code == 200


@pytest.mark.parametrize("role", [Role.SUPPORT, Role.FINANCE])
def test_staff_outside_delivery_and_accounts_cannot_schedule(contract, csm, role: str) -> None:
    api = ApiClient(StaffFactory(roles=[role]))
    check = first_check(contract)
    before = snapshot()
    response = api.post(
        f"health-checks/{check.pk}/schedule",
        {"scheduled_for": "2026-03-02T10:00:00+01:00", "staff_id": csm.pk},
    )
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"
    assert api.post(f"health-checks/{check.pk}/complete", completion(csm.pk)).status_code == 403
    assert snapshot() == before
    assert api.get(f"health-checks/{check.pk}").status_code == 200


def test_completing_records_the_report(admin_api: ApiClient, contract, csm) -> None:
    check = first_check(contract)
    response = admin_api.post(
        f"health-checks/{check.pk}/complete",
        completion(
            csm.pk,
            overall_status="amber",
            attendees=["Elena García"],
            action_items=[
                {"description": "Order 40 more rings", "owner": "Elena", "due_on": "2026-02-15"},
                {"description": "Invite coaches", "owner": "Lucía", "due_on": "2026-01-28"},
            ],
        ),
    )
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "completed"
    assert body["held_on"] == "2026-01-28"
    assert body["staff_id"] == str(csm.pk)
    assert body["summary"] == "120 rings sized, 80 distributed. Adoption at 64%."
    assert body["overall_status"] == "amber"
    assert body["attendees"] == ["Elena García"]
    assert body["action_items"] == [
        {"description": "Order 40 more rings", "owner": "Elena", "due_on": "2026-02-15"},
        {"description": "Invite coaches", "owner": "Lucía", "due_on": "2026-01-28"},
    ]
    assert body["report_url"] == f"http://testserver/health-checks/{check.pk}/report/"
    assert body["report_pdf_url"] == f"http://testserver/health-checks/{check.pk}/report.pdf"
    assert admin_api.get(f"health-checks/{check.pk}").json() == body
    check.refresh_from_db()
    assert check.completed_by == admin_api.user
    assert list(check.events.values_list("kind", "held_on")) == [("completed", date(2026, 1, 28))]


def test_completing_a_scheduled_check_with_the_api_md_body(
    admin_api: ApiClient, contract, csm
) -> None:
    check = first_check(contract)
    admin_api.post(
        f"health-checks/{check.pk}/schedule",
        {"scheduled_for": "2026-03-02T10:00:00+01:00", "staff_id": csm.pk},
    )
    clock_free = admin_api.post(
        f"health-checks/{check.pk}/complete",
        {"held_on": "2026-02-01", "staff_id": str(csm.pk), "summary": "Done early."},
    )
    assert clock_free.status_code == 200
    assert clock_free.json()["status"] == "completed"
    assert clock_free.json()["overall_status"] is None


@pytest.mark.parametrize(
    ("changes", "status", "code"),
    [
        ({"held_on": "2026-01-14"}, 422, "outside_period"),  # before the term
        ({"held_on": "2026-04-15"}, 422, "outside_period"),  # next period
        ({"held_on": "2026-02-02"}, 422, "validation_error"),  # tomorrow in Madrid
        ({"held_on": "28/01/2026"}, 422, "validation_error"),
        ({"summary": "   "}, 422, "validation_error"),
        ({"summary": "x" * 2001}, 422, "validation_error"),
        ({"overall_status": "blue"}, 422, "validation_error"),
        ({"staff_id": "987654"}, 422, "validation_error"),
        ({"staff_id": "x"}, 422, "validation_error"),
        (
            {"action_items": [{"description": "a", "owner": "b", "due_on": "2026-01-27"}]},
            422,
            "validation_error",
        ),
        (
            {"action_items": [{"description": " ", "owner": "b", "due_on": "2026-02-27"}]},
            422,
            "validation_error",
        ),
        (
            {"action_items": [{"description": "a", "owner": "b", "due_on": "2026-02-27"}] * 11},
            422,
            "validation_error",
        ),
        ({"attendees": [""]}, 422, "validation_error"),
    ],
)
def test_completion_refusals_write_nothing(
    admin_api: ApiClient, contract, csm, changes: dict, status: int, code: str
) -> None:
    check = first_check(contract)
    before = snapshot()
    response = admin_api.post(f"health-checks/{check.pk}/complete", completion(csm.pk, **changes))
    assert response.status_code == status
    assert response.json()["error"]["code"] == code
    assert response.json()["error"]["message"]
    assert snapshot() == before


def test_completing_twice_is_an_invalid_state(admin_api: ApiClient, contract, csm) -> None:
    check = first_check(contract)
    url = f"health-checks/{check.pk}/complete"
    assert admin_api.post(url, completion(csm.pk)).status_code == 200
    before = snapshot()
    again = admin_api.post(url, completion(csm.pk, summary="Another summary"))
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "invalid_state"
    rescheduled = admin_api.post(
        f"health-checks/{check.pk}/schedule",
        {"scheduled_for": "2026-03-02T10:00:00+01:00", "staff_id": csm.pk},
    )
    assert rescheduled.status_code == 409
    assert rescheduled.json()["error"]["code"] == "invalid_state"
    assert snapshot() == before


def test_a_check_whose_period_ended_is_missed_and_can_still_be_recorded_if_held_in_it(
    admin_api: ApiClient, contract, csm, clock
) -> None:
    check = first_check(contract)
    admin_api.post(
        f"health-checks/{check.pk}/schedule",
        {"scheduled_for": "2026-04-10T10:00:00+02:00", "staff_id": csm.pk},
    )
    clock.set(datetime(2026, 4, 15, 8, 0, tzinfo=UTC))
    assert admin_api.get(f"health-checks/{check.pk}").json()["status"] == "missed"
    late = admin_api.post(
        f"health-checks/{check.pk}/schedule",
        {"scheduled_for": "2026-04-20T10:00:00+02:00", "staff_id": csm.pk},
    )
    assert late.json()["error"]["code"] == "outside_period"
    recorded = admin_api.post(
        f"health-checks/{check.pk}/complete", completion(csm.pk, held_on="2026-04-10")
    )
    assert recorded.status_code == 200
    assert recorded.json()["status"] == "completed"


def test_an_idempotent_completion_replays_and_records_once(
    admin_api: ApiClient, contract, csm
) -> None:
    url = f"health-checks/{first_check(contract).pk}/complete"
    first = admin_api.post(url, completion(csm.pk), HTTP_IDEMPOTENCY_KEY="hc-1")
    again = admin_api.post(url, completion(csm.pk), HTTP_IDEMPOTENCY_KEY="hc-1")
    assert first.status_code == again.status_code == 200
    assert again.json() == first.json()
    assert HealthCheckEvent.objects.count() == 1


# --- buyer contacts -----------------------------------------------------------------------


def test_a_contact_sees_their_own_checks_and_reports(contract, csm, admin_api) -> None:
    check = first_check(contract)
    admin_api.post(f"health-checks/{check.pk}/complete", completion(csm.pk))
    api = ApiClient(contract.buyer_contact.user)
    listed = api.get(f"contracts/{contract.pk}/health-checks")
    assert listed.status_code == 200
    assert [item["status"] for item in listed.json()["items"]] == [
        "completed",
        "due",
        "due",
        "due",
    ]
    one = api.get(f"health-checks/{check.pk}")
    assert one.status_code == 200
    assert one.json()["summary"] == "120 rings sized, 80 distributed. Adoption at 64%."


def test_a_contact_cannot_schedule_or_complete(contract, csm) -> None:
    api = ApiClient(contract.buyer_contact.user)
    check = first_check(contract)
    before = snapshot()
    scheduled = api.post(
        f"health-checks/{check.pk}/schedule",
        {"scheduled_for": "2026-03-02T10:00:00+01:00", "staff_id": csm.pk},
    )
    completed = api.post(f"health-checks/{check.pk}/complete", completion(csm.pk))
    for response in (scheduled, completed):
        assert response.status_code == 403
        assert response.json()["error"]["code"] == "permission_denied"
    assert snapshot() == before


def test_another_organizations_checks_are_not_found_for_a_contact(contract, csm) -> None:
    outsider = ApiClient(ContactFactory(organization=OrganizationFactory()).user)
    check = first_check(contract)
    before = snapshot()
    responses = [
        outsider.get(f"contracts/{contract.pk}/health-checks"),
        outsider.get(f"health-checks/{check.pk}"),
        outsider.post(
            f"health-checks/{check.pk}/schedule",
            {"scheduled_for": "2026-03-02T10:00:00+01:00", "staff_id": csm.pk},
        ),
        outsider.post(f"health-checks/{check.pk}/complete", completion(csm.pk)),
        outsider.patch(f"contracts/{contract.pk}", {"end_date": "2026-06-30"}),
    ]
    for response in responses:
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"
    assert snapshot() == before


@pytest.mark.parametrize("bad_id", ["999999", "x", "0", "-1"])
def test_unknown_ids_are_not_found(admin_api: ApiClient, bad_id: str, clock) -> None:
    assert admin_api.get(f"health-checks/{bad_id}").json()["error"]["code"] == "not_found"
    assert admin_api.get(f"contracts/{bad_id}/health-checks").status_code == 404


def test_anonymous_calls_are_401(contract) -> None:
    check = first_check(contract)
    assert ApiClient().get(f"health-checks/{check.pk}").status_code == 401
    assert ApiClient().get("health-checks/compliance").status_code == 401


def test_a_refusal_speaks_the_callers_language(contract) -> None:
    spanish = StaffFactory(roles=[Role.CSM], language="es")
    response = ApiClient(spanish).post(
        f"health-checks/{first_check(contract).pk}/complete",
        completion(spanish.pk, held_on="2026-04-20"),
    )
    assert response.json()["error"]["code"] == "outside_period"
    assert response.json()["error"]["message"] == (
        "La comprobación 1 debe hacerse entre el 15 ene 2026 y el 14 abr 2026."
    )


# --- changing the end date ----------------------------------------------------------------


def test_patching_the_end_date_recomputes_the_periods(admin_api: ApiClient, contract) -> None:
    response = admin_api.patch(f"contracts/{contract.pk}", {"end_date": "2026-06-30"})
    assert response.status_code == 200
    assert response.json()["end_date"] == "2026-06-30"
    listed = admin_api.get(f"contracts/{contract.pk}/health-checks").json()["items"]
    assert [(i["period_start"], i["period_end"]) for i in listed] == [
        ("2026-01-15", "2026-04-14"),
        ("2026-04-15", "2026-06-30"),
    ]


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"end_date": "2026-01-15"}, 422, "validation_error"),
        ({"end_date": "2025-12-31"}, 422, "validation_error"),
        ({"end_date": "soon"}, 422, "validation_error"),
        ({}, 422, "validation_error"),
        # Before today (1 February 2026 in Madrid): refused whatever it would keep.
        ({"end_date": "2026-01-31"}, 422, "validation_error"),
        # Cuts the first period to a stub that owes nothing: its completed check is lost.
        ({"end_date": "2026-02-10"}, 409, "health_check_would_be_lost"),
    ],
)
def test_end_date_refusals_write_nothing(
    admin_api: ApiClient, contract, csm, body: dict, status: int, code: str
) -> None:
    admin_api.post(f"health-checks/{first_check(contract).pk}/complete", completion(csm.pk))
    before = snapshot()
    response = admin_api.patch(f"contracts/{contract.pk}", body)
    assert response.status_code == status
    assert response.json()["error"]["code"] == code
    assert snapshot() == before


@pytest.mark.parametrize("role", [Role.CS_ENGINEER, Role.SUPPORT, Role.FINANCE])
def test_only_account_roles_change_the_end_date(contract, role: str) -> None:
    before = snapshot()
    response = ApiClient(StaffFactory(roles=[role])).patch(
        f"contracts/{contract.pk}", {"end_date": "2026-06-30"}
    )
    assert response.status_code == 403
    mine = ApiClient(contract.buyer_contact.user).patch(
        f"contracts/{contract.pk}", {"end_date": "2026-06-30"}
    )
    assert mine.status_code == 403
    assert snapshot() == before


# --- compliance ---------------------------------------------------------------------------


def test_compliance_counts_owed_delivered_and_missed(admin_api: ApiClient, clock, csm) -> None:
    lucia = StaffFactory(roles=[Role.CSM], name="Lucía Ortega")
    sam = StaffFactory(roles=[Role.CSM], name="Sam Patel")
    pro_lite = contract_with_checks(representative=lucia)
    premium = contract_with_checks("premium", representative=sam)
    contract_with_checks("launch_kit")
    clock.set(datetime(2026, 3, 2, 10, 0, tzinfo=UTC))
    admin_api.post(
        f"health-checks/{pro_lite.health_checks.get(period_index=0).pk}/complete",
        completion(csm.pk, held_on="2026-03-01"),
    )
    admin_api.post(
        f"health-checks/{premium.health_checks.get(period_index=3).pk}/schedule",
        {"scheduled_for": "2026-04-20T10:00:00+02:00", "staff_id": csm.pk},
    )
    # 1 April 2026 in Madrid: Premium's first two monthly periods are over.
    clock.set(datetime(2026, 4, 1, 10, 0, tzinfo=UTC))
    response = admin_api.get("health-checks/compliance")
    assert response.status_code == 200
    body = response.json()
    assert body["totals"] == {
        "owed": 16,
        "completed": 1,
        "completed_on_time": 1,
        "completed_late": 0,
        "scheduled": 1,
        "due": 12,
        "missed": 2,
    }
    assert body["by_representative"] == [
        {"representative_id": str(lucia.pk), "name": "Lucía Ortega", "owed": 4, "completed": 1,
         "completed_on_time": 1, "completed_late": 0, "scheduled": 0, "due": 3, "missed": 0},
        {"representative_id": str(sam.pk), "name": "Sam Patel", "owed": 12, "completed": 0,
         "completed_on_time": 0, "completed_late": 0, "scheduled": 1, "due": 9, "missed": 2},
    ]  # fmt: skip
    packages = [
        (row["package"], row["name"], row["owed"], row["missed"]) for row in body["by_package"]
    ]
    assert packages == [("premium", "Premium", 12, 2), ("pro_lite", "Pro Lite", 4, 0)]
    # Next 30 days: 1-30 April. Premium's 3rd period (15 Mar - 14 Apr) has no date; its 4th
    # (15 Apr - 14 May) is scheduled; Pro Lite's 2nd starts 15 April with no date.
    assert [(row["contract_id"], row["number"]) for row in body["needing_a_date"]] == [
        (str(premium.pk), 3),
        (str(pro_lite.pk), 2),
    ]
    assert body["needing_a_date"][0] == {
        "id": str(premium.health_checks.get(period_index=2).pk),
        "contract_id": str(premium.pk),
        "organization_id": str(premium.organization_id),
        "organization": premium.organization.name,
        "package": "premium",
        "representative_id": str(sam.pk),
        "number": 3,
        "period_start": "2026-03-15",
        "period_end": "2026-04-14",
    }
    assert body["needing_a_date_next"] is None
    # The list pages like every other: one at a time here.
    first = admin_api.get("health-checks/compliance?limit=1").json()
    assert [row["number"] for row in first["needing_a_date"]] == [3]
    assert first["totals"] == body["totals"]  # the counts are never paged
    second = admin_api.get(first["needing_a_date_next"].split("/api/v1/")[1]).json()
    assert [(row["contract_id"], row["number"]) for row in second["needing_a_date"]] == [
        (str(pro_lite.pk), 2)
    ]
    assert second["needing_a_date_next"] is None


def test_compliance_is_for_staff_only(contract) -> None:
    response = ApiClient(contract.buyer_contact.user).get("health-checks/compliance")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"
    assert (
        ApiClient(StaffFactory(roles=[Role.FINANCE])).get("health-checks/compliance").status_code
        == 200
    )


def test_the_openapi_document_describes_the_health_check_endpoints(admin_api: ApiClient) -> None:
    paths = ApiClient().get("/api/v1/openapi.json").json()["paths"]
    assert "get" in paths["/api/v1/contracts/{contract_id}/health-checks"]
    assert "post" in paths["/api/v1/health-checks/{check_id}/complete"]
    assert "post" in paths["/api/v1/health-checks/{check_id}/schedule"]
    assert "get" in paths["/api/v1/health-checks/compliance"]
    assert "patch" in paths["/api/v1/contracts/{contract_id}"]


# --- a check written down after its period: completed, recorded late -------------------------


def test_a_back_dated_completion_is_completed_and_marked_recorded_late(
    admin_api: ApiClient, contract, csm, clock
) -> None:
    """Period 1 ends on 14 April. At 23:30 UTC on 14 April it is already the 15th in
    Madrid: the same completion is recorded late; at 21:30 UTC it is still on time."""
    check = first_check(contract)
    clock.set(datetime(2026, 4, 14, 23, 30, tzinfo=UTC))
    assert admin_api.get(f"health-checks/{check.pk}").json()["status"] == "missed"
    done = admin_api.post(f"health-checks/{check.pk}/complete", completion(csm.pk))
    assert done.status_code == 200
    assert (done.json()["status"], done.json()["recorded_late"]) == ("completed", True)
    second = contract.health_checks.get(period_index=1)
    clock.set(datetime(2026, 7, 14, 21, 30, tzinfo=UTC))  # 23:30 on 14 July in Madrid
    on_time = admin_api.post(
        f"health-checks/{second.pk}/complete", completion(csm.pk, held_on="2026-07-14")
    )
    assert (on_time.json()["status"], on_time.json()["recorded_late"]) == ("completed", False)
    totals = admin_api.get("health-checks/compliance").json()["totals"]
    assert (totals["completed"], totals["completed_on_time"], totals["completed_late"]) == (2, 1, 1)
    assert totals["missed"] == 0
    entitlements = admin_api.get(f"contracts/{contract.pk}/entitlements").json()
    assert entitlements["health_checks"]["completed"] == 2


# --- a date taken away, and the calendar download ----------------------------------------


def scheduled(admin_api: ApiClient, check: HealthCheck, staff, when: str) -> None:
    response = admin_api.post(
        f"health-checks/{check.pk}/schedule", {"scheduled_for": when, "staff_id": staff.pk}
    )
    assert response.status_code == 200


def test_taking_the_date_away_makes_the_check_due_and_frees_the_staff_members_time(
    admin_api: ApiClient, contract, csm
) -> None:
    from successkit.outbox.models import Event
    from successkit.scheduling.models import BusyInterval

    check = first_check(contract)
    scheduled(admin_api, check, csm, "2026-03-02T10:00:00+01:00")
    response = admin_api.post(f"health-checks/{check.pk}/unschedule")
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["scheduled_for"], body["staff_id"]) == ("due", None, None)
    assert list(check.events.values_list("kind", flat=True)) == ["scheduled", "unscheduled"]
    taken_away = check.events.get(kind="unscheduled")
    assert taken_away.scheduled_for == datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    assert taken_away.staff == csm
    assert not BusyInterval.objects.filter(meeting_id=check.pk, live=True).exists()
    event = Event.objects.get(type="health_check.unscheduled")
    assert event.data == {
        "sequence": 1,
        "scheduled_for": "2026-03-02T09:00:00+00:00",
        "staff_id": csm.pk,
    }
    # The time is free again: another check of the same staff member takes it.
    other = contract_with_checks(organization__timezone="Europe/Madrid")
    scheduled(admin_api, first_check(other), csm, "2026-03-02T10:00:00+01:00")


def test_only_a_scheduled_check_has_a_date_to_take_away(
    admin_api: ApiClient, contract, csm
) -> None:
    completed, due = contract.health_checks.order_by("period_index")[:2]
    assert (
        admin_api.post(f"health-checks/{completed.pk}/complete", completion(csm.pk)).status_code
        == 200
    )
    before = snapshot()
    for check, message in (
        (due, "This health check has no date to cancel."),
        (completed, "This health check is already completed."),
    ):
        response = admin_api.post(f"health-checks/{check.pk}/unschedule")
        assert response.status_code == 409
        assert response.json()["error"] == {"code": "invalid_state", "message": message}
    assert snapshot() == before


def test_a_contact_cannot_take_a_date_away(admin_api: ApiClient, contract, csm) -> None:
    check = first_check(contract)
    scheduled(admin_api, check, csm, "2026-03-02T10:00:00+01:00")
    before = snapshot()
    response = ApiClient(contract.buyer_contact.user).post(f"health-checks/{check.pk}/unschedule")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"
    assert snapshot() == before


def test_a_scheduled_check_downloads_as_a_calendar_event(
    admin_api: ApiClient, contract, csm
) -> None:
    from icalendar import Calendar

    check = first_check(contract)
    scheduled(admin_api, check, csm, "2026-03-02T10:00:00+01:00")
    scheduled(admin_api, check, csm, "2026-03-03T10:00:00+01:00")
    for api in (admin_api, ApiClient(contract.buyer_contact.user)):
        response = api.get(f"health-checks/{check.pk}/ics")
        assert response.status_code == 200
        assert response["Content-Type"] == "text/calendar"
        assert f'filename="health-check-{check.pk}.ics"' in response["Content-Disposition"]
        calendar = Calendar.from_ical(response.content)
        assert calendar["METHOD"] == "PUBLISH"
        event = calendar.walk("VEVENT")[0]
        assert str(event["UID"]) == f"health-check-{check.pk}@successkit"
        assert event["SEQUENCE"] == 1  # the invitation's revision: rescheduled once
        assert event.decoded("DTSTART") == datetime(2026, 3, 3, 9, 0, tzinfo=UTC)


def test_a_check_without_a_date_has_no_calendar_event(admin_api: ApiClient, contract) -> None:
    response = admin_api.get(f"health-checks/{first_check(contract).pk}/ics")
    assert response.status_code == 409
    assert response.json()["error"] == {
        "code": "invalid_state",
        "message": "This health check has no date yet.",
    }
