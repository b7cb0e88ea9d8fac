from __future__ import annotations

from datetime import date, timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from successkit.factories import ContractFactory
from successkit.support.models import Order, OrderLine
from successkit.support.tests.conftest import counts
from successkit.support.tests.factories import OrderFactory

pytestmark = pytest.mark.django_db

HEADER = "reference,sku,size,colour,quantity,placed_on,shipped_on,received_on\n"


def run(contract_id: object, path: Path) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("import_orders", str(contract_id), str(path), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def refused(contract_id: object, path: Path) -> tuple[str, str]:
    err = StringIO()
    with pytest.raises(CommandError) as raised:
        call_command("import_orders", str(contract_id), str(path), stdout=StringIO(), stderr=err)
    return str(raised.value), err.getvalue()


def test_rows_of_one_reference_make_one_order(tmp_path: Path) -> None:
    contract = ContractFactory()
    csv = tmp_path / "orders.csv"
    csv.write_text(
        HEADER
        + "SO-1,OURA-GEN4-SILVER,9,silver,3,2026-01-02,2026-01-04,2026-01-08\n"
        + "SO-1,OURA-GEN4-SILVER,10,silver,1,2026-01-02,2026-01-04,2026-01-08\n"
        + "\n"
        + "SO-2,OURA-GEN4-BLACK,11,,2,2026-01-05,,\n",
        encoding="utf-8",
    )
    out, err = run(contract.pk, csv)
    assert "Imported 2 orders (3 lines)" in out
    assert "checking rows" in err  # the progress bar
    first, second = Order.objects.filter(contract=contract).order_by("reference")
    assert (first.reference, first.placed_on, first.shipped_on, first.received_on) == (
        "SO-1",
        date(2026, 1, 2),
        date(2026, 1, 4),
        date(2026, 1, 8),
    )
    assert list(first.lines.values_list("sku", "size", "colour", "quantity")) == [
        ("OURA-GEN4-SILVER", "9", "silver", 3),
        ("OURA-GEN4-SILVER", "10", "silver", 1),
    ]
    assert (second.received_on, second.lines.get().quantity) == (None, 2)
    assert first.created_by is None


def test_every_imported_order_has_its_created_row_in_the_audit_trail(tmp_path: Path) -> None:
    """As an order recorded through the API or a page: the audit trail starts at its
    creation, with the dates it was imported with."""
    contract = ContractFactory()
    OrderFactory(contract=contract, reference="EARLIER")
    csv = tmp_path / "orders.csv"
    csv.write_text(
        HEADER
        + "SO-1,OURA-GEN4-SILVER,9,silver,3,2026-01-02,2026-01-04,2026-01-08\n"
        + "SO-2,OURA-GEN4-BLACK,11,,2,2026-01-05,,\n",
        encoding="utf-8",
    )
    run(contract.pk, csv)
    for order in Order.objects.filter(contract=contract).exclude(reference="EARLIER"):
        [created] = order.history.all()
        assert created.history_type == "+"
        assert (created.reference, created.placed_on, created.received_on) == (
            order.reference,
            order.placed_on,
            order.received_on,
        )
        assert created.history_user_id is None  # the command line
    assert Order.history.filter(reference="EARLIER").count() == 1  # untouched


def test_bad_rows_are_reported_by_line_and_nothing_is_imported(tmp_path: Path) -> None:
    contract = ContractFactory()
    OrderFactory(contract=contract, reference="SO-OLD")
    tomorrow = (contract.today() + timedelta(days=1)).isoformat()
    csv = tmp_path / "orders.csv"
    csv.write_text(
        HEADER
        + "SO-1,OURA-GEN4-SILVER,9,silver,3,2026-01-02,,\n"  # line 2: fine
        + "SO-1,OURA-GEN4-SILVER,10,silver,zero,2026-01-02,,\n"  # 3: quantity
        + "SO-2,,9,,1,,,\n"  # 4: no SKU
        + "SO-3,OURA,9,,1,2026-13-01,,\n"  # 5: no such date
        + "SO-OLD,OURA,9,,1,,,\n"  # 6: already there
        + f"SO-4,OURA,9,,1,,,{tomorrow}\n"  # 7: received tomorrow
        + "SO-1,OURA-GEN4-SILVER,11,silver,1,2026-01-03,,\n"  # 8: dates differ from line 2
        + "SO-5,OURA,9,,1,,,,surplus\n"  # 9: more fields than the header
        + "SO-6,OURA,9,,1,,,\n",  # 10: fine
        encoding="utf-8",
    )
    before = counts()
    message, err = refused(contract.pk, csv)
    assert message == "Rows that are not valid: 7. Nothing was imported."
    reported = [line.split(":")[0] for line in err.splitlines() if line.startswith("line ")]
    assert reported == [f"line {n}" for n in (3, 4, 5, 6, 7, 8, 9)]
    assert "line 3: quantity must be a whole number from 1 to 100000." in err
    assert "line 4: sku must not be empty." in err
    assert "line 8: The dates differ from line 2 of the same order SO-1." in err
    assert counts() == before


def test_a_file_without_the_required_columns_is_refused(tmp_path: Path) -> None:
    contract = ContractFactory()
    csv = tmp_path / "orders.csv"
    csv.write_text("reference,sku\nSO-1,OURA\n", encoding="utf-8")
    message, _err = refused(contract.pk, csv)
    assert message == "line 1: the header lacks the columns size, quantity."
    assert Order.objects.count() == 0


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"reference,sku,size,quantity\nSO-1,\xff\xfe,9,1\n", "is not UTF-8 text"),
        (b"reference,sku,size,quantity\n", "The file has no order lines"),
        (b"", "the header lacks the columns"),
    ],
)
def test_unreadable_or_empty_files_import_nothing(
    tmp_path: Path, content: bytes, expected: str
) -> None:
    contract = ContractFactory()
    csv = tmp_path / "orders.csv"
    csv.write_bytes(content)
    message, _err = refused(contract.pk, csv)
    assert expected in message
    assert OrderLine.objects.count() == 0


def test_an_unknown_contract_or_file_is_an_error(tmp_path: Path) -> None:
    message, _err = refused(987654, tmp_path / "orders.csv")
    assert message == "Contract 987654 does not exist."
    contract = ContractFactory()
    message, _err = refused(contract.pk, tmp_path / "missing.csv")
    assert message.startswith("Cannot read")


def test_the_command_exits_non_zero_on_errors(tmp_path: Path) -> None:
    import subprocess
    import sys

    csv = tmp_path / "orders.csv"
    csv.write_text("reference,sku\n", encoding="utf-8")
    # The command line turns a CommandError into exit status 1 before touching any database.
    result = subprocess.run(
        [sys.executable, "-m", "successkit", "import_orders", "not-an-id", str(csv)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert "Contract not-an-id does not exist." in result.stderr
