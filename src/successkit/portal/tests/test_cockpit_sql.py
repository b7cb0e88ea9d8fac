"""The cockpit filters, sorts and counts in the database: what it decides there agrees
with the rules (phase, the training window, what is left) and each attention item
appears exactly from its threshold on."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.utils import timezone

from successkit.accounts.actors import Actor
from successkit.accounts.roles import Role
from successkit.billing.models import HourlyRate
from successkit.contracts.models import Contract
from successkit.engagements import services as engagements
from successkit.factories import ContractFactory, StaffFactory
from successkit.flows import portfolio
from successkit.healthchecks import services as healthchecks
from successkit.support import services as support

pytestmark = pytest.mark.django_db

# A zone far east and one far west of UTC: their "today" differ for half of every day.
ZONES = ("Pacific/Kiritimati", "Pacific/Pago_Pago", "Europe/Madrid")


def local_today(zone: str) -> date:
    return timezone.now().astimezone(ZoneInfo(zone)).date()


def contract(package: str, start_in_days: int, zone: str = "Europe/Madrid", **kwargs) -> Contract:
    """A contract whose term started ``-start_in_days`` days ago in ``zone`` (positive:
    starts in the future), a year long unless ``end_in_days`` says when it ends."""
    today = local_today(zone)
    start = today + timedelta(days=start_in_days)
    end_in_days = kwargs.pop("end_in_days", None)
    end = today + timedelta(days=end_in_days) if end_in_days is not None else start + timedelta(364)
    return ContractFactory(
        package_code=package,
        start_date=start,
        end_date=end,
        organization__timezone=zone,
        **kwargs,
    )


def admin() -> Actor:
    return Actor.of(StaffFactory(roles=[Role.ADMIN], language="en"))


def by_pk(**filters) -> dict[int, Contract]:
    return {row.pk: row for row in portfolio.portfolio(admin(), **filters)}


def kinds(contract_: Contract) -> dict[str, int]:
    shown = portfolio.rows_of([by_pk()[contract_.pk]])[0]
    return {item.kind: item.count for item in shown.attention}


def test_phase_window_and_left_agree_with_the_rules_in_every_zone() -> None:
    made = []
    for zone in ZONES:
        for package in ("launch_kit", "pro_lite", "premium"):
            for start in (-400, -95, -89, -80, -1, 0, 1, 30):
                made.append(contract(package, start, zone))
        made.append(contract("launch_kit", -10, zone, end_in_days=20))  # shorter than 90 days
    actor = admin()
    for pk, found in by_pk().items():
        expected = Contract.objects.get(pk=pk)
        today = expected.today()
        entitlement = engagements.training_entitlement(expected, today)
        assert found.phase_code == expected.phase(today).value, expected  # type: ignore[attr-defined]
        assert found.window_end == entitlement.window.end, expected  # type: ignore[attr-defined]
        assert found.remaining_minutes == entitlement.remaining_minutes, expected  # type: ignore[attr-defined]
    for phase in ("upcoming", "active", "ended"):
        kept = {row.pk for row in portfolio.portfolio(actor, phase=phase)}
        assert kept == {c.pk for c in made if c.phase().value == phase}
    assert not portfolio.portfolio(actor, phase="bogus").exists()


def test_a_launch_kit_window_closing_within_14_days_with_minutes_left_needs_attention() -> None:
    closing = contract("launch_kit", -76)  # the window's last day (day 90) is in 13 days
    edge = contract("launch_kit", -75)  # ... in 14 days
    later = contract("launch_kit", -74)  # ... in 15 days
    closed = contract("launch_kit", -90)  # ended yesterday
    assert kinds(closing) == {"window_closing": 240}
    assert kinds(edge) == {"window_closing": 240}
    assert "window_closing" not in kinds(later)
    assert "window_closing" not in kinds(closed)


def test_contracts_ending_within_60_days_need_attention_only_while_active() -> None:
    soon = contract("premium", -300, end_in_days=60)
    not_yet = contract("premium", -300, end_in_days=61)
    upcoming_short = contract("premium", 10, end_in_days=40)
    assert kinds(soon).get("ending_soon") == 60
    assert "ending_soon" not in kinds(not_yet)
    assert "ending_soon" not in kinds(upcoming_short)


def test_missed_and_unscheduled_checks_are_counted_in_the_buyers_calendar() -> None:
    late = contract("pro_lite", -200)  # period 1 missed, period 2 due now without a date
    assert kinds(late) == {"checks_missed": 2, "checks_unscheduled": 1}
    current = late.health_checks.order_by("period_index")[2]
    healthchecks.schedule_health_check(
        admin(),
        current,
        scheduled_for=timezone.now() + timedelta(days=2),
        staff_id=late.representative_id,
    )
    assert kinds(late) == {"checks_missed": 2}


def test_unbilled_minutes_need_attention_after_30_days() -> None:
    HourlyRate.objects.create(currency="EUR", hourly_rate="150.00", effective_from=date(2000, 1, 1))
    old = contract("pro_lite", -100, zone="Pacific/Kiritimati")
    recent = contract("pro_lite", -100, zone="Pacific/Pago_Pago")

    def deliver(target: Contract, days_ago: int) -> None:
        rep = Actor.of(target.representative)
        day = local_today(target.organization.timezone) - timedelta(days=days_ago)
        starts_at = datetime.combine(day, time(0, 30), ZoneInfo(target.organization.timezone))
        session = engagements.book_session(
            rep,
            target,
            type_code="additional_training",
            starts_at=starts_at,
            duration_minutes=30,
            accept_billable=True,
        )
        engagements.complete_session(rep, session, actual_minutes=30, accept_billable=True)

    deliver(old, 31)
    deliver(recent, 30)
    assert kinds(old).get("unbilled_old") == 31
    assert "unbilled_old" not in kinds(recent)
    assert [c.pk for c in portfolio.portfolio(admin(), sort="unbilled")][:2] == sorted(
        [old.pk, recent.pk]
    )


def test_sorts_and_the_attention_filter_run_in_the_database() -> None:
    quiet = contract("launch_kit", -10, organization__name="beta quiet")  # no checks owed
    ending = contract("premium", -300, end_in_days=30, organization__name="Alpha ending")
    closing = contract("launch_kit", -80, organization__name="Gamma closing")
    actor = admin()
    assert [c.pk for c in portfolio.portfolio(actor, sort="organization")] == [
        ending.pk,
        quiet.pk,
        closing.pk,
    ]
    assert [c.pk for c in portfolio.portfolio(actor, sort="end")] == [
        ending.pk,  # in 30 days
        closing.pk,  # in 284
        quiet.pk,  # in 354
    ]
    # 120 minutes left on the Premium, 240 on each Launch Kit (the older contract first).
    assert [c.pk for c in portfolio.portfolio(actor, sort="left")] == [
        ending.pk,
        quiet.pk,
        closing.pk,
    ]
    flagged = [c.pk for c in portfolio.portfolio(actor, attention_only=True)]
    assert quiet.pk not in flagged and set(flagged) == {ending.pk, closing.pk}
    assert [c.pk for c in portfolio.portfolio(actor)][-1] == quiet.pk


def test_cases_waiting_on_the_vendor_longest_lead_to_the_case() -> None:
    target = contract("pro_lite", -50, organization__name="Waiting Clinic")
    buyer = Actor.of(target.buyer_contact.user)
    desk = Actor.of(StaffFactory(roles=[Role.SUPPORT]))
    oldest = support.open_case(buyer, target, case_type="technical_issue", subject="Sync broken")
    newer = support.open_case(buyer, target, case_type="product_question", subject="Sizes")
    answered = support.open_case(buyer, target, case_type="product_question", subject="Colours")
    support.change_status(desk, answered, "waiting_on_buyer")  # the buyer's move
    type(oldest).objects.filter(pk=oldest.pk).update(opened_at=timezone.now() - timedelta(days=9))
    type(newer).objects.filter(pk=newer.pk).update(opened_at=timezone.now() - timedelta(days=2))

    client = Client()
    client.force_login(StaffFactory(roles=[Role.ADMIN], language="en"))
    page = client.get("/?accounts=all").content.decode()

    waiting = re.findall(r'data-attention="waiting_on_vendor" data-case="(\d+)"', page)
    assert waiting == [str(oldest.pk), str(newer.pk)]
    assert "Case “Sync broken” has waited on us for 9 days" in page
    assert f'href="/support/cases/{oldest.pk}/"' in page
    # A buyer's answer hands the case back: its wait starts again.
    support.post_message(buyer, answered, body="Black, please.")
    page = client.get("/?accounts=all").content.decode()
    waiting = re.findall(r'data-attention="waiting_on_vendor" data-case="(\d+)"', page)
    assert waiting == [str(oldest.pk), str(newer.pk), str(answered.pk)]
    assert "Case “Colours” has waited on us since today" in page
    assert "for 0 days" not in page


def test_a_contract_ending_today_says_today_not_in_0_days() -> None:
    contract("pro_lite", -300, end_in_days=0, organization__name="Last Day Clinic")
    client = Client()
    client.force_login(StaffFactory(roles=[Role.ADMIN], language="en"))
    page = client.get("/?accounts=all").content.decode()
    assert "Contract ends today" in page
    assert "0 days" not in page
    card = page.split("Last Day Clinic", 2)[2]
    assert '<small class="muted">today</small>' in card
