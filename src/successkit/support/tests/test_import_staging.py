"""A big import never locks others out: rows are staged in short transactions and
published at once - all rows or none - while bookings go on."""

from __future__ import annotations

import threading
import time
from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from successkit.conftest import ApiClient
from successkit.engagements.tests.helpers import contract_starting, on_day, rate
from successkit.factories import ContractFactory
from successkit.support.models import Order, OrderLine, StagedOrderLine
from successkit.support.services import imports as order_imports

HEADER = "reference,sku,size,quantity,placed_on\n"


def write_orders(path: Path, lines: int, per_order: int = 2) -> Path:
    rows = [f"SO-{n // per_order},OURA-GEN4-SILVER,{6 + n % 8},1,2026-01-02" for n in range(lines)]
    path.write_text(HEADER + "\n".join(rows) + "\n", encoding="utf-8")
    return path


@pytest.mark.django_db
def test_rows_are_staged_in_batches_and_published_at_once(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(order_imports, "STAGING_BATCH", 3)
    contract = ContractFactory()
    err = StringIO()
    call_command(
        "import_orders",
        str(contract.pk),
        str(write_orders(tmp_path / "o.csv", 10)),
        stdout=StringIO(),
        stderr=err,
    )
    assert "checking rows" in err.getvalue() and "writing rows" in err.getvalue()
    assert Order.objects.filter(contract=contract).count() == 5
    assert OrderLine.objects.filter(order__contract=contract).count() == 10
    assert list(
        OrderLine.objects.filter(order__reference="SO-0").values_list("size", flat=True)
    ) == ["6", "7"]
    assert StagedOrderLine.objects.count() == 0


@pytest.mark.django_db
def test_a_reference_taken_while_staging_imports_nothing(tmp_path, monkeypatch) -> None:
    contract = ContractFactory()
    original = order_imports._stage

    def stage_then_someone_records_so_3(*args, **kwargs):
        original(*args, **kwargs)
        Order.objects.create(contract=contract, reference="SO-3")

    monkeypatch.setattr(order_imports, "_stage", stage_then_someone_records_so_3)
    with pytest.raises(CommandError):
        call_command(
            "import_orders",
            str(contract.pk),
            str(write_orders(tmp_path / "o.csv", 10)),
            stdout=StringIO(),
            stderr=StringIO(),
        )
    assert list(Order.objects.filter(contract=contract).values_list("reference", flat=True)) == [
        "SO-3"
    ]
    assert OrderLine.objects.count() == 0
    assert StagedOrderLine.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_bookings_go_on_during_a_big_import(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(order_imports, "STAGING_BATCH", 250)
    rate()
    booked = contract_starting(timezone.localdate() - timedelta(days=5))
    api = ApiClient(booked.representative)
    target = ContractFactory()
    csv = write_orders(tmp_path / "big.csv", 6000)
    failures: list[BaseException] = []

    def run_import() -> None:
        try:
            call_command(
                "import_orders",
                str(target.pk),
                str(csv),
                "--no-progress",
                stdout=StringIO(),
                stderr=StringIO(),
            )
        except BaseException as error:  # reported below
            failures.append(error)
        finally:
            connection.close()

    importer = threading.Thread(target=run_import)
    importer.start()
    results = []
    day = 20
    while importer.is_alive() or not results:
        started = time.monotonic()
        response = api.post(
            f"contracts/{booked.pk}/sessions",
            {
                "type": "additional_training",
                "starts_at": on_day(booked, day).isoformat(),
                "duration_minutes": 30,
                "accept_billable": True,
            },
        )
        results.append((response.status_code, time.monotonic() - started))
        day += 1
    importer.join()
    assert failures == []
    assert Order.objects.filter(contract=target).count() == 3000
    assert [status for status, _seconds in results] == [201] * len(results)
    # Well under SQLite's 30 s busy timeout, after which a booking would fail (the old
    # one-transaction import held the lock for the whole file); generous for a busy CI box.
    assert max(seconds for _status, seconds in results) < 25
