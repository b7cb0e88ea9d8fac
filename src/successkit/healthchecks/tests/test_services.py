from __future__ import annotations

import importlib
from datetime import UTC, date, datetime

import pytest
from django.apps import apps

from successkit.accounts.actors import Actor
from successkit.accounts.roles import Role
from successkit.contracts.errors import RoleNotAllowed
from successkit.contracts.models import Contract
from successkit.core.errors import ValidationFailed
from successkit.factories import ContactFactory, ContractFactory, OrganizationFactory, StaffFactory
from successkit.flows import contracts as flows
from successkit.healthchecks import rules, services
from successkit.healthchecks.errors import HealthCheckWouldBeLost, OutsidePeriod
from successkit.healthchecks.models import HealthCheck, HealthCheckEvent, HealthCheckState
from successkit.healthchecks.rules import HealthCheckStatus
from successkit.healthchecks.tests.factories import contract_with_checks

pytestmark = pytest.mark.django_db


def periods(contract: Contract) -> list[tuple[int, date, date]]:
    return list(
        contract.health_checks.order_by("period_index").values_list(
            "period_index", "period_start", "period_end"
        )
    )


def snapshot() -> tuple[object, ...]:
    return (
        list(HealthCheck.objects.order_by("pk").values()),
        HealthCheckEvent.objects.count(),
        list(Contract.objects.order_by("pk").values_list("pk", "end_date")),
    )


def admin() -> Actor:
    return Actor.of(StaffFactory(roles=[Role.ADMIN]))


def sell(package: str, start: date, end: date) -> Contract:
    organization = OrganizationFactory()
    return flows.sell_contract(
        admin(),
        organization_id=organization.pk,
        package=package,
        start_date=start,
        end_date=end,
        representative_id=StaffFactory(
            roles=[Role.ACCOUNT_MANAGER if package == "launch_kit" else Role.CSM]
        ).pk,
        buyer_contact_id=ContactFactory(organization=organization).pk,
        currency="EUR",
    )


def test_selling_a_contract_writes_one_due_check_per_period(clock) -> None:
    pro_lite = sell("pro_lite", date(2026, 1, 31), date(2027, 1, 30))
    assert periods(pro_lite) == [
        (0, date(2026, 1, 31), date(2026, 4, 29)),
        (1, date(2026, 4, 30), date(2026, 7, 30)),
        (2, date(2026, 7, 31), date(2026, 10, 30)),
        (3, date(2026, 10, 31), date(2027, 1, 30)),
    ]
    assert set(pro_lite.health_checks.values_list("state", flat=True)) == {"due"}
    premium = sell("premium", date(2026, 1, 31), date(2027, 1, 30))
    assert [p[1] for p in periods(premium)][:4] == [
        date(2026, 1, 31),
        date(2026, 2, 28),
        date(2026, 3, 31),
        date(2026, 4, 30),
    ]
    assert premium.health_checks.count() == 12
    assert sell("launch_kit", date(2026, 1, 31), date(2027, 1, 30)).health_checks.count() == 0


def test_a_refused_sale_writes_no_health_check(clock) -> None:
    organization = OrganizationFactory()
    with pytest.raises(RoleNotAllowed):
        flows.sell_contract(
            admin(),
            organization_id=organization.pk,
            package="premium",
            start_date=date(2026, 1, 1),
            end_date=date(2026, 12, 31),
            representative_id=StaffFactory(roles=[Role.SUPPORT]).pk,
            buyer_contact_id=ContactFactory(organization=organization).pk,
            currency="EUR",
        )
    assert HealthCheck.objects.count() == 0


def test_extending_the_term_adds_the_periods_it_now_holds(clock) -> None:
    contract = contract_with_checks(end_date=date(2026, 5, 30))
    assert periods(contract) == [
        (0, date(2026, 1, 15), date(2026, 4, 14)),
        (1, date(2026, 4, 15), date(2026, 5, 30)),
    ]
    first_ids = list(contract.health_checks.values_list("pk", flat=True))
    flows.change_end_date(admin(), contract, end_date=date(2027, 1, 14))
    assert periods(contract) == [
        (0, date(2026, 1, 15), date(2026, 4, 14)),
        (1, date(2026, 4, 15), date(2026, 7, 14)),
        (2, date(2026, 7, 15), date(2026, 10, 14)),
        (3, date(2026, 10, 15), date(2027, 1, 14)),
    ]
    assert list(contract.health_checks.values_list("pk", flat=True))[:2] == first_ids


def test_shortening_the_term_drops_future_empty_periods_and_keeps_a_completed_check(
    clock,
) -> None:
    contract = contract_with_checks()
    first = contract.health_checks.get(period_index=0)
    services.complete_health_check(
        admin(),
        first,
        held_on=date(2026, 1, 20),
        staff_id=StaffFactory(roles=[Role.CSM]).pk,
        summary="Rollout on track.",
    )
    flows.change_end_date(admin(), contract, end_date=date(2026, 6, 30))
    assert periods(contract) == [
        (0, date(2026, 1, 15), date(2026, 4, 14)),
        (1, date(2026, 4, 15), date(2026, 6, 30)),
    ]
    kept = contract.health_checks.get(period_index=0)
    assert (kept.pk, kept.state, kept.summary) == (first.pk, "completed", "Rollout on track.")


def test_shortening_the_term_that_would_lose_a_scheduled_check_is_refused(clock) -> None:
    contract = contract_with_checks()
    check = contract.health_checks.get(period_index=1)
    services.schedule_health_check(
        admin(),
        check,
        scheduled_for=datetime(2026, 6, 10, 8, 0, tzinfo=UTC),
        staff_id=StaffFactory(roles=[Role.CS_ENGINEER]).pk,
    )
    before = snapshot()
    with pytest.raises(HealthCheckWouldBeLost) as refusal:
        flows.change_end_date(admin(), contract, end_date=date(2026, 6, 9))
    assert refusal.value.details == {"field": "end_date", "health_check_number": 2}
    assert snapshot() == before
    flows.change_end_date(admin(), contract, end_date=date(2026, 6, 10))
    assert periods(contract)[-1] == (1, date(2026, 4, 15), date(2026, 6, 10))


def test_a_term_cannot_end_before_a_period_that_has_started(clock) -> None:
    clock.set(datetime(2026, 5, 1, 12, 0, tzinfo=UTC))
    contract = contract_with_checks()
    before = snapshot()
    # Period 2 started on 15 April; ending on 20 May cuts it to 36 of its 91 days, a stub
    # that owes nothing: the running period would be dropped.
    with pytest.raises(HealthCheckWouldBeLost):
        flows.change_end_date(admin(), contract, end_date=date(2026, 5, 20))
    # Before today (1 May) is refused as such.
    with pytest.raises(ValidationFailed) as refusal:
        flows.change_end_date(admin(), contract, end_date=date(2026, 4, 30))
    assert refusal.value.details == {"field": "end_date"}
    assert snapshot() == before


def test_the_period_that_ended_yesterday_in_madrid_has_not_ended_in_new_york(clock) -> None:
    madrid = contract_with_checks(organization__timezone="Europe/Madrid")
    new_york = contract_with_checks(organization__timezone="America/New_York")
    # 15 April 2026, 02:00 UTC: 04:00 on the 15th in Madrid, 22:00 on the 14th in New York;
    # the first period ends on 14 April.
    clock.set(datetime(2026, 4, 15, 2, 0, tzinfo=UTC))
    assert madrid.today() == date(2026, 4, 15)
    assert new_york.today() == date(2026, 4, 14)
    assert madrid.health_checks.get(period_index=0).status() is HealthCheckStatus.MISSED
    assert new_york.health_checks.get(period_index=0).status() is HealthCheckStatus.DUE
    assert services.health_check_tally(madrid).missed == 1
    assert services.health_check_tally(new_york).missed == 0
    # New York may still record it as held today; Madrid's period is over.
    staff = StaffFactory(roles=[Role.CSM])
    services.complete_health_check(
        admin(),
        new_york.health_checks.get(period_index=0),
        held_on=date(2026, 4, 14),
        staff_id=staff.pk,
        summary="Held on the last day.",
    )
    with pytest.raises(OutsidePeriod):
        services.complete_health_check(
            admin(),
            madrid.health_checks.get(period_index=0),
            held_on=date(2026, 4, 15),
            staff_id=staff.pk,
            summary="Too late.",
        )


def test_compliance_counts_each_check_on_its_own_buyers_day_at_any_hour(clock) -> None:
    """Four buyers from UTC-12 to UTC+14, each with a Pro Lite whose first period ends
    on 14 April and whose second starts on 15 April: the portfolio's counts and its list
    of checks needing a date are, at every moment, those of each check's own status on
    its buyer's today (``HealthCheck.status``, ``rules.needs_a_date``), including the
    hours when the buyers' todays are two or three different days."""
    zones = ["Etc/GMT+12", "America/Los_Angeles", "Europe/Madrid", "Pacific/Kiritimati"]
    contracts = [contract_with_checks(organization__timezone=zone) for zone in zones]
    moments = [
        datetime(2026, 3, 17, 2, 0, tzinfo=UTC),  # 17 March in Madrid, 16th in Los Angeles
        datetime(2026, 4, 14, 10, 30, tzinfo=UTC),  # 13th, 14th and 15th April
        datetime(2026, 4, 14, 23, 30, tzinfo=UTC),
        datetime(2026, 4, 15, 11, 30, tzinfo=UTC),
        datetime(2026, 6, 1, 15, 0, tzinfo=UTC),
    ]
    seen_days = set()
    for moment in moments:
        clock.set(moment)
        todays = {contract.pk: contract.today() for contract in contracts}
        seen_days.add(len(set(todays.values())))
        checks = list(HealthCheck.objects.select_related("contract__organization"))
        expected = rules.tally(
            (check.status(todays[check.contract_id]), check.recorded_late) for check in checks
        )
        needing = sorted(
            (check.period_end, check.contract_id, check.period_index)
            for check in checks
            if rules.needs_a_date(
                check.status(todays[check.contract_id]), check.period, todays[check.contract_id]
            )
        )
        report = services.compliance(None)
        assert report.total == expected, moment
        assert [
            (check.period_end, check.contract_id, check.period_index)
            for check in report.needing_a_date
        ] == needing, moment
        assert report.needing_a_date.count() == len(needing)
    assert seen_days == {2, 3}  # two and three different days at once were tried
    # On 14 April 10:30 UTC the first check is missed only where the 15th has begun.
    clock.set(moments[1])
    report = services.compliance(None)
    assert (report.total.missed, report.total.due) == (1, 15)


def test_a_scheduled_time_counts_on_the_organizations_calendar(clock) -> None:
    contract = contract_with_checks(organization__timezone="America/New_York")
    check = contract.health_checks.get(period_index=0)
    staff = StaffFactory(roles=[Role.CSM])
    # 15 April 01:00 UTC is still 14 April, 21:00 in New York: inside the first period.
    scheduled = services.schedule_health_check(
        admin(), check, scheduled_for=datetime(2026, 4, 15, 1, 0, tzinfo=UTC), staff_id=staff.pk
    )
    assert scheduled.state == HealthCheckState.SCHEDULED
    with pytest.raises(OutsidePeriod):
        services.schedule_health_check(
            admin(),
            check,
            scheduled_for=datetime(2026, 4, 15, 4, 0, tzinfo=UTC),
            staff_id=staff.pk,
        )


def test_tally_for_entitlements(clock) -> None:
    clock.set(datetime(2026, 8, 1, 12, 0, tzinfo=UTC))
    contract = contract_with_checks()
    services.complete_health_check(
        admin(),
        contract.health_checks.get(period_index=1),
        held_on=date(2026, 5, 5),
        staff_id=StaffFactory(roles=[Role.CSM]).pk,
        summary="Done.",
    )
    counts = services.health_check_tally(contract)
    assert (counts.owed, counts.completed, counts.missed, counts.upcoming) == (4, 1, 1, 2)
    early = services.health_check_tally(contract, as_of=date(2026, 2, 1))
    assert (early.completed, early.missed, early.upcoming) == (1, 0, 3)


def test_the_migration_backfills_contracts_sold_before_health_checks(clock) -> None:
    contract = ContractFactory(
        start_date=date(2026, 1, 15), end_date=date(2027, 1, 14), health_checks=False
    )
    ContractFactory(package_code="launch_kit", health_checks=False)
    assert HealthCheck.objects.count() == 0
    migration = importlib.import_module("successkit.healthchecks.migrations.0002_backfill_periods")
    migration.backfill(apps, None)
    migration.backfill(apps, None)
    assert periods(contract)[0] == (0, date(2026, 1, 15), date(2026, 4, 14))
    assert HealthCheck.objects.count() == 4
