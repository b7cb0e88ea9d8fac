from __future__ import annotations

from collections.abc import Callable

import pytest

from successkit.accounts.roles import Role
from successkit.conftest import ApiClient, race
from successkit.factories import StaffFactory
from successkit.healthchecks.models import ActionItem, HealthCheckEvent
from successkit.healthchecks.tests.factories import contract_with_checks


@pytest.mark.django_db(transaction=True)
@pytest.mark.needs_row_locks
def test_two_simultaneous_completions_record_the_check_once(clock) -> None:
    contract = contract_with_checks()
    check = contract.health_checks.get(period_index=0)
    staff = StaffFactory(roles=[Role.CSM])
    clients = [ApiClient(StaffFactory(roles=[Role.ADMIN])) for _ in range(2)]

    def complete(api: ApiClient, n: int) -> Callable[[], int]:
        body = {
            "held_on": "2026-01-28",
            "staff_id": str(staff.pk),
            "summary": f"Summary {n}",
            "action_items": [{"description": "a", "owner": "b", "due_on": "2026-02-01"}],
        }
        return lambda: api.post(f"health-checks/{check.pk}/complete", body).status_code

    statuses = race([complete(api, n) for n, api in enumerate(clients)])
    assert sorted(statuses) == [200, 409]
    assert HealthCheckEvent.objects.filter(kind="completed").count() == 1
    assert ActionItem.objects.count() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.needs_row_locks
def test_two_simultaneous_cancellations_of_a_date_cancel_it_once(clock) -> None:
    from successkit.outbox.models import Event

    contract = contract_with_checks()
    check = contract.health_checks.get(period_index=0)
    staff = StaffFactory(roles=[Role.CSM])
    clients = [ApiClient(StaffFactory(roles=[Role.ADMIN])) for _ in range(2)]
    scheduled = clients[0].post(
        f"health-checks/{check.pk}/schedule",
        {"scheduled_for": "2026-03-02T10:00:00+01:00", "staff_id": str(staff.pk)},
    )
    assert scheduled.status_code == 200

    def unschedule(api: ApiClient) -> Callable[[], int]:
        return lambda: api.post(f"health-checks/{check.pk}/unschedule").status_code

    statuses = race([unschedule(api) for api in clients])
    assert sorted(statuses) == [200, 409]
    assert HealthCheckEvent.objects.filter(kind="unscheduled").count() == 1
    # One cancellation to mail: each reader gets it once.
    assert Event.objects.filter(type="health_check.unscheduled").count() == 1
