"""Demo data: staff of every role, an English and a Spanish buyer, one contract of each
package at a different point of its life. Built through the services, so the demo obeys
the same rules as real use. Running it again changes nothing."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import transaction

from successkit.accounts import services as accounts
from successkit.accounts.actors import Actor
from successkit.accounts.models import Contact, Organization, User
from successkit.accounts.roles import Role
from successkit.contracts.models import Contract
from successkit.engagements import services as engagements
from successkit.flows import contracts as flows
from successkit.flows import rates
from successkit.healthchecks import services as healthchecks
from successkit.healthchecks.models import HealthCheck
from successkit.support import services as support

ADMIN_EMAIL = "admin@demo.successkit.test"
ADMIN_PASSWORD = "demo-admin-2026"
STAFF_PASSWORD = "demo-staff-2026"
CONTACT_PASSWORD = "demo-buyer-2026"

STAFF = [
    ("am@demo.successkit.test", "Alex Morgan", [Role.ACCOUNT_MANAGER], "en"),
    ("csm@demo.successkit.test", "Lucía Ortega", [Role.CSM], "es"),
    ("engineer@demo.successkit.test", "Sam Patel", [Role.CS_ENGINEER], "en"),
    ("trainer@demo.successkit.test", "Marta Ruiz", [Role.LD_SPECIALIST], "es"),
    ("support@demo.successkit.test", "Jordan Lee", [Role.SUPPORT], "en"),
    ("finance@demo.successkit.test", "Carmen Vidal", [Role.FINANCE], "es"),
]

CONTACTS = [("elena@clinica-horizonte.test", "es"), ("chris@northwind.test", "en")]


@dataclass
class Demo:
    admin: User
    staff: dict[str, User] = field(default_factory=dict)
    organizations: list[Organization] = field(default_factory=list)
    contracts: list[Contract] = field(default_factory=list)
    created: bool = True


@transaction.atomic
def build_demo(today: date | None = None) -> Demo:
    today = today or date.today()
    existing = User.objects.filter(email=ADMIN_EMAIL).first()
    if existing is not None:
        return Demo(admin=existing, created=False)
    admin = accounts.create_staff(
        None, email=ADMIN_EMAIL, name="Demo Admin", roles=[Role.ADMIN], password=ADMIN_PASSWORD
    )
    demo = Demo(admin=admin)
    actor = Actor.of(admin)
    for email, name, roles, language in STAFF:
        demo.staff[roles[0]] = accounts.create_staff(
            None, email=email, name=name, roles=roles, password=STAFF_PASSWORD, language=language
        )

    clinic = accounts.create_organization(
        actor, name="Clínica Horizonte", country="ES", timezone="Europe/Madrid", language="es"
    )
    logistics = accounts.create_organization(
        actor, name="Northwind Logistics", country="US", timezone="America/New_York", language="en"
    )
    demo.organizations = [clinic, logistics]
    clinic_contact = accounts.create_contact(
        actor,
        clinic,
        name="Elena García",
        email=CONTACTS[0][0],
        language="es",
        password=CONTACT_PASSWORD,
    )
    logistics_contact = accounts.create_contact(
        actor,
        logistics,
        name="Chris Walker",
        email=CONTACTS[1][0],
        language="en",
        password=CONTACT_PASSWORD,
    )

    def sell(
        organization: Organization,
        contact: Contact,
        package: str,
        start: date,
        end: date,
        rep: User,
    ) -> Contract:
        return flows.sell_contract(
            actor,
            organization_id=organization.pk,
            package=package,
            start_date=start,
            end_date=end,
            representative_id=rep.pk,
            buyer_contact_id=contact.pk,
            currency="EUR" if organization.country == "ES" else "USD",
        )

    # A Launch Kit three weeks in: the 90-day pool window is open.
    start = today - timedelta(days=20)
    demo.contracts.append(
        sell(
            clinic,
            clinic_contact,
            "launch_kit",
            start,
            start + timedelta(days=364),
            demo.staff[Role.ACCOUNT_MANAGER],
        )
    )
    # A Pro Lite seven months in: two quarterly checks behind it.
    start = today - timedelta(days=213)
    demo.contracts.append(
        sell(
            logistics,
            logistics_contact,
            "pro_lite",
            start,
            start + timedelta(days=364),
            demo.staff[Role.CSM],
        )
    )
    # A Premium that ended last month: its whole history is there to report on.
    start = today - timedelta(days=400)
    demo.contracts.append(
        sell(
            clinic,
            clinic_contact,
            "premium",
            start,
            start + timedelta(days=364),
            demo.staff[Role.CSM],
        )
    )
    _add_rates_and_sessions(demo, today)
    _health_check_history(demo, actor, today)
    add_support_demo(demo, today)
    return demo


def _at(contract: Contract, day: int, hour: int = 10) -> datetime:
    """Contract day ``day`` (the start is day 1) at ``hour`` in the buyer's time zone."""
    local = datetime.combine(contract.start_date + timedelta(days=day - 1), time(hour))
    return local.replace(tzinfo=ZoneInfo(contract.organization.timezone))


def _add_rates_and_sessions(demo: Demo, today: date) -> None:
    """Hourly rates, and training sessions in every state on each contract."""
    actor = Actor.of(demo.admin)
    since = today - timedelta(days=730)
    rates.add_rate(actor, currency="EUR", hourly_rate="150.00", effective_from=since)
    rates.add_rate(actor, currency="USD", hourly_rate="165.00", effective_from=since)
    launch, pro_lite, premium = demo.contracts

    def session(contract: Contract, kind: str, day: int, minutes: int, **options: object):
        return engagements.book_session(
            Actor.of(contract.representative),
            contract,
            type_code=kind,
            starts_at=_at(contract, day),
            duration_minutes=minutes,
            platforms=["teams", "hrm"] if kind == "software_training" else [],
            accept_billable=bool(options.get("accept_billable")),
        )

    rep = Actor.of(launch.representative)
    engagements.complete_session(rep, session(launch, "kickoff", 3, 60), actual_minutes=55)
    session(launch, "implementation", 30, 60)

    rep = Actor.of(pro_lite.representative)
    engagements.complete_session(rep, session(pro_lite, "kickoff", 5, 60), actual_minutes=60)
    engagements.record_no_show(rep, session(pro_lite, "implementation", 40, 45))
    engagements.complete_session(
        rep,
        session(pro_lite, "additional_training", 120, 90, accept_billable=True),
        actual_minutes=90,
    )
    session(pro_lite, "software_training", 240, 60, accept_billable=True)

    rep = Actor.of(premium.representative)
    for kind, day in (("kickoff", 2), ("implementation", 20), ("software_training", 45)):
        engagements.complete_session(
            rep, session(premium, kind, day, 60, accept_billable=True), actual_minutes=60
        )


# Premium's monthly checks: held (with the overall status), or missed (None).
_PREMIUM_HISTORY = ["green", "green", "amber", None, "green", "amber", "red", "amber", "green"]
_PREMIUM_HISTORY += ["green", None, None]


def _health_check_history(demo: Demo, actor: Actor, today: date) -> None:
    """Pro Lite: its first quarterly check held, the second missed, the third scheduled.
    Premium: nine of its twelve monthly checks held, three missed."""
    _launch_kit, pro_lite, premium = demo.contracts
    holders = [demo.staff[Role.CSM], demo.staff[Role.CS_ENGINEER], demo.staff[Role.LD_SPECIALIST]]

    def hold(check: HealthCheck, status: str, staff: User) -> None:
        healthchecks.complete_health_check(
            actor,
            check,
            held_on=check.period_start + timedelta(days=9),
            staff_id=staff.pk,
            summary=_DEMO_SUMMARIES[check.contract.organization.language][status],
            overall_status=status,
            attendees=[check.contract.buyer_contact.user.name],
            action_items=[
                healthchecks.ActionItemIn(
                    _DEMO_ACTIONS[check.contract.organization.language][status],
                    check.contract.buyer_contact.user.name,
                    check.period_start + timedelta(days=30),
                )
            ],
        )

    pro_lite_checks = list(pro_lite.health_checks.order_by("period_index"))
    hold(pro_lite_checks[0], "green", demo.staff[Role.CSM])
    current = pro_lite_checks[2]
    day = today + timedelta(days=14)
    if day in current.period:
        healthchecks.schedule_health_check(
            actor,
            current,
            scheduled_for=datetime.combine(day, time(10), ZoneInfo(pro_lite.organization.timezone)),
            staff_id=demo.staff[Role.CSM].pk,
            attendees=[pro_lite.buyer_contact.user.name],
        )
    for check, status in zip(
        premium.health_checks.order_by("period_index"), _PREMIUM_HISTORY, strict=True
    ):
        if status is not None:
            hold(check, status, holders[check.period_index % len(holders)])


# Free text as staff would type it, in the buyer's language.
_DEMO_SUMMARIES = {
    "en": {
        "green": "Rollout on plan: rings sized and distributed as agreed, platform adoption "
        "growing, no open cases.",
        "amber": "Distribution behind plan at two sites; adoption steady; one open exchange case.",
        "red": "Ring distribution stalled and half of the invited members never signed in; "
        "escalated to the representative.",
    },
    "es": {
        "green": "Despliegue según lo previsto: anillos tallados y distribuidos, la adopción de "
        "la plataforma crece y no hay casos abiertos.",
        "amber": "La distribución va con retraso en dos centros; adopción estable; un cambio "
        "pendiente.",
        "red": "La distribución de anillos está parada y la mitad de los miembros invitados no "
        "ha iniciado sesión; escalado al representante.",
    },
}
_DEMO_ACTIONS = {
    "en": {
        "green": "Share the next quarter's rollout plan",
        "amber": "Confirm sizes for the remaining sites",
        "red": "Run a second member-invitation campaign",
    },
    "es": {
        "green": "Compartir el plan de despliegue del próximo trimestre",
        "amber": "Confirmar las tallas de los centros restantes",
        "red": "Lanzar una segunda campaña de invitaciones",
    },
}


# --- support: orders and cases ------------------------------------------------------------


def add_support_demo(demo: Demo, today: date) -> None:
    """An order received twelve days ago with an exchange of a ring size open on it, and a
    technical case of Northwind waiting on the buyer, with an internal note."""
    launch, pro_lite = demo.contracts[0], demo.contracts[1]
    staff = Actor.of(demo.staff[Role.SUPPORT])
    order = support.record_order(
        staff,
        launch,
        reference="HZ-1001",
        lines=[
            support.LineIn(sku="OURA-GEN4-SILVER", size="9", quantity=12, colour="silver"),
            support.LineIn(sku="OURA-GEN4-BLACK", size="11", quantity=8, colour="black"),
        ],
        placed_on=today - timedelta(days=19),
        shipped_on=today - timedelta(days=16),
        received_on=today - timedelta(days=12),
        today=today,
    )
    support.open_case(
        Actor.of(launch.buyer_contact.user),
        launch,
        case_type="exchange",
        subject="Two rings are too small",
        description="Two nurses need size 10 instead of 9.",
        order_id=order.pk,
        exchanges=[support.ExchangeIn(sku="OURA-GEN4-SILVER", size="9", quantity=2, to_size="10")],
        today=today,
    )
    issue = support.open_case(
        Actor.of(pro_lite.buyer_contact.user),
        pro_lite,
        case_type="technical_issue",
        subject="Members do not appear in Oura Teams",
        description="Three invited members accepted but are not listed in their group.",
        today=today,
    )
    support.assign_case(staff, issue, demo.staff[Role.CS_ENGINEER].pk)
    engineer = Actor.of(demo.staff[Role.CS_ENGINEER])
    support.post_message(
        engineer,
        issue,
        body="Invitations were sent to personal addresses; checking.",
        internal=True,
    )
    support.post_message(engineer, issue, body="Which email addresses did the members use?")
    support.change_status(engineer, issue, "waiting_on_buyer")
