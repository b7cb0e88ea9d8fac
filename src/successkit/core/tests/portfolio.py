"""A portfolio of contracts with history, built through the services: what the query-count
tests grow from 2 to 12 contracts to show that a page's queries do not grow with it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.utils import timezone

from successkit.accounts.actors import Actor
from successkit.accounts.models import User
from successkit.accounts.roles import Role
from successkit.billing import services as billing
from successkit.billing.models import HourlyRate
from successkit.contracts.models import Contract
from successkit.engagements import services as engagements
from successkit.factories import ContractFactory, StaffFactory
from successkit.flows import contracts as flows
from successkit.healthchecks import services as healthchecks
from successkit.notifications.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from successkit.outbox.models import Event
from successkit.support import services as support

# Organizations east and west of UTC, so that "today" differs between them near midnight.
ZONES = ("Europe/Madrid", "America/New_York", "Asia/Tokyo", "UTC")


@dataclass
class Staff:
    admin: User
    csm: User
    finance: User
    support: User


def staff() -> Staff:
    for currency in ("EUR", "USD"):
        HourlyRate.objects.get_or_create(
            currency=currency,
            effective_from=date(2000, 1, 1),
            defaults={"hourly_rate": Decimal("150.00")},
        )
    return Staff(
        admin=StaffFactory(roles=[Role.ADMIN], language="en"),
        csm=StaffFactory(roles=[Role.CSM], language="en"),
        finance=StaffFactory(roles=[Role.FINANCE], language="en"),
        support=StaffFactory(roles=[Role.SUPPORT], language="en"),
    )


def _at(contract: Contract, day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=ZoneInfo(contract.organization.timezone))


def contract_with_history(people: Staff, index: int) -> Contract:
    """A Pro Lite seven months in: sessions in every state (one past its start still
    booked), a statement and a correction, unbilled minutes, a held and a scheduled check,
    an order, an escalated case with replies and notes, a term change, a webhook."""
    today = timezone.localdate()
    start = today - timedelta(days=200 + index)  # the shared CSM is never busy twice
    contract = ContractFactory(
        package_code="pro_lite",
        start_date=start,
        end_date=start + timedelta(days=364),
        representative=people.csm if index % 2 == 0 else StaffFactory(roles=[Role.CSM]),
        organization__name=f"Clinic {index:03d}",
        organization__timezone=ZONES[index % len(ZONES)],
        currency="EUR" if index % 3 else "USD",
    )
    admin = Actor.of(people.admin)
    rep = Actor.of(contract.representative)

    def book(kind: str, day: date, minutes: int = 60) -> object:
        return engagements.book_session(
            rep,
            contract,
            type_code=kind,
            starts_at=_at(contract, day),
            duration_minutes=minutes,
            platforms=["hrm", "teams"] if kind == "software_training" else [],
            accept_billable=True,
        )

    engagements.complete_session(rep, book("kickoff", start + timedelta(days=3)), actual_minutes=60)
    billed = book("additional_training", start + timedelta(days=30))
    engagements.complete_session(rep, billed, actual_minutes=60, accept_billable=True)
    statement = billing.issue_statement(
        Actor.of(people.finance),
        contract,
        period_start=start,
        period_end=start + timedelta(days=40),
    )
    billing.record_adjustment(
        Actor.of(people.finance), statement, amount="-10.00", reason="Goodwill"
    )
    implementation = book("implementation", start + timedelta(days=60), 45)
    engagements.add_material(rep, implementation, title="Slides", url="https://example.test/s")
    engagements.record_no_show(rep, implementation)
    late = book("additional_training", today - timedelta(days=45 + index), 30)
    engagements.complete_session(rep, late, actual_minutes=30, accept_billable=True)
    book("software_training", today - timedelta(days=1 + index))  # past its start, still booked
    book("additional_training", today + timedelta(days=20 + index))

    checks = list(contract.health_checks.order_by("period_index"))
    healthchecks.complete_health_check(
        admin,
        checks[0],
        held_on=checks[0].period_start + timedelta(days=5),
        staff_id=people.csm.pk,
        summary="On plan.",
        overall_status="green",
    )
    # Each contract's check at its own hour (UTC), in whichever period that day falls.
    when = datetime.combine(today + timedelta(days=3), time(0), tzinfo=UTC)
    when += timedelta(hours=2 * index)
    day = when.astimezone(ZoneInfo(contract.organization.timezone)).date()
    current = next(check for check in checks if day in check.period)
    healthchecks.schedule_health_check(admin, current, scheduled_for=when, staff_id=people.csm.pk)

    desk = Actor.of(people.support)
    support.record_order(
        desk,
        contract,
        reference=f"ORD-{index}",
        lines=[support.LineIn(sku="OURA-GEN4-SILVER", size="9", quantity=3, colour="silver")],
        placed_on=today - timedelta(days=20),
        received_on=today - timedelta(days=10),
    )
    buyer = Actor.of(contract.buyer_contact.user)
    case = support.open_case(
        buyer, contract, case_type="technical_issue", subject=f"Members missing {index}"
    )
    support.assign_case(desk, case, people.support.pk)
    support.post_message(desk, case, body="Looking into it.")
    support.post_message(desk, case, body="Invitations bounced.", internal=True)
    support.escalate_case(rep, case, reason="Blocking the rollout", queue="customer_success")
    waiting = support.open_case(buyer, contract, case_type="product_question", subject="Sizes?")
    support.post_message(desk, waiting, body="Which sizes?")
    support.change_status(desk, waiting, "waiting_on_buyer")

    flows.change_end_date(admin, contract, end_date=contract.end_date + timedelta(days=30))

    endpoint = WebhookEndpoint.objects.create(
        url=f"https://hooks.example.test/{index}",
        events=["session.booked"],
        secret="whsec_x",
        created_by=people.admin,
    )
    for event in Event.objects.order_by("-id")[:2]:
        delivery = WebhookDelivery.objects.create(
            endpoint=endpoint, event=event, webhook_id=f"msg_{event.pk}", type=event.type, body="{}"
        )
        WebhookAttempt.objects.create(delivery=delivery, status_code=500, ok=False)
        WebhookAttempt.objects.create(delivery=delivery, status_code=200, ok=True)
    return contract


def grow(people: Staff, count: int, first: int = 0) -> list[Contract]:
    return [contract_with_history(people, first + index) for index in range(count)]
