"""Ledgers, histories and issued documents are append-only, by one mechanism."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.apps import apps
from django.utils import timezone

from successkit.accounts.actors import Actor
from successkit.core.records import AppendOnly, AppendOnlyError
from successkit.engagements import services
from successkit.engagements.models import PoolEntry
from successkit.factories import ContractFactory

pytestmark = pytest.mark.django_db

# Pinned by hand: the tables whose rows are facts once written (SPEC: the ledger, the
# histories, issued statements and their lines, corrections, acceptances).
APPEND_ONLY = {
    "engagements.PoolEntry",
    "engagements.BillableAcceptance",
    "healthchecks.HealthCheckEvent",
    "support.CaseEvent",
    "billing.Statement",
    "billing.StatementLine",
    "billing.Adjustment",
}


def test_exactly_the_ledgers_histories_and_issued_documents_are_append_only() -> None:
    found = {
        f"{model._meta.app_label}.{model.__name__}"
        for model in apps.get_models()
        if issubclass(model, AppendOnly)
    }
    assert found == APPEND_ONLY


@pytest.mark.parametrize("label", sorted(APPEND_ONLY))
def test_bulk_updates_and_deletes_are_refused(label: str) -> None:
    model = apps.get_model(label)
    with pytest.raises(AppendOnlyError):
        model.objects.all().update(pk=1)
    with pytest.raises(AppendOnlyError):
        model.objects.all().delete()


def test_a_ledger_row_can_be_written_but_never_changed() -> None:
    contract = ContractFactory()
    services.book_session(
        Actor.of(contract.representative),
        contract,
        type_code="kickoff",
        starts_at=timezone.now() + timedelta(days=3),
        duration_minutes=60,
    )
    entry = PoolEntry.objects.get()
    assert (entry.kind, entry.reserved_delta) == ("reserve", 60)
    entry.reserved_delta = 0
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    entry.refresh_from_db()
    assert entry.reserved_delta == 60
