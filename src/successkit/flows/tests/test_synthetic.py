"""The synthetic portfolio (``successkit demo --contracts N --seed S``): realistic history
that keeps every invariant the services enforce, checked through the real checks."""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from itertools import pairwise

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.db.models import Max
from django.utils import timezone

from successkit.accounts.actors import Actor
from successkit.accounts.models import Contact, Organization, StaffRole, User
from successkit.billing import services as billing
from successkit.billing.models import (
    HourlyRate,
    Statement,
    StatementCounter,
    StatementLine,
)
from successkit.contracts.models import Contract
from successkit.contracts.rules import local_date
from successkit.engagements import services as engagements
from successkit.engagements.errors import SessionTypeAlreadyUsed
from successkit.engagements.models import (
    BillableAcceptance,
    PoolEntry,
    TrainingPool,
    TrainingSession,
)
from successkit.flows import synthetic
from successkit.healthchecks import services as healthchecks
from successkit.healthchecks.models import ActionItem, HealthCheck, HealthCheckEvent
from successkit.outbox.models import Event
from successkit.pricing import services as pricing
from successkit.scheduling.errors import StaffBusy
from successkit.scheduling.models import Availability, BusyInterval, WorkingHours
from successkit.support import rules as support_rules
from successkit.support import services as support
from successkit.support.models import (
    Case,
    CaseEvent,
    CaseLine,
    ExchangeLine,
    Message,
    Order,
    OrderLine,
)

pytestmark = pytest.mark.django_db

LIVE = ("booked", "completed", "no_show")
DELIVERED = ("completed", "no_show")


@pytest.fixture(scope="module")
def today() -> date:
    return timezone.now().date()


@pytest.fixture
def portfolio(today: date) -> synthetic.Portfolio:
    return synthetic.build_portfolio(20, 11, today=today)


def _contracts() -> list[Contract]:
    return list(
        Contract.objects.filter(
            buyer_contact__user__email__endswith=".s11.buyers.test"
        ).select_related("organization", "package")
    )


def test_a_portfolio_has_the_history_asked_for(portfolio: synthetic.Portfolio) -> None:
    contracts = _contracts()
    assert len(contracts) == 20 == portfolio.contracts
    ids = [c.pk for c in contracts]
    sessions = TrainingSession.objects.filter(contract__in=ids)
    assert 6 <= sessions.count() / 20 <= 14
    assert {s.session_type.code for s in sessions.select_related("session_type")} == {
        "kickoff",
        "implementation",
        "software_training",
        "additional_training",
    }
    assert set(sessions.values_list("status", flat=True)) == {
        "booked",
        "completed",
        "cancelled",
        "no_show",
    }
    assert 1.5 <= Case.objects.filter(contract__in=ids).count() / 20 <= 4
    assert 1 <= Order.objects.filter(contract__in=ids).count() / 20 <= 2
    assert OrderLine.objects.filter(order__contract__in=ids).exists()
    assert Statement.objects.filter(contract__in=ids).exists()
    assert HealthCheck.objects.filter(contract__in=ids, state="completed").exists()
    organizations = Organization.objects.filter(contracts__in=ids).distinct()
    assert len({o.timezone for o in organizations}) >= 3
    assert {o.language for o in organizations} == {"es", "en"}
    assert Contact.objects.filter(organization__in=organizations).count() > len(organizations)
    starts = [c.start_date for c in contracts]
    assert min(starts) < portfolio_today() - timedelta(days=365) < max(starts)
    roles = set(
        StaffRole.objects.filter(user__email__endswith=f".s11@{synthetic.DOMAIN}").values_list(
            "role", flat=True
        )
    )
    assert roles == {"account_manager", "csm", "cs_engineer", "ld_specialist", "support", "finance"}


def portfolio_today() -> date:
    return timezone.now().date()


def test_a_session_is_marked_billed_exactly_when_a_statement_bills_it(
    portfolio: synthetic.Portfolio,
) -> None:
    call_command("check_billed")  # exits 1 on any mismatch
    billed = TrainingSession.objects.filter(contract__in=[c.pk for c in _contracts()], billed=True)
    assert billed.exists()
    assert not billed.filter(statement_lines__isnull=True).exists()


def test_the_ledger_agrees_and_no_pool_is_overdrawn(portfolio: synthetic.Portfolio) -> None:
    call_command("check_ledger")  # exits 1 on any mismatch
    assert engagements.ledger_mismatches() == []
    for pool in TrainingPool.objects.filter(contract__in=[c.pk for c in _contracts()]):
        sessions = TrainingSession.objects.filter(contract=pool.contract_id)
        booked = sum(s.covered_minutes for s in sessions if s.status == "booked")
        used = sum(s.covered_minutes for s in sessions if s.status in DELIVERED)
        assert (pool.reserved_minutes, pool.used_minutes) == (booked, used)
        assert booked + used <= pool.included_minutes


def test_nobody_is_in_two_meetings_and_every_meeting_holds_its_time(
    portfolio: synthetic.Portfolio,
) -> None:
    live = defaultdict(list)
    for row in BusyInterval.objects.filter(live=True).order_by("staff", "starts_at"):
        live[row.staff_id].append((row.starts_at, row.ends_at))
    for intervals in live.values():
        for (_start, end), (next_start, _end) in pairwise(intervals):
            assert next_start >= end
    held = {(row.kind, row.meeting_id): row for row in BusyInterval.objects.all().order_by("id")}
    for session in TrainingSession.objects.filter(contract__in=[c.pk for c in _contracts()]):
        row = held[("session", session.pk)]
        assert (row.staff_id, row.starts_at, row.live) == (
            session.staff_id,
            session.starts_at,
            session.status != "cancelled",
        )
        assert row.ends_at == session.starts_at + timedelta(minutes=session.duration_minutes)
    for check in HealthCheck.objects.exclude(state="due").filter(
        contract__in=[c.pk for c in _contracts()]
    ):
        row = held[("health_check", check.pk)]
        assert (row.staff_id, row.starts_at, row.live) == (
            check.staff_id,
            check.scheduled_for,
            True,
        )


def test_the_services_see_the_synthetic_calendar_and_single_use_types(
    portfolio: synthetic.Portfolio,
) -> None:
    session = (
        TrainingSession.objects.filter(
            contract__in=[c.pk for c in _contracts()],
            status="booked",
            session_type__code="additional_training",
        )
        .select_related("contract__organization", "contract__package__version")
        .first()
    )
    assert session is not None
    csm = User.objects.get(email=synthetic.staff_email("csm", 1, 11))
    with pytest.raises(StaffBusy):
        engagements.book_session(
            Actor.of(csm),
            session.contract,
            type_code="additional_training",
            starts_at=session.starts_at + timedelta(minutes=30),
            duration_minutes=30,
            staff_id=session.staff_id,
            accept_billable=True,
        )
    kickoff = (
        TrainingSession.objects.filter(
            contract__in=[c.pk for c in _contracts()],
            session_type__code="kickoff",
            status__in=LIVE,
        )
        .select_related("contract__organization", "contract__package__version")
        .first()
    )
    assert kickoff is not None
    with pytest.raises(SessionTypeAlreadyUsed):
        engagements.book_session(
            Actor.of(csm),
            kickoff.contract,
            type_code="kickoff",
            starts_at=kickoff.starts_at + timedelta(days=1),
            duration_minutes=60,
            staff_id=kickoff.staff_id,
        )


def test_sessions_keep_the_rules_of_a_booking(portfolio: synthetic.Portfolio) -> None:
    now = timezone.now()
    single_use = Counter()
    for contract in _contracts():
        window = engagements.pool_window(contract)
        for session in contract.sessions.select_related("session_type"):
            day = local_date(session.starts_at, contract.organization.timezone)
            assert contract.start_date <= day <= contract.end_date
            if session.status in DELIVERED:
                assert session.starts_at <= now
            if session.status == "booked":
                assert session.starts_at > now
            if session.covered_minutes:
                assert day in window and session.session_type.draws_on_pool
            kind = session.session_type
            if kind.max_minutes is not None:
                assert session.duration_minutes <= kind.max_minutes
            if kind.single_use and session.status in LIVE:
                single_use[(contract.pk, kind.code)] += 1
            if session.billable_minutes:
                accepted = BillableAcceptance.objects.filter(session=session)
                assert max(a.minutes for a in accepted) >= session.billable_minutes
    assert single_use and max(single_use.values()) == 1


def test_delivered_minutes_are_priced_at_the_rate_in_force(
    portfolio: synthetic.Portfolio,
) -> None:
    priced = 0
    for session in TrainingSession.objects.filter(
        contract__in=[c.pk for c in _contracts()], status__in=DELIVERED, billable_minutes__gt=0
    ).select_related("contract__organization"):
        day = local_date(session.starts_at, session.contract.organization.timezone)
        rate = pricing.rate_on(session.contract.currency, day)
        assert session.hourly_rate == rate
        exact = rate * session.billable_minutes / 60
        assert session.billable_amount == exact.quantize(Decimal("0.01"), ROUND_HALF_UP)
        priced += 1
    assert priced > 0
    # The history is priced from the rate card: each currency has a rate.
    assert set(HourlyRate.objects.values_list("currency", flat=True)) >= {"EUR", "USD", "GBP"}


def test_statements_bill_past_months_once_without_a_gap(portfolio: synthetic.Portfolio) -> None:
    numbers = sorted(Statement.objects.values_list("number", flat=True))
    assert numbers == list(range(1, len(numbers) + 1))
    assert StatementCounter.objects.get(name=billing.COUNTER).last_number == len(numbers)
    open_month = (portfolio_today().replace(day=1) - timedelta(days=1)).replace(day=1)
    for statement in Statement.objects.all():
        lines = list(statement.lines.all())
        assert statement.total == sum(line.amount for line in lines)
        assert statement.period_start.day == 1 and statement.period_start < open_month
        assert all(
            statement.period_start <= line.delivered_on <= statement.period_end for line in lines
        )
        assert statement.issued_at <= timezone.now()
    # Nothing delivered before the open month is left unbilled (the service's own reading).
    month = open_month - timedelta(days=1)
    for contract in _contracts():
        leftover = billing.unbilled(contract, (date(2000, 1, 1), month))
        assert leftover.lines == []


def test_health_checks_follow_the_periods(portfolio: synthetic.Portfolio) -> None:
    now = timezone.now()
    states = Counter()
    for contract in _contracts():
        checks = list(contract.health_checks.order_by("period_index"))
        assert [c.period for c in checks] == healthchecks.periods_of(contract)
        for check in checks:
            states[check.state] += 1
            if check.state == "completed":
                assert check.held_on in check.period and check.held_on <= contract.today()
                assert check.recorded_late == (check.completed_at.date() > check.period_end)
                assert check.summary and check.overall_status
                assert ActionItem.objects.filter(health_check=check).exists()
                assert check.events.filter(kind="completed").count() == 1
            if check.state == "scheduled":
                assert check.scheduled_for > now
                tz = contract.organization.timezone
                assert local_date(check.scheduled_for, tz) in check.period
    assert states["completed"] and states["due"]


def test_every_contract_stores_its_training_window_end(portfolio: synthetic.Portfolio) -> None:
    """The column the cockpit reads, written in bulk, is the window the entitlement
    works out (the first 90 days of a Launch Kit, the whole term of the others)."""
    contracts = _contracts()
    assert contracts
    for contract in contracts:
        window = engagements.training_entitlement(contract, contract.start_date).window
        assert contract.training_window_end == window.end, contract
    assert any(c.training_window_end < c.end_date for c in contracts)


def test_orders_and_cases_keep_the_support_rules(portfolio: synthetic.Portfolio) -> None:
    today = portfolio_today()
    start_of_today = datetime.combine(today, time(0), UTC)
    for order in Order.objects.filter(contract__in=[c.pk for c in _contracts()]):
        assert support_rules.date_problems(order.dates(), today) == []
    for case in Case.objects.filter(contract__in=[c.pk for c in _contracts()]).select_related(
        "order__contract__package"
    ):
        assert case.queue == support_rules.queue_for(support_rules.CaseType(case.type))
        if case.type in ("return", "exchange"):
            support.check_return_window(case.order, case.opened_at.date())
            assert case.lines.exists()
        assert case.events.first().kind == "opened"
        # History ends before today began, whatever the hour the portfolio is built at.
        assert case.opened_at <= case.updated_at < start_of_today


def test_history_publishes_nothing(today: date) -> None:
    before = Event.objects.count()
    synthetic.build_portfolio(5, 12, today=today)
    assert Event.objects.count() == before


def test_a_second_run_of_a_seed_adds_nothing(today: date) -> None:
    first = synthetic.build_portfolio(5, 13, today=today)
    rows = {model: model.objects.count() for model in MODELS}
    again = synthetic.build_portfolio(50, 13, today=today)
    assert (first.created, again.created, again.contracts) == (True, False, 5)
    assert {model: model.objects.count() for model in MODELS} == rows


def test_the_command_adds_a_portfolio_once(capsys: pytest.CaptureFixture[str]) -> None:
    call_command("demo", contracts=4, seed=21, verbosity=0)
    assert "seed 21: 4 contracts" in capsys.readouterr().out
    call_command("demo", contracts=4, seed=21, verbosity=0)
    assert "already there (4 contracts); nothing was added" in capsys.readouterr().out
    assert (
        Contract.objects.filter(buyer_contact__user__email__endswith=".s21.buyers.test").count()
        == 4
    )


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's own constraint")
def test_postgresql_refuses_an_overlap_with_a_synthetic_meeting(
    portfolio: synthetic.Portfolio,
) -> None:
    busy = BusyInterval.objects.filter(live=True).order_by("id").first()
    assert busy is not None
    with pytest.raises(IntegrityError), transaction.atomic():
        BusyInterval.objects.create(
            staff_id=busy.staff_id,
            kind="session",
            meeting_id=10**12,
            starts_at=busy.starts_at + timedelta(minutes=10),
            ends_at=busy.ends_at + timedelta(minutes=10),
        )


# --- determinism --------------------------------------------------------------------------

MODELS = [
    Organization,
    User,
    Contact,
    StaffRole,
    Availability,
    WorkingHours,
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
    HourlyRate,
]


def _fingerprint(before: dict[type, int]) -> str:
    """A digest of every row added since ``before`` (the largest ids then): ids and
    references to new rows by their rank, so two databases compare whatever their
    sequences; password hashes and the rate card's clock time left out."""
    rank = {
        model: {
            pk: n
            for n, pk in enumerate(
                model.objects.filter(id__gt=before[model])
                .order_by("id")
                .values_list("id", flat=True)
            )
        }
        for model in MODELS
    }
    digest = hashlib.sha256()
    for model in MODELS:
        fields = [
            f
            for f in model._meta.concrete_fields
            if f.name != "password" and not (model is HourlyRate and f.name == "created_at")
        ]
        rows = model.objects.filter(id__gt=before[model]).order_by("id")
        for row in rows.values_list(*(f.attname for f in fields)):
            values = dict(zip((f.name for f in fields), row, strict=True))
            for f in fields:
                target = f.related_model if f.is_relation else None
                if f.primary_key:
                    values[f.name] = rank[model][values[f.name]]
                elif target in rank and values[f.name] in rank[target]:
                    values[f.name] = ("new", rank[target][values[f.name]])
            if model is BusyInterval:
                meeting = TrainingSession if values["kind"] == "session" else HealthCheck
                values["meeting_id"] = rank[meeting].get(values["meeting_id"])
            if model is CaseEvent and values["kind"] == "assigned":
                for name in ("from_value", "to_value"):
                    values[name] = rank[User].get(int(values[name])) if values[name] else ""
            digest.update(repr((model.__name__, sorted(values.items()))).encode())
    return digest.hexdigest()


def _built(seed: int, today: date) -> str:
    """The fingerprint of a portfolio built on a database as it is now, then undone."""
    before = {model: model.objects.aggregate(top=Max("id"))["top"] or 0 for model in MODELS}
    with transaction.atomic():
        synthetic.build_portfolio(12, seed, today=today)
        fingerprint = _fingerprint(before)
        transaction.set_rollback(True)
    assert not Contract.objects.filter(buyer_contact__user__email__endswith=f".s{seed}.buyers.test")
    return fingerprint


def test_a_seed_writes_the_same_rows_and_another_seed_others() -> None:
    day = date(2026, 6, 15)
    first = _built(5, day)
    assert _built(5, day) == first
    assert _built(6, day) != first
    assert _built(5, day + timedelta(days=1)) != first


def test_the_generator_never_reads_the_clock() -> None:
    # Same seed and day at two instants: the same rows (nothing stamped "now").
    day = date(2026, 6, 15)
    first = _built(7, day)
    later = datetime(2027, 1, 1, tzinfo=timezone.get_current_timezone())
    from unittest import mock

    with mock.patch.object(timezone, "now", return_value=later):
        assert _built(7, day) == first
