"""A synthetic portfolio of N contracts with their history, for measuring at scale
(``successkit demo --contracts N --seed S``, API.md "Scale").

Deterministic for a seed and a day: the same seed on the same ``today`` writes the same
rows. Generated in bulk (``bulk_create`` in chunks, ids taken up front), not through the
services, so the generator itself keeps every invariant the services enforce:

- sessions: single-use types once (a cancelled one may be booked again), covered minutes
  from ``engagements.rules.split_coverage`` in booking order so the pool is never
  overdrawn, one ledger entry per move as ``engagements.services._post`` writes them and a
  running balance equal to their sum (``successkit check_ledger``), billable minutes
  accepted and priced at the rate card's rate in force on the day (``pricing.rules``);
- time: every session and scheduled or held health check takes its staff member's time
  (``BusyInterval``), never two meetings of one staff member at once (each staff
  member's hours are handed out once);
- health checks: one per period of ``healthchecks.rules``, held inside it (some recorded
  late), missed, scheduled or due as the day says;
- statements: every month before the last complete one is billed, numbered from the
  statement counter without a gap, each session once. The last complete month is left for
  ``successkit issue_statements``.

Nothing is published: history sends no mail and no webhooks (no outbox rows).
"""

from __future__ import annotations

import math
import operator
import random
import sys
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from django.contrib.auth.hashers import make_password
from django.db import connection, models, transaction
from django.db.models.base import ModelState
from django.utils import timezone
from tqdm import tqdm

from successkit.accounts.actors import Actor
from successkit.accounts.models import Contact, Organization, StaffRole, User
from successkit.accounts.roles import Role
from successkit.billing import rules as billing_rules
from successkit.billing.models import Statement, StatementCounter, StatementLine
from successkit.billing.services import COUNTER
from successkit.catalog.models import Package, SessionType
from successkit.catalog.services import current_version
from successkit.contracts.models import Contract
from successkit.core.errors import SuccessKitError
from successkit.engagements import rules as engagement_rules
from successkit.engagements.models import (
    BillableAcceptance,
    PoolEntry,
    TrainingPool,
    TrainingSession,
)
from successkit.engagements.rules import SessionStatus
from successkit.flows import rates
from successkit.healthchecks import rules as check_rules
from successkit.healthchecks.models import ActionItem, HealthCheck, HealthCheckEvent
from successkit.pricing import rules as pricing_rules
from successkit.pricing.models import HourlyRate
from successkit.scheduling.models import Availability, BusyInterval, WorkingHours
from successkit.scheduling.rules import MeetingKind
from successkit.support.models import (
    Case,
    CaseEvent,
    CaseLine,
    EventKind,
    ExchangeLine,
    Message,
    Order,
    OrderLine,
)
from successkit.support.rules import CaseStatus, CaseType, queue_for

DOMAIN = "synthetic.successkit.test"
STAFF_PASSWORD = "demo-staff-2026"
CONTACT_PASSWORD = "demo-buyer-2026"
CHUNK = 500  # contracts written per round of bulk inserts
M = TypeVar("M", bound=models.Model)


@dataclass(frozen=True)
class Place:
    country: str
    timezone: str
    language: str
    currency: str
    weight: int


PLACES = [
    Place("ES", "Europe/Madrid", "es", "EUR", 30),
    Place("MX", "America/Mexico_City", "es", "USD", 10),
    Place("CO", "America/Bogota", "es", "USD", 6),
    Place("AR", "America/Argentina/Buenos_Aires", "es", "USD", 4),
    Place("US", "America/New_York", "en", "USD", 20),
    Place("US", "America/Chicago", "en", "USD", 8),
    Place("US", "America/Los_Angeles", "en", "USD", 8),
    Place("GB", "Europe/London", "en", "GBP", 8),
    Place("IE", "Europe/Dublin", "en", "EUR", 3),
    Place("DE", "Europe/Berlin", "en", "EUR", 3),
]

# The rate card the history is priced at: (days before today, hourly rate). A line is
# added only where it reprices nothing delivered (``flows.rates.add_rate`` refuses it
# otherwise); billable history falls only on days with a rate in force.
RATE_CARD = {
    "EUR": [(800, "150.00")],
    "USD": [(800, "165.00")],
    "GBP": [(800, "125.00"), (300, "135.00")],
}

# (role, email prefix, one staff member per this many contracts)
STAFF_MIX = [
    (Role.ACCOUNT_MANAGER, "am", 150),
    (Role.CSM, "csm", 100),
    (Role.CS_ENGINEER, "engineer", 250),
    (Role.LD_SPECIALIST, "trainer", 250),
    (Role.SUPPORT, "support", 400),
    (Role.FINANCE, "finance", 2500),
]
PACKAGE_MIX = [("launch_kit", 35), ("pro_lite", 40), ("premium", 25)]

FIRST_NAMES = {
    "es": [
        "Ana",
        "Carlos",
        "Lucía",
        "Javier",
        "Marta",
        "Diego",
        "Elena",
        "Pablo",
        "Sofía",
        "Andrés",
        "Carmen",
        "Raúl",
        "Isabel",
        "Miguel",
        "Laura",
        "Jorge",
        "Paula",
        "Sergio",
        "Irene",
        "Daniel",
    ],
    "en": [
        "Emma",
        "James",
        "Olivia",
        "Liam",
        "Ava",
        "Noah",
        "Mia",
        "Ethan",
        "Grace",
        "Lucas",
        "Chloe",
        "Henry",
        "Ella",
        "Jack",
        "Amelia",
        "Owen",
        "Harper",
        "Leo",
        "Ruby",
        "Samuel",
    ],
}
LAST_NAMES = {
    "es": [
        "García",
        "Martínez",
        "López",
        "Sánchez",
        "Pérez",
        "Gómez",
        "Fernández",
        "Díaz",
        "Moreno",
        "Álvarez",
        "Romero",
        "Navarro",
        "Torres",
        "Ruiz",
        "Ortega",
        "Castro",
        "Vargas",
        "Rojas",
        "Molina",
        "Herrera",
    ],
    "en": [
        "Smith",
        "Johnson",
        "Brown",
        "Taylor",
        "Wilson",
        "Davies",
        "Evans",
        "Thomas",
        "Walker",
        "Wright",
        "Hughes",
        "Green",
        "Hall",
        "Clarke",
        "Lewis",
        "Young",
        "King",
        "Baker",
        "Turner",
        "Carter",
    ],
}
NAME_STEMS = [
    "Horizonte",
    "Altamira",
    "Boreal",
    "Cumbre",
    "Delta",
    "Encina",
    "Faro",
    "Granito",
    "Hélice",
    "Iris",
    "Jara",
    "Lumen",
    "Meridiano",
    "Norte",
    "Olivo",
    "Prisma",
    "Quasar",
    "Roble",
    "Sierra",
    "Tramontana",
    "Umbral",
    "Vega",
    "Brightwater",
    "Cedar",
    "Evergreen",
    "Falcon",
    "Harbor",
    "Ironwood",
    "Juniper",
    "Keystone",
    "Lakeside",
    "Maple",
    "Northwind",
    "Oakridge",
    "Pinecrest",
    "Redwood",
    "Silverline",
    "Summit",
    "Tidewater",
    "Westfield",
]
SECTORS = [
    "Clínica",
    "Logística",
    "Seguros",
    "Ingeniería",
    "Hoteles",
    "Farmacia",
    "Consultores",
    "Construcciones",
    "Health",
    "Logistics",
    "Insurance",
    "Engineering",
    "Hospitality",
    "Pharmacy",
    "Partners",
    "Builders",
    "Dental",
    "Fitness",
    "Transport",
    "Software",
]
TOWNS = [
    "Madrid",
    "Valencia",
    "Sevilla",
    "Bilbao",
    "Málaga",
    "Zaragoza",
    "Monterrey",
    "Bogotá",
    "Austin",
    "Denver",
    "Boston",
    "Seattle",
    "Leeds",
    "Bristol",
    "Cork",
    "Hamburg",
]

SKUS = [("OURA-GEN4-SILVER", "silver"), ("OURA-GEN4-BLACK", "black"), ("OURA-GEN4-GOLD", "gold")]
SKUS += [("OURA-GEN4-ROSE", "rose"), ("OURA-GEN4-STEALTH", "stealth")]

CHECK_SUMMARIES = {
    "en": {
        "green": "Rollout on plan; adoption growing, no open cases.",
        "amber": "Distribution behind plan at one site; adoption steady.",
        "red": "Rollout stalled: many invited members never signed in.",
    },
    "es": {
        "green": "Despliegue según lo previsto; la adopción crece y no hay casos abiertos.",
        "amber": "La distribución va con retraso en un centro; adopción estable.",
        "red": "Despliegue parado: muchos miembros invitados no han iniciado sesión.",
    },
}
CHECK_ACTIONS = {
    "en": ["Share the next rollout plan", "Confirm sizes for the next site", "Re-invite members"],
    "es": ["Compartir el siguiente plan", "Confirmar tallas del próximo centro", "Reinvitar"],
}
CASE_SUBJECTS = {
    "en": {
        CaseType.PRODUCT_QUESTION: "How do members share their readiness score?",
        CaseType.TECHNICAL_ISSUE: "Members missing from their group in Oura Teams",
        CaseType.NEW_ORDER: "We need rings for a new site",
        CaseType.EXCHANGE: "Some rings are the wrong size",
        CaseType.RETURN: "Returning rings we do not need",
    },
    "es": {
        CaseType.PRODUCT_QUESTION: "¿Cómo comparten los miembros su puntuación?",
        CaseType.TECHNICAL_ISSUE: "Faltan miembros en su grupo de Oura Teams",
        CaseType.NEW_ORDER: "Necesitamos anillos para un nuevo centro",
        CaseType.EXCHANGE: "Algunos anillos no son de la talla correcta",
        CaseType.RETURN: "Devolvemos anillos que no necesitamos",
    },
}
STAFF_REPLY = {
    "en": "Thanks, we are looking into it and will come back to you.",
    "es": "Gracias, lo estamos revisando y te respondemos enseguida.",
}
CASE_MIX = [
    (CaseType.PRODUCT_QUESTION, 30),
    (CaseType.TECHNICAL_ISSUE, 30),
    (CaseType.EXCHANGE, 20),
    (CaseType.RETURN, 10),
    (CaseType.NEW_ORDER, 10),
]


@dataclass
class Portfolio:
    seed: int
    contracts: int
    created: bool
    counts: dict[str, int] = field(default_factory=dict)


def staff_email(prefix: str, number: int, seed: int) -> str:
    return f"{prefix}{number:03d}.s{seed}@{DOMAIN}"


def existing_contracts(seed: int) -> int | None:
    """The number of contracts of the portfolio of ``seed`` already here, or None."""
    marker = User.objects.filter(email=staff_email("finance", 1, seed)).first()
    if marker is None:
        return None
    return Contract.objects.filter(buyer_contact__user__email__endswith=_buyers(seed)).count()


def _buyers(seed: int) -> str:
    return f".s{seed}.buyers.test"


def build_portfolio(
    contracts: int, seed: int = 1, *, today: date | None = None, progress: bool = False
) -> Portfolio:
    """Add the synthetic portfolio of ``contracts`` contracts for ``seed`` in one
    transaction. A seed already used adds nothing (``created`` False): rerunning is safe."""
    if contracts < 1:
        raise ValueError("contracts must be at least 1")
    with transaction.atomic():
        found = existing_contracts(seed)
        if found is not None:
            return Portfolio(seed, found, created=False)
        generator = _Generator(contracts, seed, today or timezone.now().date(), progress)
        counts = generator.run()
    return Portfolio(seed, contracts, created=True, counts=counts)


# --- ids taken up front, so that rows can point at each other before they are written ----


class _Ids:
    """Primary keys for new rows: from each table's sequence on PostgreSQL (a block at a
    time: concurrent writers are never given the same id), after the largest id on SQLite
    (whose write transaction excludes every other writer)."""

    BLOCK = 5000

    def __init__(self) -> None:
        self.free: dict[type[models.Model], list[int]] = {}
        self.next_sqlite: dict[type[models.Model], int] = {}

    def take(self, model: type[models.Model]) -> int:
        free = self.free.get(model)
        if not free:
            free = self.free[model] = self._block(model)
        return free.pop()

    def _block(self, model: type[models.Model]) -> list[int]:
        table = model._meta.db_table
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(
                    "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                    [connection.ops.quote_name(table), self.BLOCK],
                )
                ids = sorted(row[0] for row in cursor.fetchall())
            else:
                start = self.next_sqlite.get(model)
                if start is None:
                    cursor.execute(f"SELECT MAX(id) FROM {connection.ops.quote_name(table)}")
                    start = (cursor.fetchone()[0] or 0) + 1
                ids = list(range(start, start + self.BLOCK))
                self.next_sqlite[model] = start + self.BLOCK
        return ids[::-1]  # popped from the end: ascending


class _Blueprint:
    """How to make a model's row quickly: its defaults, and which names are relations."""

    def __init__(self, model: type[models.Model]) -> None:
        self.related = {f.name: f.attname for f in model._meta.concrete_fields if f.is_relation}
        self.defaults: list[tuple[str, str, Any, Callable[[], Any] | None]] = []
        for f in model._meta.concrete_fields:
            factory = f.default if f.has_default() and callable(f.default) else None
            self.defaults.append((f.name, f.attname, None if factory else f.get_default(), factory))


_BLUEPRINTS: dict[type[models.Model], _Blueprint] = {}


def _new(model: type[M], **values: Any) -> M:
    """``model(**values)`` without the cost of ``Model.__init__`` (which dominates the
    generator's time): the field defaults, the values, relations cached as Django caches
    them."""
    blueprint = _BLUEPRINTS.get(model)
    if blueprint is None:
        blueprint = _BLUEPRINTS[model] = _Blueprint(model)
    row = model.__new__(model)
    state = ModelState()
    row._state = state
    data = row.__dict__
    for name, attname, default, factory in blueprint.defaults:
        if name not in values:
            data[attname] = factory() if factory is not None else default
    for name, value in values.items():
        relation = blueprint.related.get(name)
        if relation is None:
            data[name] = value
        else:
            data[relation] = None if value is None else value.pk
            state.fields_cache[name] = value
    return row


@contextmanager
def _own_timestamps(*model_classes: type[models.Model]) -> Iterator[None]:
    """Let the rows carry their own creation and update times (history happened in the
    past): ``auto_now``/``auto_now_add`` are off for the models' fields meanwhile."""
    saved: list[tuple[Any, bool, bool]] = []
    for model in model_classes:
        for model_field in model._meta.concrete_fields:
            if isinstance(model_field, models.DateField) and (
                model_field.auto_now or model_field.auto_now_add
            ):
                saved.append((model_field, model_field.auto_now, model_field.auto_now_add))
                model_field.auto_now = model_field.auto_now_add = False
    try:
        yield
    finally:
        for model_field, auto_now, auto_now_add in saved:
            model_field.auto_now, model_field.auto_now_add = auto_now, auto_now_add


def _insert(model: type[models.Model], rows: list[models.Model]) -> None:
    """``bulk_create`` for rows whose ids and timestamps are set: the same columns and
    values, without compiling each row's SQL (most of ``bulk_create``'s time here)."""
    fields = model._meta.concrete_fields
    quote = connection.ops.quote_name
    sql = (
        f"INSERT INTO {quote(model._meta.db_table)} "
        f"({', '.join(quote(str(f.column)) for f in fields)}) "
        f"VALUES ({', '.join(['%s'] * len(fields))})"
    )
    values = operator.itemgetter(*(f.attname for f in fields))
    converters = [
        (index, convert)
        for index, convert in enumerate(_converter(f) for f in fields)
        if convert is not None
    ]
    prepared = []
    for row in rows:
        line = list(values(row.__dict__))
        for index, convert in converters:
            if line[index] is not None:
                line[index] = convert(line[index])
        prepared.append(line)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # COPY: several times faster than INSERT on PostgreSQL.
            columns = ", ".join(quote(str(f.column)) for f in fields)
            table = quote(model._meta.db_table)
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for line in prepared:
                    copy.write_row(line)
            return
        for start in range(0, len(prepared), 5000):
            cursor.executemany(sql, prepared[start : start + 5000])


def _converter(model_field: models.Field) -> Callable[[Any], Any] | None:
    """How a value of ``model_field`` goes to the database (None: as it is)."""
    kind = model_field.get_internal_type()
    sqlite = connection.vendor == "sqlite"
    if kind == "DateTimeField" and sqlite:
        return lambda value: str(value.astimezone(UTC).replace(tzinfo=None))
    if kind == "DateField" and sqlite:
        return str
    if kind in ("DecimalField", "JSONField"):
        return lambda value: model_field.get_db_prep_save(value, connection)
    return None


# --- the generator ------------------------------------------------------------------------


@dataclass
class _Staff:
    user: User
    role: str


@dataclass
class _Planned:
    """A session to write: its type, day and fate in the contract's story."""

    kind: SessionType
    day: date
    minutes: int
    staff: User
    fate: str
    actual: int | None = None


class _Generator:
    def __init__(self, contracts: int, seed: int, today: date, progress: bool) -> None:
        self.total = contracts
        self.seed = seed
        self.today = today
        self.progress = progress
        self.rng = random.Random(seed)
        self.ids = _Ids()
        self.rows: dict[type[models.Model], list[models.Model]] = defaultdict(list)
        self.counts: dict[str, int] = defaultdict(int)
        # Each staff member's taken hours (hours since the epoch): meetings start on the hour.
        self.busy: dict[int, set[int]] = defaultdict(set)
        self.zones: dict[str, ZoneInfo] = {}
        # (contract, month start) -> delivered billable sessions, for the statements.
        self.billable: dict[tuple[int, date], list[TrainingSession]] = defaultdict(list)
        self.contract_of: dict[int, Contract] = {}
        self.names: Iterator[str] = self._organization_names()
        self.place_of: dict[int, Place] = {}
        self.number = 0
        self.contact_hash = make_password(CONTACT_PASSWORD, salt=f"synthetic{seed}contact")
        self.staff_hash = make_password(STAFF_PASSWORD, salt=f"synthetic{seed}staff")

    # -- the run ----------------------------------------------------------------------------

    def run(self) -> dict[str, int]:
        version = current_version()
        self.packages = {p.code: p for p in Package.objects.filter(version=version)}
        self.types = {t.code: t for t in SessionType.objects.filter(version=version)}
        with _own_timestamps(
            Organization,
            User,
            Contact,
            Contract,
            TrainingSession,
            PoolEntry,
            HealthCheckEvent,
            Order,
            Case,
            CaseEvent,
            Message,
            Availability,
        ):
            self._staff()
            self._rate_card()
            bar = tqdm(
                total=self.total,
                desc="synthetic contracts",
                unit="contract",
                file=sys.stderr,
                disable=not self.progress,
            )
            previous: tuple[Organization, Contact, Contract] | None = None
            for number in range(self.total):
                previous = self._contract(number, previous)
                if (number + 1) % CHUNK == 0:
                    self._flush()
                bar.update(1)
            self._flush()
            bar.close()
            self._statements()
            self._flush()
        return dict(self.counts)

    def _add(self, row: M) -> M:
        row.__dict__["id"] = self.ids.take(type(row))
        self.rows[type(row)].append(row)
        return row

    ORDER = [
        Organization,
        User,
        StaffRole,
        Availability,
        WorkingHours,
        Contact,
        Contract,
        TrainingPool,
        TrainingSession,
        PoolEntry,
        BillableAcceptance,
        HealthCheck,
        HealthCheckEvent,
        ActionItem,
        BusyInterval,
        Order,
        OrderLine,
        Case,
        CaseLine,
        ExchangeLine,
        Message,
        CaseEvent,
        Statement,
        StatementLine,
    ]

    def _flush(self) -> None:
        for model in self.ORDER:
            rows = self.rows.pop(model, [])
            if rows:
                _insert(model, rows)
                self.counts[model._meta.label] += len(rows)
        assert not self.rows, f"rows of {list(self.rows)} were not written"

    # -- time --------------------------------------------------------------------------------

    def zone(self, name: str) -> ZoneInfo:
        if name not in self.zones:
            self.zones[name] = ZoneInfo(name)
        return self.zones[name]

    def at(self, day: date, hour: int, zone_name: str, minute: int = 0) -> datetime:
        return datetime.combine(day, time(hour, minute), self.zone(zone_name))

    def slot(
        self, staff: User, zone_name: str, day: date, minutes: int, last: date
    ) -> datetime | None:
        """The first free hour of ``staff`` from ``day`` (a weekday, 9:00-16:00 in the
        buyer's time zone) to ``last``; the hours are then taken."""
        hours = math.ceil(minutes / 60)
        taken = self.busy[staff.pk]
        tries = 0
        while day <= last and tries < 15:
            tries += 1
            if day.weekday() >= 5:
                day += timedelta(days=7 - day.weekday())
                continue
            for hour in self.rng.sample(range(9, 17 - hours + 1), 17 - hours - 8):
                starts_at = self.at(day, hour, zone_name)
                first = int(starts_at.timestamp()) // 3600
                wanted = range(first, first + hours)
                if not any(h in taken for h in wanted):
                    taken.update(wanted)
                    return starts_at
            day += timedelta(days=1)
        return None

    def busy_row(
        self,
        staff: User,
        kind: MeetingKind,
        meeting_id: int,
        starts_at: datetime,
        minutes: int,
        live: bool,
    ) -> None:
        self._add(
            _new(
                BusyInterval,
                staff=staff,
                kind=kind.value,
                meeting_id=meeting_id,
                starts_at=starts_at,
                ends_at=starts_at + timedelta(minutes=minutes),
                live=live,
            )
        )

    def stamp(self, day: date, hour: int = 9) -> datetime:
        """A moment of ``day`` in UTC (creation and recording times)."""
        return datetime.combine(day, time(hour, self.rng.randrange(60)), UTC)

    # -- people ------------------------------------------------------------------------------

    def _staff(self) -> None:
        self.staff: dict[str, list[User]] = {}
        for role, prefix, per in STAFF_MIX:
            members = []
            for number in range(1, max(2, math.ceil(self.total / per)) + 1):
                language = self.rng.choice(["es", "en"])
                first = self.rng.choice(FIRST_NAMES[language])
                name = f"{first} {self.rng.choice(LAST_NAMES[language])}"
                user = self._add(
                    _new(
                        User,
                        email=staff_email(prefix, number, self.seed),
                        name=name,
                        language=language,
                        is_staff=True,
                        password=self.staff_hash,
                        date_joined=self.stamp(self.today - timedelta(days=900)),
                    )
                )
                self._add(_new(StaffRole, user=user, role=role))
                zone_name = "Europe/Madrid" if language == "es" else "America/New_York"
                availability = self._add(
                    _new(
                        Availability,
                        staff=user,
                        timezone=zone_name,
                        updated_by=user,
                        updated_at=self.stamp(self.today - timedelta(days=900)),
                    )
                )
                for weekday in range(1, 6):
                    self._add(
                        _new(
                            WorkingHours,
                            availability=availability,
                            weekday=weekday,
                            start_minute=8 * 60,
                            end_minute=18 * 60,
                        )
                    )
                members.append(user)
            self.staff[role] = members
        self._flush()  # the rate card's service reads the finance roles

    def _rate_card(self) -> None:
        finance = Actor.of(self.staff[Role.FINANCE][0])
        for currency, lines in RATE_CARD.items():
            for days_before, rate in lines:
                # Refused when it would reprice something delivered, or that day has a rate.
                with suppress(SuccessKitError):
                    rates.add_rate(
                        finance,
                        currency=currency,
                        hourly_rate=rate,
                        effective_from=self.today - timedelta(days=days_before),
                    )
        self.card: dict[str, list[pricing_rules.RatePeriod]] = defaultdict(list)
        for line in HourlyRate.objects.all():
            self.card[line.currency].append(
                pricing_rules.RatePeriod(line.effective_from, line.hourly_rate)
            )

    def _organization_names(self) -> Iterator[str]:
        combos = [(stem, sector) for stem in NAME_STEMS for sector in SECTORS]
        self.rng.shuffle(combos)
        round_ = 0
        while True:
            for stem, sector in combos:
                town = TOWNS[round_ % len(TOWNS)]
                suffix = f" {round_ // len(TOWNS) + 2}" if round_ >= len(TOWNS) else ""
                yield f"{sector} {stem} {town}{suffix}"
            round_ += 1

    def _organization(self, number: int, start: date) -> tuple[Organization, Contact]:
        place = self.rng.choices(PLACES, weights=[p.weight for p in PLACES])[0]
        created = self.stamp(start - timedelta(days=self.rng.randint(20, 60)))
        organization = self._add(
            _new(
                Organization,
                name=next(self.names),
                country=place.country,
                timezone=place.timezone,
                language=place.language,
                created_at=created,
            )
        )
        self.place_of[organization.pk] = place
        contacts = []
        for index in range(self.rng.choice([1, 1, 2, 2, 3])):
            language = place.language if index == 0 or self.rng.random() < 0.8 else "en"
            first = self.rng.choice(FIRST_NAMES[language])
            last = self.rng.choice(LAST_NAMES[language])
            user = self._add(
                _new(
                    User,
                    email=f"{_ascii(first)}.{_ascii(last)}.{number}.{index}{_buyers(self.seed)}",
                    name=f"{first} {last}",
                    language=language,
                    password=self.contact_hash,
                    date_joined=created,
                )
            )
            contacts.append(
                self._add(_new(Contact, organization=organization, user=user, created_at=created))
            )
        return organization, contacts[0]

    # -- a contract and its story ------------------------------------------------------------

    def _contract(
        self, number: int, previous: tuple[Organization, Contact, Contract] | None
    ) -> tuple[Organization, Contact, Contract]:
        rng = self.rng
        self.number = number + 1
        renewal = (
            previous is not None
            and rng.random() < 0.12
            and previous[2].end_date + timedelta(days=1) <= self.today + timedelta(days=60)
        )
        if renewal:
            assert previous is not None
            organization, contact, before = previous
            start = before.end_date + timedelta(days=1)
            code = before.package.code
        else:
            start = self.today + timedelta(days=rng.randint(-730, 60))
            organization, contact = self._organization(number, start)
            code = rng.choices([c for c, _w in PACKAGE_MIX], [w for _c, w in PACKAGE_MIX])[0]
        package = self.packages[code]
        end = start + timedelta(days=729 if rng.random() < 0.15 else 364)
        role = Role.ACCOUNT_MANAGER if code == "launch_kit" else Role.CSM
        representative = rng.choice(self.staff[role])
        platforms = rng.choice([["hrm", "teams"], ["hrm", "teams"], ["teams"], ["hrm"]])
        contract = self._add(
            _new(
                Contract,
                organization=organization,
                package=package,
                start_date=start,
                end_date=end,
                representative=representative,
                buyer_contact=contact,
                currency=self.place_of[organization.pk].currency,
                platforms=platforms,
                created_at=self.stamp(start - timedelta(days=rng.randint(5, 20))),
            )
        )
        self.contract_of[contract.pk] = contract
        self._sessions(contract)
        self._health_checks(contract)
        orders = self._orders(contract)
        self._cases(contract, orders)
        return organization, contact, contract

    def _session_plan(self, contract: Contract) -> list[_Planned]:
        rng = self.rng
        start, end = contract.start_date, contract.end_date
        launch = contract.package.code == "launch_kit"
        term_days = (end - start).days
        early = 85 if launch else 120  # the pool's sessions, inside a Launch Kit's window
        rep = contract.representative
        engineer = rep if launch else rng.choice(self.staff[Role.CS_ENGINEER])
        trainer = rep if launch else rng.choice(self.staff[Role.LD_SPECIALIST])
        plan = [_Planned(self.types["kickoff"], start + timedelta(rng.randint(1, 8)), 60, rep, "")]
        for _ in range(rng.randint(2, 4)):
            day = start + timedelta(rng.randint(9, early - 10))
            plan.append(
                _Planned(self.types["implementation"], day, rng.choice([45, 60]), engineer, "")
            )
        day = start + timedelta(rng.randint(14, early))
        plan.append(_Planned(self.types["software_training"], day, 60, trainer, ""))
        for _ in range(rng.randint(4, 6)):
            day = start + timedelta(rng.randint(20, term_days - 3))
            minutes = rng.choice([60, 60, 90, 120])
            plan.append(_Planned(self.types["additional_training"], day, minutes, trainer, ""))
        plan.sort(key=lambda item: item.day)
        return plan

    def _sessions(self, contract: Contract) -> None:
        rng = self.rng
        package = contract.package
        zone_name = contract.organization.timezone
        window = engagement_rules.pool_window(
            package.terms(), contract.start_date, contract.end_date
        )
        pool = self._add(
            _new(TrainingPool, contract=contract, included_minutes=package.training_minutes)
        )
        reserved = used = 0
        horizon = self.today + timedelta(days=120)  # later sessions are not booked yet
        taken_single: set[str] = set()
        queue = self._session_plan(contract)
        while queue:
            item = queue.pop(0)
            past = item.day <= self.today - timedelta(days=1)
            if not past and item.day < self.today + timedelta(days=2):
                item.day = self.today + timedelta(days=2)
            if item.day > min(horizon, contract.end_date):
                continue
            if item.kind.single_use and item.kind.code in taken_single:
                continue
            last = (
                min(contract.end_date, self.today - timedelta(days=1))
                if past
                else contract.end_date
            )
            starts_at = self.slot(item.staff, zone_name, item.day, item.minutes, last)
            if starts_at is None:
                continue
            day = starts_at.date()  # the buyer's day (the slot is in their time zone)
            terms = item.kind.terms()
            coverage = engagement_rules.split_coverage(
                item.minutes,
                session_type=terms,
                day=day,
                window=window,
                available=package.training_minutes - reserved - used,
            )
            rate = pricing_rules.rate_in_force(self.card[contract.currency], day)
            if coverage.billable and rate is None:
                self.busy[item.staff.pk].difference_update(self._hours(starts_at, item.minutes))
                continue  # no rate in force that day: nobody would have booked it billable
            if past:
                fate = rng.choices(
                    [SessionStatus.COMPLETED, SessionStatus.NO_SHOW, SessionStatus.CANCELLED],
                    [85, 7, 8],
                )[0]
            else:
                fate = SessionStatus.CANCELLED if rng.random() < 0.05 else SessionStatus.BOOKED
            by_buyer = not past and rng.random() < 0.3
            booker = contract.buyer_contact.user if by_buyer else contract.representative
            booked_at = self.stamp(day - timedelta(days=rng.randint(3, 30)))
            platforms = sorted(
                engagement_rules.session_platforms(
                    terms, frozenset(), frozenset(contract.platforms)
                )
            )
            session = _new(
                TrainingSession,
                contract=contract,
                session_type=item.kind,
                status=SessionStatus.BOOKED.value,
                starts_at=starts_at,
                duration_minutes=item.minutes,
                staff=item.staff,
                platforms=platforms,
                covered_minutes=coverage.covered,
                billable_minutes=coverage.billable,
                accepted_billable_minutes=coverage.billable,
                hourly_rate=rate if coverage.billable else None,
                billable_amount=(
                    pricing_rules.amount_for(coverage.billable, rate)
                    if coverage.billable and rate is not None
                    else Decimal("0.00")
                ),
                single_use=item.kind.single_use,
                booked_by=booker,
                created_at=booked_at,
                updated_at=booked_at,
            )
            self._add(session)
            reserved += coverage.covered
            self._entry(
                pool, session, PoolEntry.Kind.RESERVE, booker, booked_at, coverage.covered, 0
            )
            if coverage.billable:
                assert rate is not None
                self._add(
                    _new(
                        BillableAcceptance,
                        session=session,
                        accepted_by=booker,
                        on_behalf_of=None if by_buyer else contract.buyer_contact,
                        at=booked_at,
                        minutes=coverage.billable,
                        hourly_rate=rate,
                        amount=pricing_rules.amount_for(coverage.billable, rate),
                        currency=contract.currency,
                    )
                )
            live = True
            if fate is SessionStatus.COMPLETED:
                actual = item.minutes if rng.random() < 0.8 else max(15, item.minutes - 15)
                done = starts_at + timedelta(minutes=actual, hours=rng.randint(1, 30))
                again = engagement_rules.split_coverage(
                    actual,
                    session_type=terms,
                    day=day,
                    window=window,
                    available=package.training_minutes - reserved - used + coverage.covered,
                )
                session.status = fate.value
                session.actual_minutes = actual
                session.covered_minutes = again.covered
                session.billable_minutes = again.billable
                session.hourly_rate = rate if again.billable else None
                session.billable_amount = (
                    pricing_rules.amount_for(again.billable, rate)
                    if again.billable and rate is not None
                    else Decimal("0.00")
                )
                session.updated_at = done
                reserved -= coverage.covered
                used += again.covered
                self._entry(
                    pool,
                    session,
                    PoolEntry.Kind.POST,
                    item.staff,
                    done,
                    -coverage.covered,
                    again.covered,
                )
            elif fate is SessionStatus.NO_SHOW:
                done = starts_at + timedelta(hours=rng.randint(1, 30))
                session.status = fate.value
                session.updated_at = done
                reserved -= coverage.covered
                used += coverage.covered
                self._entry(
                    pool,
                    session,
                    PoolEntry.Kind.POST,
                    item.staff,
                    done,
                    -coverage.covered,
                    coverage.covered,
                )
            elif fate is SessionStatus.CANCELLED:
                vendor = rng.random() < 0.4
                done = min(
                    starts_at - timedelta(days=1), max(booked_at, starts_at - timedelta(days=2))
                )
                session.status = fate.value
                session.cancelled_by = "vendor" if vendor else "buyer"
                session.covered_minutes = session.billable_minutes = 0
                session.hourly_rate = None
                session.billable_amount = Decimal("0.00")
                session.updated_at = done
                reserved -= coverage.covered
                self._entry(
                    pool, session, PoolEntry.Kind.RELEASE, booker, done, -coverage.covered, 0
                )
                live = False
                if item.kind.single_use or rng.random() < 0.5:
                    # Booked again a week or two later.
                    queue.insert(
                        0,
                        _Planned(
                            item.kind,
                            item.day + timedelta(rng.randint(7, 14)),
                            item.minutes,
                            item.staff,
                            "",
                        ),
                    )
                    queue.sort(key=lambda planned: planned.day)
            if live and item.kind.single_use:
                taken_single.add(item.kind.code)
            self.busy_row(
                item.staff, MeetingKind.SESSION, session.pk, starts_at, item.minutes, live
            )
            if (
                session.status in (SessionStatus.COMPLETED, SessionStatus.NO_SHOW)
                and session.billable_minutes
            ):
                self.billable[(contract.pk, day.replace(day=1))].append(session)
        pool.reserved_minutes, pool.used_minutes = reserved, used

    @staticmethod
    def _hours(starts_at: datetime, minutes: int) -> range:
        first = int(starts_at.timestamp()) // 3600
        return range(first, first + math.ceil(minutes / 60))

    def _entry(
        self,
        pool: TrainingPool,
        session: TrainingSession,
        kind: str,
        by: User,
        at: datetime,
        reserved: int,
        used: int,
    ) -> None:
        """One ledger entry, written as ``engagements.services._post`` writes them: a post
        always, a reserve or release only when it moves something."""
        if not reserved and not used and kind != PoolEntry.Kind.POST:
            return
        self._add(
            _new(
                PoolEntry,
                pool=pool,
                session=session,
                kind=kind,
                reserved_delta=reserved,
                used_delta=used,
                recorded_by=by,
                recorded_at=at,
            )
        )

    # -- health checks -----------------------------------------------------------------------

    def _health_checks(self, contract: Contract) -> None:
        rng = self.rng
        terms = contract.package.terms()
        if not terms.health_check_count:
            return
        minutes = terms.health_check_minutes or 60
        zone_name = contract.organization.timezone
        yesterday, soon = self.today - timedelta(days=1), self.today + timedelta(days=2)
        holders = [contract.representative, *self._check_staff(contract)]
        periods = check_rules.health_check_periods(
            contract.start_date,
            contract.end_date,
            terms.health_check_count,
            terms.health_check_interval_months,
        )
        for period in periods:
            check = self._add(
                _new(
                    HealthCheck,
                    contract=contract,
                    period_index=period.index,
                    period_start=period.start,
                    period_end=period.end,
                )
            )
            if period.end <= yesterday:
                held = rng.random() < 0.82
                if held:
                    self._held(check, holders, zone_name, period.start, period.end, minutes)
            elif period.start <= yesterday and rng.random() < 0.35:
                self._held(check, holders, zone_name, period.start, yesterday, minutes)
            elif (
                period.start <= self.today + timedelta(days=30)
                and period.end >= soon
                and rng.random() < (0.6 if period.start <= self.today else 0.3)
            ):
                self._scheduled(
                    check, holders, zone_name, max(soon, period.start), period.end, minutes
                )

    def _check_staff(self, contract: Contract) -> list[User]:
        return [
            self.rng.choice(self.staff[Role.CS_ENGINEER]),
            self.rng.choice(self.staff[Role.LD_SPECIALIST]),
        ]

    def _book_check(
        self,
        check: HealthCheck,
        holders: list[User],
        zone_name: str,
        first: date,
        last: date,
        minutes: int,
    ) -> tuple[User, datetime] | None:
        span = (last - first).days
        staff = holders[0] if self.rng.random() < 0.7 else self.rng.choice(holders)
        day = first + timedelta(days=self.rng.randint(0, max(0, span - 3)))
        starts_at = self.slot(staff, zone_name, day, minutes, last)
        if starts_at is None:
            return None
        self.busy_row(staff, MeetingKind.HEALTH_CHECK, check.pk, starts_at, minutes, True)
        return staff, starts_at

    def _scheduled(
        self,
        check: HealthCheck,
        holders: list[User],
        zone_name: str,
        first: date,
        last: date,
        minutes: int,
    ) -> None:
        booked = self._book_check(check, holders, zone_name, first, last, minutes)
        if booked is None:
            return
        staff, starts_at = booked
        check.state = check_rules.HealthCheckState.SCHEDULED.value
        check.scheduled_for = starts_at
        check.staff = staff
        check.attendees = [check.contract.buyer_contact.user.name]
        scheduled_on = max(
            self.today - timedelta(days=self.rng.randint(1, 20)), check.contract.start_date
        )
        self._add(
            _new(
                HealthCheckEvent,
                health_check=check,
                kind=HealthCheckEvent.Kind.SCHEDULED,
                actor=check.contract.representative,
                staff=staff,
                scheduled_for=starts_at,
                created_at=self.stamp(min(scheduled_on, self.today - timedelta(days=1))),
            )
        )

    def _held(
        self,
        check: HealthCheck,
        holders: list[User],
        zone_name: str,
        first: date,
        last: date,
        minutes: int,
    ) -> None:
        rng = self.rng
        booked = self._book_check(check, holders, zone_name, first, last, minutes)
        if booked is None:
            return
        staff, starts_at = booked
        held_on = starts_at.date()
        contract = check.contract
        language = contract.organization.language
        yesterday = self.today - timedelta(days=1)
        if rng.random() < 0.12 and check.period_end < yesterday:
            recorded_on = min(check.period_end + timedelta(days=rng.randint(1, 20)), yesterday)
        else:
            recorded_on = min(
                held_on + timedelta(days=rng.randint(0, 2)),
                max(check.period_end, held_on),
                yesterday,
            )
            recorded_on = max(recorded_on, held_on)
        status = rng.choices(["green", "amber", "red"], [60, 28, 12])[0]
        buyer = contract.buyer_contact.user.name
        check.state = check_rules.HealthCheckState.COMPLETED.value
        check.scheduled_for = starts_at
        check.staff = staff
        check.attendees = [buyer]
        check.held_on = held_on
        check.summary = CHECK_SUMMARIES[language][status]
        check.overall_status = status
        check.completed_at = self.stamp(recorded_on, 17)
        check.completed_by = staff
        check.recorded_late = check_rules.recorded_late(check.period_end, recorded_on)
        scheduled_at = self.stamp(
            max(
                held_on - timedelta(days=rng.randint(5, 20)),
                contract.start_date - timedelta(days=1),
            )
        )
        self._add(
            _new(
                HealthCheckEvent,
                health_check=check,
                kind=HealthCheckEvent.Kind.SCHEDULED,
                actor=contract.representative,
                staff=staff,
                scheduled_for=starts_at,
                created_at=scheduled_at,
            )
        )
        self._add(
            _new(
                HealthCheckEvent,
                health_check=check,
                kind=HealthCheckEvent.Kind.COMPLETED,
                actor=staff,
                staff=staff,
                held_on=held_on,
                created_at=check.completed_at,
            )
        )
        for position in range(1, rng.randint(1, 2) + 1):
            self._add(
                _new(
                    ActionItem,
                    health_check=check,
                    position=position,
                    description=rng.choice(CHECK_ACTIONS[language]),
                    owner=buyer,
                    due_on=held_on + timedelta(days=rng.randint(7, 45)),
                )
            )

    # -- orders and cases --------------------------------------------------------------------

    def _orders(self, contract: Contract) -> list[tuple[Order, list[OrderLine]]]:
        rng = self.rng
        orders = []
        yesterday = self.today - timedelta(days=1)
        support = self.staff[Role.SUPPORT]
        for index, (low, high) in enumerate(((3, 30), (45, 240))):
            placed = contract.start_date + timedelta(days=rng.randint(low, high))
            if placed > yesterday or placed > contract.end_date:
                continue
            shipped = placed + timedelta(days=rng.randint(1, 4))
            received = shipped + timedelta(days=rng.randint(2, 6))
            order = self._add(
                _new(
                    Order,
                    contract=contract,
                    reference=f"PO-{self.number:06d}-{index + 1}",
                    placed_on=placed,
                    shipped_on=shipped if shipped <= yesterday else None,
                    received_on=received if received <= yesterday else None,
                    created_by=rng.choice(support) if rng.random() < 0.7 else None,
                    created_at=self.stamp(min(placed + timedelta(days=1), yesterday)),
                )
            )
            lines = []
            for sku, colour in rng.sample(SKUS, rng.randint(1, 3)):
                lines.append(
                    self._add(
                        _new(
                            OrderLine,
                            order=order,
                            sku=sku,
                            size=str(rng.randint(6, 13)),
                            colour=colour,
                            quantity=rng.randint(5, 60),
                        )
                    )
                )
            orders.append((order, lines))
        return orders

    def _cases(self, contract: Contract, orders: list[tuple[Order, list[OrderLine]]]) -> None:
        rng = self.rng
        yesterday = self.today - timedelta(days=1)
        last = min(yesterday, contract.end_date)
        if last < contract.start_date:
            return
        language = contract.organization.language
        window = contract.package.returns_window_days
        received = [(o, lines) for o, lines in orders if o.received_on is not None]
        for _ in range(rng.randint(2, 4)):
            kind = rng.choices([k for k, _w in CASE_MIX], [w for _k, w in CASE_MIX])[0]
            order = None
            lines: list[OrderLine] = []
            if kind in (CaseType.EXCHANGE, CaseType.RETURN):
                if not received:
                    kind = CaseType.PRODUCT_QUESTION
                else:
                    order, lines = received.pop(0)
                    assert order.received_on is not None
                    opened_on = order.received_on + timedelta(days=rng.randint(0, window))
                    if opened_on > yesterday:
                        opened_on = order.received_on
            if order is None:
                opened_on = contract.start_date + timedelta(
                    days=rng.randint(0, (last - contract.start_date).days)
                )
            self._case(contract, kind, order, lines, opened_on, language)

    def _case(
        self,
        contract: Contract,
        kind: CaseType,
        order: Order | None,
        lines: list[OrderLine],
        opened_on: date,
        language: str,
    ) -> None:
        rng = self.rng
        age = (self.today - opened_on).days
        if age > 30:
            status = rng.choices(
                [CaseStatus.CLOSED, CaseStatus.RESOLVED, CaseStatus.WAITING_ON_BUYER], [60, 30, 10]
            )[0]
        else:
            status = rng.choices(
                [
                    CaseStatus.OPEN,
                    CaseStatus.WAITING_ON_BUYER,
                    CaseStatus.ESCALATED,
                    CaseStatus.RESOLVED,
                ],
                [40, 25, 10, 25],
            )[0]
        opener = (
            contract.buyer_contact.user
            if rng.random() < 0.8
            else rng.choice(self.staff[Role.SUPPORT])
        )
        opened_at = self.stamp(opened_on, rng.randint(8, 17))
        queue = queue_for(kind)
        case = self._add(
            _new(
                Case,
                contract=contract,
                type=kind.value,
                queue=queue.value,
                status=status.value,
                subject=CASE_SUBJECTS[language][kind],
                order=order,
                opened_by=opener,
                opened_at=opened_at,
                updated_at=opened_at,
            )
        )
        if order is not None and lines:
            line = lines[0]
            quantity = rng.randint(1, min(3, line.quantity))
            self._add(_new(CaseLine, case=case, order_line=line, quantity=quantity))
            if kind is CaseType.EXCHANGE:
                self._add(
                    _new(
                        ExchangeLine,
                        case=case,
                        sku=line.sku,
                        size=line.size,
                        colour=line.colour,
                        to_sku=line.sku,
                        to_size=str(int(line.size) + (1 if int(line.size) < 13 else -1)),
                        to_colour=line.colour,
                        quantity=quantity,
                    )
                )
        moment = opened_at
        self._case_event(case, EventKind.OPENED, opener, moment, "", queue.value)
        self._add(_new(Message, case=case, author=opener, body=case.subject, created_at=moment))
        if status is CaseStatus.OPEN and rng.random() < 0.5:
            case.updated_at = moment
            return  # still in the queue, nobody on it yet
        worker = rng.choice(self.staff[Role.SUPPORT])
        moment += timedelta(hours=rng.randint(1, 20))
        case.assignee = worker
        self._case_event(case, EventKind.ASSIGNED, worker, moment, "", str(worker.pk))
        moment += timedelta(hours=rng.randint(1, 20))
        self._add(
            _new(Message, case=case, author=worker, body=STAFF_REPLY[language], created_at=moment)
        )
        path: list[CaseStatus] = {
            CaseStatus.OPEN: [],
            CaseStatus.WAITING_ON_BUYER: [CaseStatus.WAITING_ON_BUYER],
            CaseStatus.RESOLVED: [CaseStatus.RESOLVED],
            CaseStatus.CLOSED: [CaseStatus.RESOLVED, CaseStatus.CLOSED],
            CaseStatus.ESCALATED: [],
        }[status]
        before = CaseStatus.OPEN
        if status is CaseStatus.ESCALATED:
            engineer = rng.choice(self.staff[Role.CS_ENGINEER])
            moment += timedelta(hours=rng.randint(1, 20))
            by = contract.representative
            self._case_event(
                case,
                EventKind.ESCALATED,
                by,
                moment,
                queue.value,
                queue.value,
                "Needs an engineer.",
            )
            self._case_event(case, EventKind.STATUS_CHANGED, by, moment, before.value, status.value)
            self._case_event(case, EventKind.ASSIGNED, by, moment, str(worker.pk), str(engineer.pk))
            case.assignee = engineer
        for after in path:
            moment += timedelta(hours=rng.randint(2, 72))
            self._case_event(
                case, EventKind.STATUS_CHANGED, worker, moment, before.value, after.value
            )
            before = after
        case.updated_at = moment

    def _case_event(
        self,
        case: Case,
        kind: str,
        actor: User,
        at: datetime,
        before: str,
        after: str,
        note: str = "",
    ) -> None:
        self._add(
            _new(
                CaseEvent,
                case=case,
                kind=kind,
                actor=actor,
                at=at,
                from_value=before,
                to_value=after,
                note=note,
            )
        )

    # -- statements --------------------------------------------------------------------------

    def _statements(self) -> None:
        """Bill every month before the last complete one, one statement per contract and
        month, numbered from the counter (locked now, briefly) in the order of issue."""
        this_month = self.today.replace(day=1)
        open_month = (this_month - timedelta(days=1)).replace(day=1)  # left for month-end
        due = sorted(
            (month, contract_id) for contract_id, month in self.billable if month < open_month
        )
        StatementCounter.objects.get_or_create(name=COUNTER)
        counter = StatementCounter.objects.select_for_update().get(name=COUNTER)
        finance = self.staff[Role.FINANCE]
        number = counter.last_number
        for month, contract_id in due:
            contract = self.contract_of[contract_id]
            sessions = sorted(
                self.billable[(contract_id, month)], key=lambda s: (s.starts_at, s.pk)
            )
            first, last = billing_rules.month_period(month.strftime("%Y-%m"))
            number += 1
            following = last + timedelta(days=1)
            statement = self._add(
                _new(
                    Statement,
                    number=number,
                    contract=contract,
                    billed_to=contract.organization.name,
                    period_start=first,
                    period_end=last,
                    currency=contract.currency,
                    total=billing_rules.total(s.billable_amount or Decimal(0) for s in sessions),
                    issued_at=datetime.combine(following + timedelta(days=2), time(8), UTC),
                    issued_by=self.rng.choice(finance),
                )
            )
            for position, session in enumerate(sessions, start=1):
                self._add(
                    _new(
                        StatementLine,
                        statement=statement,
                        position=position,
                        kind=StatementLine.Kind.SESSION,
                        session=session,
                        delivered_on=session.starts_at.date(),
                        minutes=session.billable_minutes,
                        hourly_rate=session.hourly_rate,
                        amount=session.billable_amount,
                    )
                )
        counter.last_number = number
        counter.save(update_fields=["last_number"])


def _ascii(text: str) -> str:
    table = str.maketrans("áéíóúñüÁÉÍÓÚÑÜ", "aeiounuAEIOUNU")
    return text.translate(table).lower()
