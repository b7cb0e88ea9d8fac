"""Contracts with their health checks, as a sale through the services would leave them
(``successkit.factories.ContractFactory`` writes the contract row alone)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction

from successkit.accounts.actors import Actor
from successkit.accounts.roles import Role
from successkit.contracts.models import Contract
from successkit.factories import ContractFactory, StaffFactory
from successkit.healthchecks import services
from successkit.healthchecks.models import HealthCheck

SUMMARY = "Rollout on track: 120 <rings> sized & 80 distributed."


def contract_with_checks(
    package_code: str = "pro_lite",
    start_date: date = date(2026, 1, 15),
    end_date: date = date(2027, 1, 14),
    **kwargs: Any,
) -> Contract:
    contract = ContractFactory(
        package_code=package_code, start_date=start_date, end_date=end_date, **kwargs
    )
    with transaction.atomic():
        services.sync_health_checks(contract)
    return contract


def completed_check(contract: Contract, **changes: Any) -> HealthCheck:
    """The contract's first check, held on 28 January 2026 by a CSM, with one action item."""
    staff = StaffFactory(roles=[Role.CSM], name="Lucía Ortega")
    options: dict[str, Any] = {
        "held_on": date(2026, 1, 28),
        "staff_id": staff.pk,
        "summary": SUMMARY,
        "overall_status": "amber",
        "action_items": [
            services.ActionItemIn("Order 40 more rings", "Elena García", date(2026, 2, 15))
        ],
        "attendees": ["Elena García"],
        **changes,
    }
    return services.complete_health_check(
        Actor.of(StaffFactory(roles=[Role.ADMIN])),
        contract.health_checks.get(period_index=0),
        **options,
    )
