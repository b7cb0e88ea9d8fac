from __future__ import annotations

import threading

import pytest
from django.db import connection

from successkit.accounts.roles import Role
from successkit.conftest import ApiClient
from successkit.factories import StaffFactory
from successkit.healthchecks.models import ActionItem, HealthCheckEvent
from successkit.healthchecks.tests.factories import contract_with_checks


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_completions_record_the_check_once(clock) -> None:
    contract = contract_with_checks()
    check = contract.health_checks.get(period_index=0)
    staff = StaffFactory(roles=[Role.CSM])
    clients = [ApiClient(StaffFactory(roles=[Role.ADMIN])) for _ in range(2)]
    barrier = threading.Barrier(2)
    statuses: list[int] = []

    def complete(api: ApiClient, n: int) -> None:
        try:
            barrier.wait()
            body = {
                "held_on": "2026-01-28",
                "staff_id": str(staff.pk),
                "summary": f"Summary {n}",
                "action_items": [{"description": "a", "owner": "b", "due_on": "2026-02-01"}],
            }
            statuses.append(api.post(f"health-checks/{check.pk}/complete", body).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=complete, args=(api, n)) for n, api in enumerate(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [200, 409]
    assert HealthCheckEvent.objects.filter(kind="completed").count() == 1
    assert ActionItem.objects.count() == 1
