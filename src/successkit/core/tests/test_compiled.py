"""Querysets compiled once (core/compiled.py) answer exactly what the ORM answers."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from successkit.accounts.actors import Actor
from successkit.accounts.models import User
from successkit.contracts.models import Contract
from successkit.contracts.services import contract_for
from successkit.core.compiled import CompiledQuery
from successkit.core.errors import NotFound
from successkit.engagements.models import TrainingPool
from successkit.factories import ContactFactory, ContractFactory, StaffFactory
from successkit.healthchecks.models import HealthCheck
from successkit.healthchecks.services import health_check_tally, with_health_check_rows

pytestmark = pytest.mark.django_db


def fields(obj: object) -> dict[str, object]:
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}  # type: ignore[attr-defined]


def test_a_compiled_lookup_builds_the_same_objects_as_the_orm() -> None:
    contract = ContractFactory(start_date=date(2026, 1, 5))
    TrainingPool.objects.create(contract=contract, included_minutes=120, reserved_minutes=30)
    staff = Actor.of(StaffFactory())
    expected = Contract.objects.select_related(
        "organization", "package__version", "training_pool"
    ).get(pk=contract.pk)
    with CaptureQueriesContext(connection) as captured:
        found = contract_for(staff, contract.pk, "training_pool")
        # Related objects come with it, converted as the ORM converts them.
        assert fields(found) == fields(expected)
        assert fields(found.organization) == fields(expected.organization)
        assert fields(found.package) == fields(expected.package)
        assert fields(found.package.version) == fields(expected.package.version)
        assert fields(found.training_pool) == fields(expected.training_pool)
        assert found.start_date == date(2026, 1, 5)
    assert len(captured.captured_queries) == 1
    # A missing reverse one-to-one is known missing, as with select_related.
    bare = ContractFactory()
    found = contract_for(staff, bare.pk, "training_pool")
    with CaptureQueriesContext(connection) as captured, pytest.raises(TrainingPool.DoesNotExist):
        found.training_pool  # noqa: B018
    assert len(captured.captured_queries) == 0


def test_a_compiled_lookup_keeps_a_contact_to_their_own_organization() -> None:
    mine, theirs = ContractFactory(), ContractFactory()
    contact = ContactFactory(organization=mine.organization)
    actor = Actor.of(User.objects.get(pk=contact.user_id))
    assert contract_for(actor, mine.pk).pk == mine.pk
    with pytest.raises(NotFound):
        contract_for(actor, theirs.pk)
    with pytest.raises(NotFound):
        contract_for(actor, 10**12)
    with pytest.raises(NotFound):
        contract_for(Actor.of(StaffFactory()), 10**12)


def test_values_list_rows_come_back_as_tuples() -> None:
    contract = ContractFactory()
    rows = CompiledQuery(
        lambda contract_id: (
            HealthCheck.objects.filter(contract_id=contract_id)
            .order_by("period_end")
            .values_list("state", "period_end", "recorded_late")
        ),
        1,
    )
    expected = list(
        HealthCheck.objects.filter(contract=contract)
        .order_by("period_end")
        .values_list("state", "period_end", "recorded_late")
    )
    assert expected  # a Pro Lite contract owes health checks
    assert rows.run(contract.pk) == expected
    other = ContractFactory(start_date=date(2025, 3, 1))
    assert rows.run(other.pk) == list(
        HealthCheck.objects.filter(contract=other)
        .order_by("period_end")
        .values_list("state", "period_end", "recorded_late")
    )
    assert rows.run(other.pk) != expected


def test_only_integer_and_text_parameters_compile() -> None:
    by_name = CompiledQuery(lambda name: Contract.objects.filter(organization__name=str(name)), 1)
    with pytest.raises(TypeError):
        by_name.run(1)
    # Declared as text, the same parameter compiles and finds what the ORM finds.
    contract = ContractFactory()
    by_name = CompiledQuery(
        lambda name, pk: Contract.objects.filter(organization__name=name, pk=pk), 2, texts=(0,)
    )
    assert [c.pk for c in by_name.run(contract.organization.name, contract.pk)] == [contract.pk]
    assert by_name.run(contract.organization.name + "'; --", contract.pk) == []
    assert by_name.run("", contract.pk) == []


def test_the_entitlements_lookup_reads_the_health_checks_with_the_contract() -> None:
    contract = ContractFactory()
    staff = Actor.of(StaffFactory())
    first = HealthCheck.objects.filter(contract=contract).order_by("period_index").first()
    assert first is not None
    HealthCheck.objects.filter(pk=first.pk).update(state="completed", recorded_late=True)
    expected = health_check_tally(contract, date(2027, 1, 1))  # its own query
    with CaptureQueriesContext(connection) as captured:
        found = contract_for(staff, contract.pk, "training_pool", extra=with_health_check_rows)
        tally = health_check_tally(found, date(2027, 1, 1))
    assert len(captured.captured_queries) == 1
    assert tally == expected
    assert tally.owed > 1
    assert tally.completed == 1
    bare = ContractFactory()
    HealthCheck.objects.filter(contract=bare).delete()
    found = contract_for(staff, bare.pk, extra=with_health_check_rows)
    assert health_check_tally(found, date(2027, 1, 1)).owed == 0


def test_the_lean_entitlements_lookup_gives_the_entitlements_of_the_whole_contract() -> None:
    from successkit.engagements.services import entitlements, entitlements_columns

    drawn = ContractFactory(start_date=date(2026, 1, 5))
    TrainingPool.objects.create(contract=drawn, included_minutes=120, reserved_minutes=30)
    fresh = ContractFactory()  # no pool row yet
    staff = Actor.of(StaffFactory())
    buyer = Actor.of(ContactFactory(organization=drawn.organization).user)
    for actor, contract in ((staff, drawn), (staff, fresh), (buyer, drawn)):
        whole = Contract.objects.select_related("organization", "package", "training_pool")
        expected = entitlements(whole.get(pk=contract.pk), date(2026, 6, 1))
        expected_today = entitlements(whole.get(pk=contract.pk))  # the buyer's today
        with CaptureQueriesContext(connection) as captured:
            found = contract_for(actor, contract.pk, "training_pool", extra=entitlements_columns)
            # Nothing entitlements reads was left out: no further query.
            assert entitlements(found, date(2026, 6, 1)) == expected
            assert entitlements(found) == expected_today
            assert found.representative_id == contract.representative_id
        assert len(captured.captured_queries) == 1


# --- inserts ------------------------------------------------------------------------------


def test_a_compiled_insert_stores_what_save_stores() -> None:
    from successkit.core.compiled import CompiledInsert
    from successkit.outbox.models import Event

    facts = {"type": "session.booked", "subject": "engagements.trainingsession", "subject_id": 7}
    data = {"sequence": 2, "days": [1, 2], "note": "ünïcode"}
    saved = Event(**facts, data=data)
    saved.save()
    inserted = CompiledInsert(Event).insert(Event(**facts, data=data))
    assert inserted._state.adding is False
    assert inserted._state.db == "default"
    reread = {e.pk: e for e in Event.objects.filter(pk__in=[saved.pk, inserted.pk])}
    assert reread[inserted.pk].data == data == reread[saved.pk].data
    assert reread[inserted.pk].occurred_at == inserted.occurred_at
    assert {
        k: v for k, v in fields(reread[inserted.pk]).items() if k not in ("id", "occurred_at")
    } == {k: v for k, v in fields(reread[saved.pk]).items() if k not in ("id", "occurred_at")}


def test_a_compiled_insert_sets_the_key_the_decimals_and_sends_save_signals() -> None:
    from decimal import Decimal

    from successkit.core.compiled import CompiledInsert
    from successkit.pricing.models import HourlyRate

    inserted = CompiledInsert(HourlyRate).insert(
        HourlyRate(currency="EUR", hourly_rate=Decimal("150.25"), effective_from=date(2031, 2, 3))
    )
    assert isinstance(inserted.pk, int)
    assert inserted.created_at is not None  # auto_now_add, as save() fills it
    stored = HourlyRate.objects.get(pk=inserted.pk)
    assert (stored.currency, stored.hourly_rate, stored.effective_from) == (
        "EUR",
        Decimal("150.25"),
        date(2031, 2, 3),
    )
    assert stored.created_at == inserted.created_at
    # post_save reached django-simple-history: the rate's audit trail has its creation.
    assert [h.history_type for h in stored.history.all()] == ["+"]


def test_a_compiled_insert_runs_the_row_checks_of_save() -> None:
    from successkit.core.compiled import CompiledInsert
    from successkit.core.errors import ValidationFailed
    from successkit.outbox.models import Event

    # core.bounds.check_row, a pre_save hook: a NUL byte is refused before any SQL.
    with pytest.raises(ValidationFailed):
        CompiledInsert(Event).insert(Event(type="a\x00b", subject="s", subject_id=1))
    assert not Event.objects.filter(subject="s").exists()


def test_a_statement_run_again_keeps_its_literal_percent_signs_and_new_values() -> None:
    # SQLite's placeholders are converted once per statement (core/sqlite): the kept text
    # must serve the next run with its own values, a literal "%%" still read as "%".
    with connection.cursor() as cursor:
        for value in (1, 2, 3):
            cursor.execute("SELECT '100%%', %s", [value])
            assert tuple(cursor.fetchone()) == ("100%", value)


def test_a_compiled_insert_refuses_an_unsaved_related_object_as_save_does() -> None:
    from successkit.core.compiled import CompiledInsert
    from successkit.scheduling.models import BusyInterval

    unsaved = User(email="not-saved@example.test", name="Not saved")
    interval = BusyInterval(
        staff=unsaved,
        kind="session",
        meeting_id=1,
        starts_at=datetime(2031, 1, 1, 9, tzinfo=UTC),
        ends_at=datetime(2031, 1, 1, 10, tzinfo=UTC),
    )
    with pytest.raises(ValueError, match="unsaved related object"):
        CompiledInsert(BusyInterval).insert(interval)
    assert not BusyInterval.objects.filter(meeting_id=1).exists()


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's cursor only")
def test_the_kept_placeholders_stay_within_their_bound(monkeypatch: pytest.MonkeyPatch) -> None:
    from successkit.core.sqlite import base as sqlite_backend

    monkeypatch.setattr(sqlite_backend, "_CONVERTED_LIMIT", 5)
    monkeypatch.setattr(sqlite_backend, "_converted", {})
    with connection.cursor() as cursor:
        # Twelve distinct statements: the table is emptied whenever it is full, and every
        # statement still gets its own rewritten text.
        for value in range(12):
            cursor.execute(f"SELECT {value}, %s", [value * 10])
            assert tuple(cursor.fetchone()) == (value, value * 10)
            assert len(sqlite_backend._converted) <= 5
