"""The representative runs the account from the contract page, in Chromium at desktop and
phone width: records an order with its lines, imports a CSV file whose bad rows are named
by line (and nothing is imported), then changes the contract's term."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

from django.utils import timezone
from playwright.sync_api import expect

from successkit.contracts.models import Contract
from successkit.factories import PASSWORD, ContractFactory
from successkit.portal.tests.browser import browser_marks, chromium, look, page, sign_in
from successkit.support.models import Order

pytestmark = browser_marks
__all__ = ["chromium", "page"]


def test_staff_record_an_order_import_a_file_and_change_the_term(page, tmp_path: Path) -> None:
    contract: Contract = ContractFactory(
        organization__name="Clínica Sol",
        organization__language="en",
        start_date=timezone.localdate() - timedelta(days=30),
    )
    staff = contract.representative
    staff.language = "en"
    staff.save()
    asked: list[str] = []
    page.on("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
    sign_in(page, staff.email, PASSWORD)
    page.goto(f"/contracts/{contract.pk}/")

    # An order with two lines.
    page.locator("#record-order summary").click()
    page.get_by_label("Order reference").fill("SO-501")
    page.get_by_label("SKU, line 1").fill("OURA-GEN4")
    page.get_by_label("Ring size, line 1").fill("9")
    page.get_by_label("Quantity, line 1").fill("5")
    page.get_by_label("SKU, line 2").fill("OURA-GEN4")
    page.get_by_label("Ring size, line 2").fill("11")
    page.get_by_label("Colour, line 2").fill("black")
    page.get_by_label("Quantity, line 2").fill("2")
    page.get_by_role("button", name="Record the order").click()
    expect(page.get_by_role("status")).to_contain_text("Order SO-501 is recorded.")
    order = Order.objects.get(contract=contract, reference="SO-501")
    assert sorted(order.lines.values_list("size", "quantity")) == [("11", 2), ("9", 5)]
    expect(page.locator(f"#order-{order.pk}")).to_contain_text("5 rings OURA-GEN4, size 9")

    # Its receipt date: the returns window appears.
    received = contract.today() - timedelta(days=1)
    page.locator(f"#order-{order.pk} summary").click()
    page.get_by_label("Day the buyer received SO-501").fill(received.isoformat())
    page.get_by_role("button", name="Save the receipt date of SO-501").click()
    expect(page.get_by_role("status")).to_contain_text("receipt date of order SO-501")
    order.refresh_from_db()
    assert order.received_on == received
    expect(page.locator(f"#order-{order.pk} .returns")).to_contain_text(
        "Returns and exchanges until"
    )

    # A CSV file with two bad rows: both named by line, nothing imported.
    bad = tmp_path / "orders.csv"
    bad.write_text(
        "reference,sku,size,quantity\nSO-601,OURA,9,2\nSO-602,OURA,,1\nSO-501,OURA,8,1\n",
        encoding="utf-8",
    )
    page.locator("#import-orders summary").click()
    page.get_by_label("Orders file (CSV)").set_input_files(str(bad))
    page.get_by_role("button", name="Import the orders").click()
    expect(page.get_by_role("alert")).to_contain_text("Line 3: size must not be empty.")
    expect(page.locator('[data-line="4"]')).to_contain_text("SO-501")
    assert not Order.objects.filter(reference__in=["SO-601", "SO-602"]).exists()
    assert any(question.startswith("Import every order of this file?") for question in asked)
    look(page, "staff-orders-import-refused")

    good = tmp_path / "fixed.csv"
    good.write_text(
        "reference,sku,size,quantity\nSO-601,OURA,9,2\nSO-602,OURA,10,1\n", encoding="utf-8"
    )
    page.get_by_label("Orders file (CSV)").set_input_files(str(good))
    page.get_by_role("button", name="Import the orders").click()
    expect(page.get_by_role("status")).to_contain_text("2 orders are imported.")
    assert Order.objects.filter(contract=contract).count() == 3

    # The term: a later end date is accepted; one before the start is refused in words.
    later = contract.end_date + timedelta(days=90)
    page.locator("#parties summary", has_text="Change the term").click()
    page.get_by_label("New end date").fill(later.isoformat())
    page.get_by_role("button", name="Change the end date").click()
    expect(page.get_by_role("status")).to_contain_text("The contract's term is changed.")
    contract.refresh_from_db()
    assert contract.end_date == later
    assert any(question.startswith("Change the end date of this contract?") for question in asked)
    page.locator("#parties summary", has_text="Change the term").click()
    page.get_by_label("New end date").fill((contract.start_date - timedelta(days=1)).isoformat())
    page.get_by_role("button", name="Change the end date").click()
    expect(page.get_by_role("status")).to_contain_text("must be after the start date")
    expect(page.get_by_role("status")).not_to_contain_text(re.compile("end_date|validation"))
    contract.refresh_from_db()
    assert contract.end_date == later
    look(page, "staff-contract-workspace")
