"""The contract page as the whole account: orders (recorded, received, imported from a
CSV file with its errors by line), the term, the representative, the counterpart, cases
and orders in the timeline, the billing lines with their statement numbers."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from html import unescape
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from successkit.accounts.actors import Actor
from successkit.accounts.roles import Role
from successkit.billing.services import issue_statement
from successkit.billing.tests.helpers import billable_session, unpriced, when
from successkit.conftest import ApiClient
from successkit.contracts.models import Contract
from successkit.engagements import services
from successkit.engagements.tests.helpers import contract_starting, rate
from successkit.factories import PASSWORD, ContactFactory, ContractFactory, StaffFactory
from successkit.support.models import Case, Order, OrderLine
from successkit.support.tests.factories import OrderFactory

pytestmark = pytest.mark.django_db


def signed_in(user, language: str = "en") -> Client:
    user.language = language
    user.save()
    client = Client()
    assert client.post("/login/", {"username": user.email, "password": PASSWORD}).status_code == 302
    return client


def english_contract(**kwargs) -> Contract:
    return ContractFactory(
        start_date=timezone.localdate() - timedelta(days=40),
        organization__language="en",
        **kwargs,
    )


def test_staff_record_an_order_with_its_lines_and_then_its_receipt() -> None:
    contract = english_contract()
    client = signed_in(contract.representative)
    placed = contract.today() - timedelta(days=3)
    body = {
        "reference": "SO-77",
        "placed_on": placed.isoformat(),
        "sku_1": "OURA-GEN3",
        "size_1": "9",
        "quantity_1": "4",
        "sku_2": "OURA-GEN3",
        "size_2": "10",
        "colour_2": "silver",
        "quantity_2": "2",
    }
    done = client.post(f"/support/contracts/{contract.pk}/orders/new/", body, follow=True)
    assert done.redirect_chain[-1][0].endswith(f"/contracts/{contract.pk}/#orders")
    order = Order.objects.get(contract=contract, reference="SO-77")
    assert sorted(order.lines.values_list("size", "colour", "quantity")) == [
        ("10", "silver", 2),
        ("9", "", 4),
    ]
    html = done.content.decode()
    assert "Order SO-77 is recorded." in html
    assert "4 rings OURA-GEN3, size 9" in html

    # The same reference again is refused, with what was typed kept.
    again = client.post(f"/support/contracts/{contract.pk}/orders/new/", body)
    assert again.status_code == 409
    assert 'value="OURA-GEN3"' in again.content.decode()
    assert Order.objects.filter(contract=contract).count() == 1

    # A second line half filled in is refused before anything is written.
    half = client.post(
        f"/support/contracts/{contract.pk}/orders/new/",
        {**body, "reference": "SO-78", "quantity_2": ""},
    )
    assert half.status_code == 422
    assert "Line 2 needs its SKU, ring size and quantity" in half.content.decode()

    received = contract.today() - timedelta(days=1)
    page = client.post(
        f"/support/orders/{order.pk}/received/", {"received_on": received.isoformat()}, follow=True
    )
    order.refresh_from_db()
    assert order.received_on == received
    html = page.content.decode()
    assert "The receipt date of order SO-77 is recorded." in html
    # The returns window: 30 days after receipt (SPEC.md §4), in the buyer's calendar.
    assert f'data-returns-until="{(received + timedelta(days=30)).isoformat()}"' in html

    future = client.post(
        f"/support/orders/{order.pk}/received/",
        {"received_on": (contract.today() + timedelta(days=2)).isoformat()},
        follow=True,
    )
    assert "cannot be later than today" in future.content.decode()
    order.refresh_from_db()
    assert order.received_on == received


def test_a_csv_import_with_bad_rows_lists_them_by_line_and_imports_nothing() -> None:
    contract = english_contract()
    OrderFactory(contract=contract, reference="SO-1")
    client = signed_in(contract.representative)
    content = (
        b"reference,sku,size,quantity,received_on\n"
        b"SO-2,OURA,9,3,\n"
        b"SO-3,OURA,,1,\n"
        b"SO-1,OURA,8,1,\n"
        b"SO-4,OURA,8,two,2026-02-30\n"
    )
    refused = client.post(
        f"/support/contracts/{contract.pk}/orders/import/",
        {"file": SimpleUploadedFile("orders.csv", content, content_type="text/csv")},
    )
    assert refused.status_code == 422
    html = refused.content.decode()
    assert 'data-line="3"' in html and "Line 3: size must not be empty." in html
    assert 'data-line="4"' in html and "SO-1" in html.split('data-line="4"', 1)[1]
    assert 'data-line="5"' in html
    assert 'data-line="2"' not in html
    assert Order.objects.filter(contract=contract).count() == 1

    good = b"reference,sku,size,quantity\nSO-2,OURA,9,3\nSO-2,OURA,10,1\nSO-3,OURA,7,2\n"
    done = client.post(
        f"/support/contracts/{contract.pk}/orders/import/",
        {"file": SimpleUploadedFile("orders.csv", good, content_type="text/csv")},
        follow=True,
    )
    assert "2 orders are imported." in done.content.decode()
    assert OrderLine.objects.filter(order__reference="SO-2").count() == 2

    header = client.post(
        f"/support/contracts/{contract.pk}/orders/import/",
        {"file": SimpleUploadedFile("orders.csv", b"reference,sku\nX,Y\n")},
    )
    assert header.status_code == 422
    assert "the header lacks the columns size, quantity" in header.content.decode()


def test_only_order_staff_see_the_order_forms() -> None:
    contract = english_contract()
    OrderFactory(contract=contract, reference="SO-9")
    buyer = signed_in(contract.buyer_contact.user).get(f"/contracts/{contract.pk}/")
    html = buyer.content.decode()
    assert "SO-9" in html and "Returns and exchanges until" in html
    assert "/orders/new/" not in html and "/received/" not in html
    finance = StaffFactory(roles=[Role.FINANCE])
    refused = signed_in(finance).post(
        f"/support/contracts/{contract.pk}/orders/new/",
        {"reference": "SO-10", "sku_1": "OURA", "size_1": "9", "quantity_1": "1"},
    )
    assert refused.status_code == 403
    assert not Order.objects.filter(reference="SO-10").exists()


def test_the_term_changes_and_its_refusal_is_shown_in_words() -> None:
    rate("EUR", "150.00")
    contract = english_contract()
    client = signed_in(contract.representative)
    later = contract.end_date + timedelta(days=31)
    done = client.post(
        f"/contracts/{contract.pk}/term/", {"end_date": later.isoformat()}, follow=True
    )
    contract.refresh_from_db()
    assert contract.end_date == later
    assert "The contract&#x27;s term is changed." in done.content.decode()

    session_day = contract.today() + timedelta(days=20)
    services.book_session(
        Actor.of(contract.representative),
        contract,
        type_code="kickoff",
        starts_at=datetime.combine(session_day, time(10), ZoneInfo(contract.organization.timezone)),
        duration_minutes=60,
    )
    shorter = contract.today() + timedelta(days=10)
    refused = client.post(
        f"/contracts/{contract.pk}/term/", {"end_date": shorter.isoformat()}, follow=True
    )
    contract.refresh_from_db()
    assert contract.end_date == later
    html = refused.content.decode()
    assert "1 session on record (booked, held or missed) falls after the new end date" in html
    said = html.split('role="status"', 1)[1].split("</div>", 1)[0]
    assert "falls after" in said and "end_date" not in said and "invalid_state" not in said

    past = client.post(f"/contracts/{contract.pk}/term/", {"end_date": "2000-01-01"}, follow=True)
    assert "The end date must be after the start date." in past.content.decode()
    contract.refresh_from_db()
    assert contract.end_date == later


def test_only_an_admin_reassigns_and_only_to_staff_with_the_packages_role() -> None:
    contract = english_contract()  # Pro Lite: a CSM represents it
    other_csm = StaffFactory(name="Carla CSM", roles=[Role.CSM])
    account_manager = StaffFactory(name="Andy AM", roles=[Role.ACCOUNT_MANAGER])
    admin = StaffFactory(name="Ada Admin", roles=[Role.ADMIN])
    page = signed_in(admin).get(f"/contracts/{contract.pk}/").content.decode()
    offered = page.split('id="representative"', 1)[1].split("</select>", 1)[0]
    assert "Carla CSM" in offered and "Andy AM" not in offered

    as_rep = signed_in(contract.representative)
    assert 'id="representative"' not in as_rep.get(f"/contracts/{contract.pk}/").content.decode()
    as_rep.post(f"/contracts/{contract.pk}/representative/", {"representative": other_csm.pk})
    contract.refresh_from_db()
    assert contract.representative_id != other_csm.pk

    client = signed_in(admin)
    wrong = client.post(
        f"/contracts/{contract.pk}/representative/",
        {"representative": account_manager.pk},
        follow=True,
    )
    assert "must hold the role" in wrong.content.decode()
    client.post(f"/contracts/{contract.pk}/representative/", {"representative": other_csm.pk})
    contract.refresh_from_db()
    assert contract.representative_id == other_csm.pk


def test_the_buyer_chooses_their_counterpart_among_their_colleagues() -> None:
    contract = english_contract()
    colleague = ContactFactory(organization=contract.organization, user__name="Bea Colleague")
    stranger = ContactFactory(user__name="Sam Stranger")
    client = signed_in(contract.buyer_contact.user)
    html = client.get(f"/contracts/{contract.pk}/").content.decode()
    options = html.split('id="counterpart"', 1)[1].split("</select>", 1)[0]
    assert "Bea Colleague" in options and "Sam Stranger" not in options

    client.post(f"/contracts/{contract.pk}/counterpart/", {"contact": stranger.pk})
    contract.refresh_from_db()
    assert contract.buyer_contact_id != stranger.pk
    done = client.post(
        f"/contracts/{contract.pk}/counterpart/", {"contact": colleague.pk}, follow=True
    )
    contract.refresh_from_db()
    assert contract.buyer_contact_id == colleague.pk
    assert "The counterpart is changed." in done.content.decode()


def test_the_timeline_holds_cases_and_orders_and_billing_lines_name_their_statement() -> None:
    rate("EUR", "150.00", since=date(2000, 1, 1))
    contract = english_contract()
    OrderFactory(contract=contract, reference="SO-55")
    Case.objects.create(
        contract=contract,
        type="product_question",
        queue="customer_success",
        subject="Which sizes?",
        opened_by=contract.buyer_contact.user,
    )
    actor = Actor.of(contract.representative)
    start = timezone.now() - timedelta(days=10)
    held = services.book_session(
        actor,
        contract,
        type_code="additional_training",
        starts_at=start,
        duration_minutes=60,
        accept_billable=True,
    )
    services.complete_session(actor, held, actual_minutes=60)
    later = services.book_session(
        actor,
        contract,
        type_code="additional_training",
        starts_at=timezone.now() - timedelta(days=2),
        duration_minutes=30,
        accept_billable=True,
    )
    services.complete_session(actor, later, actual_minutes=30)
    finance = StaffFactory(roles=[Role.FINANCE])
    statement = issue_statement(
        Actor.of(finance),
        contract,
        period_start=contract.start_date,
        period_end=(start + timedelta(days=1)).date(),
    )
    html = signed_in(contract.representative).get(f"/contracts/{contract.pk}/").content.decode()
    timeline = html.split('id="timeline"', 1)[1].split("</section>", 1)[0]
    assert 'data-kind="case"' in timeline and "Which sizes?" in timeline
    assert 'data-kind="order"' in timeline and "SO-55" in timeline
    assert 'data-kind="session"' in timeline
    billing = html.split('id="billing"', 1)[1].split("</section>", 1)[0]
    assert f">ST-{statement.number:06d}</a>" in billing  # as the statement is printed
    assert billing.count('data-billed="yes"') == 1 and billing.count('data-billed="no"') == 1
    assert "€150.00" in billing and "€75.00" in billing
    buyer = signed_in(contract.buyer_contact.user).get(f"/contracts/{contract.pk}/")
    assert 'id="billing"' not in buyer.content.decode()


def test_the_timeline_shows_a_health_check_whose_period_ended_without_one_as_missed() -> None:
    # Pro Lite started 100 days ago: its first quarter ended with nothing held, while the
    # check stays stored as due (missed is derived from the dates, as on the checks' page).
    contract = ContractFactory(
        start_date=timezone.localdate() - timedelta(days=100), organization__language="en"
    )
    first = contract.health_checks.get(period_index=0)
    assert first.state == "due" and first.status().value == "missed"
    html = signed_in(contract.buyer_contact.user).get(f"/contracts/{contract.pk}/")
    timeline = html.content.decode().split('id="timeline"', 1)[1].split("</section>", 1)[0]
    items = [item for item in timeline.split("<li")[1:] if 'data-kind="health_check"' in item]
    assert len(items) == 4
    assert [item.split("·")[-1].split("<")[0].strip() for item in items] == [
        "due",
        "due",
        "due",
        "missed",
    ]
    spanish = signed_in(contract.buyer_contact.user, "es").get(f"/contracts/{contract.pk}/")
    timeline = spanish.content.decode().split('id="timeline"', 1)[1].split("</section>", 1)[0]
    assert timeline.count("· pendiente") == 3 and timeline.count("· no realizada") == 1


# --- what the buyer owes that is not billed yet -----------------------------------------------


def not_billed(client: Client, contract: Contract) -> tuple[str, list[str]]:
    """The buyer's "Not yet billed" section of the contract page: its text, and each line
    as a person reads it (what, when, minutes, amount)."""
    page = client.get(f"/contracts/{contract.pk}/")
    assert page.status_code == 200
    section = page.content.decode().split('id="not-billed"', 1)[1].split("</section>", 1)[0]

    def read(fragment: str) -> str:
        return " ".join(unescape(re.sub(r"<[^>]+>", " ", fragment)).split())

    lines = re.findall(r"<li data-unbilled>(.*?)</li>", section, re.S)
    return read(section), [read(line) for line in lines]


def test_the_buyer_reads_what_is_not_billed_yet_and_a_statement_takes_it_away() -> None:
    rate("EUR", "150.00", since=date(2026, 1, 1))
    contract = contract_starting(date(2026, 9, 1), organization__name="Clínica Horizonte")
    contract.representative.name = "Rita Ruiz"
    contract.representative.save()
    staff = Actor.of(contract.representative)
    covered = services.book_session(
        staff,
        contract,
        type_code="kickoff",
        starts_at=when(contract, date(2026, 9, 10)),
        duration_minutes=60,
    )
    services.complete_session(staff, covered, actual_minutes=60)  # inside the pool: free
    billable_session(contract, date(2026, 10, 5), 90)  # 90 min at €150.00 an hour
    billable_session(contract, date(2026, 11, 10), 45, no_show=True)  # 45 min, not attended
    billable_session(contract, date(2027, 1, 15), 60, complete=False)  # booked, not held yet
    rate("USD", "100.00", since=date(2026, 1, 1))
    elsewhere = contract_starting(date(2026, 9, 1), currency="USD")
    billable_session(elsewhere, date(2026, 10, 6), 60)  # another organization's
    client = signed_in(contract.buyer_contact.user)

    text, lines = not_billed(client, contract)

    assert "Total not yet billed: €337.50" in text
    accepted = r"accepted by Rita Ruiz on [A-Z][a-z]{2} \d{1,2}, \d{4}"  # the day it was booked
    assert len(lines) == 2, lines
    assert re.fullmatch(
        rf"Additional training; {accepted} \(90 min\) Oct 5, 2026 · 90 minutes €225\.00",
        lines[0],
    ), lines[0]
    assert re.fullmatch(
        r"Additional training: no-show \(the booked minutes are billed\); "
        rf"{accepted} \(45 min\) Nov 10, 2026 · 45 minutes €112\.50",
        lines[1],
    ), lines[1]
    assert "$" not in text and "Kickoff" not in text
    # The page and the API add up the same lines.
    api = ApiClient(contract.buyer_contact.user).get(f"contracts/{contract.pk}/billing")
    assert api.json()["unbilled_total"] == "337.50"

    issue_statement(
        Actor.of(StaffFactory(roles=[Role.FINANCE])),
        contract,
        period_start=date(2026, 10, 1),
        period_end=date(2026, 10, 31),
    )
    text, lines = not_billed(client, contract)
    assert "Total not yet billed: €112.50" in text
    assert len(lines) == 1 and lines[0].endswith("Nov 10, 2026 · 45 minutes €112.50"), lines
    assert "Oct 5, 2026" not in text

    issue_statement(
        Actor.of(StaffFactory(roles=[Role.FINANCE])),
        contract,
        period_start=date(2026, 11, 1),
        period_end=date(2026, 11, 30),
    )
    text, lines = not_billed(client, contract)
    assert lines == []
    assert "Nothing is waiting to be billed." in text
    assert "Total not yet billed" not in text
    # Staff read every line, billed or not, among the billing lines: not a second time.
    staff_page = signed_in(contract.representative).get(f"/contracts/{contract.pk}/")
    assert 'id="billing"' in staff_page.content.decode()
    assert 'id="not-billed"' not in staff_page.content.decode()


def test_the_buyer_is_told_plainly_when_what_is_not_billed_yet_cannot_be_worked_out() -> None:
    """A line delivered without a price (before prices were fixed at delivery) refuses the
    whole billing, as the API does: the buyer reads that in words, with no code nor rate."""
    rate("EUR", "150.00", since=date(2026, 1, 1))
    contract = contract_starting(date(2026, 9, 1))
    billable_session(contract, date(2026, 10, 5), 90)
    unpriced(contract=contract)

    text, lines = not_billed(signed_in(contract.buyer_contact.user), contract)

    assert lines == []
    assert (
        "What is not billed yet cannot be worked out right now. Your representative can tell you."
        in text
    )
    assert "no_rate_in_force" not in text and "hourly rate" not in text
    assert "Nothing is waiting to be billed." not in text
