from __future__ import annotations

import html
import re
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils.html import escape

from successkit.accounts.models import User
from successkit.accounts.roles import Role
from successkit.factories import PASSWORD, ContactFactory, ContractFactory, StaffFactory
from successkit.scheduling.models import Availability
from successkit.support.models import Case, Message
from successkit.support.tests.conftest import counts
from successkit.support.tests.factories import CaseFactory, OrderFactory

pytestmark = pytest.mark.django_db


def signed_in(user, csrf: bool = False) -> Client:
    client = Client(enforce_csrf_checks=csrf)
    assert client.login(username=user.email, password=PASSWORD)
    return client


def csrf_token(page: str) -> str:
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert match, "the form carries a CSRF token"
    return match.group(1)


def test_a_buyer_sees_only_their_organizations_cases() -> None:
    contract = ContractFactory()
    mine = CaseFactory(contract=contract, subject="Sizing kit missing")
    theirs = CaseFactory(subject="Someone else's ring")
    page = signed_in(contract.buyer_contact.user).get("/support/").content.decode()
    assert f'data-case="{mine.pk}"' in page
    assert "Sizing kit missing" in page
    assert f'data-case="{theirs.pk}"' not in page
    assert "Someone else" not in page
    assert f'data-open-case="{contract.pk}"' in page


def test_a_buyer_opens_a_case_through_the_form_with_csrf() -> None:
    contract = ContractFactory()
    client = signed_in(contract.buyer_contact.user, csrf=True)
    url = f"/support/contracts/{contract.pk}/cases/new/"
    form = client.get(url)
    assert form.status_code == 200
    data = {
        "type": "technical_issue",
        "subject": "Ring does not sync",
        "description": "Since Monday",
    }
    assert client.post(url, data).status_code == 403  # no CSRF token
    assert Case.objects.count() == 0
    response = client.post(url, {**data, "csrfmiddlewaretoken": csrf_token(form.content.decode())})
    case = Case.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/support/cases/{case.pk}/"
    assert (case.type, case.queue, case.status) == ("technical_issue", "technical_support", "open")
    assert case.messages.get().body == "Since Monday"


def test_a_return_out_of_the_window_is_refused_on_the_page_too() -> None:
    contract = ContractFactory()

    today = contract.today()
    order = OrderFactory(
        contract=contract,
        placed_on=today - timedelta(days=40),
        shipped_on=today - timedelta(days=38),
        received_on=today - timedelta(days=31),
    )
    before = counts()
    response = signed_in(contract.buyer_contact.user).post(
        f"/support/contracts/{contract.pk}/cases/new/",
        {"type": "return", "subject": "Too big", "order": order.pk},
    )
    assert response.status_code == 409
    assert "se aceptaban hasta el" in response.content.decode()  # the buyer reads Spanish
    assert counts() == before


def test_a_return_on_the_page_names_its_order_lines_and_quantities() -> None:
    """Received 30 days ago (the last day of the window): the buyer names how many rings
    of which line; naming none is refused with the reason, writing nothing."""
    contract = ContractFactory()
    order = OrderFactory(contract=contract, received_on=contract.today() - timedelta(days=30))
    line = order.lines.get()
    client = signed_in(contract.buyer_contact.user)
    url = f"/support/contracts/{contract.pk}/cases/new/"
    form = client.get(url).content.decode()
    assert f'name="line_{line.pk}"' in form
    before = counts()
    refused = client.post(url, {"type": "return", "subject": "Too big", "order": order.pk})
    assert refused.status_code == 422
    assert "líneas del pedido" in refused.content.decode()
    assert counts() == before
    accepted = client.post(
        url, {"type": "return", "subject": "Too big", "order": order.pk, f"line_{line.pk}": 2}
    )
    assert accepted.status_code == 302
    case = Case.objects.get()
    assert list(case.lines.values_list("order_line_id", "quantity")) == [(line.pk, 2)]


def test_an_exchange_on_the_page_says_what_the_rings_become() -> None:
    """A buyer exchanges one ring of size 9 for a size 10 on the page: the case records
    the exchange and shows it; an exchange that names rings but not what they become is
    refused with the reason, writing nothing."""
    contract = ContractFactory()
    order = OrderFactory(contract=contract)
    line = order.lines.get()
    client = signed_in(contract.buyer_contact.user)
    url = f"/support/contracts/{contract.pk}/cases/new/"
    asked = {"type": "exchange", "subject": "Too tight", "order": order.pk, f"line_{line.pk}": 1}
    before = counts()

    refused = client.post(url, asked)

    assert refused.status_code == 422
    assert "una talla nueva o un color nuevo" in refused.content.decode()
    assert counts() == before

    accepted = client.post(url, {**asked, f"line_{line.pk}_size": "10"})

    assert accepted.status_code == 302
    case = Case.objects.get()
    assert list(case.lines.values_list("order_line_id", "quantity")) == [(line.pk, 1)]
    assert list(case.exchanges.values_list("sku", "size", "to_sku", "to_size", "quantity")) == [
        (line.sku, "9", line.sku, "10", 1)
    ]
    shown = client.get(accepted["Location"]).content.decode()
    assert f"1 \u00d7 {line.sku} 9 {line.colour} → {line.sku} 10 {line.colour}" in shown


def test_the_case_form_asks_for_rings_only_where_the_returns_window_is_open() -> None:
    contract = ContractFactory()
    today = contract.today()
    waiting = OrderFactory(contract=contract, received_on=None)
    closed = OrderFactory(contract=contract, received_on=today - timedelta(days=31))
    open_ = OrderFactory(contract=contract, received_on=today - timedelta(days=30))

    form = signed_in(contract.buyer_contact.user).get(
        f"/support/contracts/{contract.pk}/cases/new/"
    )

    page = form.content.decode()
    for order in (waiting, closed):
        assert f'name="line_{order.lines.get().pk}"' not in page
    assert f'name="line_{open_.lines.get().pk}"' in page
    assert f'name="line_{open_.lines.get().pk}_size"' in page


def test_a_buyer_cannot_open_a_case_on_another_organizations_contract() -> None:
    contract = ContractFactory()
    other = ContractFactory()
    client = signed_in(contract.buyer_contact.user)
    url = f"/support/contracts/{other.pk}/cases/new/"
    assert client.get(url).status_code == 404
    assert client.post(url, {"type": "new_order", "subject": "x"}).status_code == 404
    assert Case.objects.count() == 0


def test_case_pages_of_another_organization_are_not_found() -> None:
    case = CaseFactory()
    client = signed_in(ContactFactory().user)
    before = counts()
    assert client.get(f"/support/cases/{case.pk}/").status_code == 404
    assert client.post(f"/support/cases/{case.pk}/", {"body": "hi"}).status_code == 404
    assert client.post(f"/support/cases/{case.pk}/status/", {"status": "closed"}).status_code == 404
    assert (
        client.post(
            f"/support/cases/{case.pk}/escalate/", {"queue": "x", "reason": "x"}
        ).status_code
        == 404
    )
    assert counts() == before


def test_internal_notes_never_reach_the_buyers_page() -> None:
    case = CaseFactory()
    staff = StaffFactory(roles=[Role.SUPPORT])
    Message.objects.create(case=case, author=staff, body="We will replace it")
    Message.objects.create(case=case, author=staff, body="Warranty check pending", internal=True)
    buyer_page = signed_in(case.contract.buyer_contact.user).get(f"/support/cases/{case.pk}/")
    text = buyer_page.content.decode()
    assert "We will replace it" in text
    assert "Warranty check pending" not in text
    assert 'name="internal"' not in text
    staff_page = signed_in(staff).get(f"/support/cases/{case.pk}/").content.decode()
    assert "Warranty check pending" in staff_page
    assert 'name="internal"' in staff_page


def test_a_buyer_replies_and_staff_write_internal_notes_on_the_page() -> None:
    case = CaseFactory(status="waiting_on_buyer")
    buyer = signed_in(case.contract.buyer_contact.user)
    response = buyer.post(
        f"/support/cases/{case.pk}/", {"body": "Size 10 please", "internal": "on"}
    )
    assert response.status_code == 302
    reply = case.messages.get()
    assert (reply.body, reply.internal) == ("Size 10 please", False)  # the box is not theirs
    case.refresh_from_db()
    assert case.status == "open"
    staff = signed_in(StaffFactory(roles=[Role.SUPPORT]))
    staff.post(f"/support/cases/{case.pk}/", {"body": "Check stock", "internal": "on"})
    assert case.messages.filter(internal=True).get().body == "Check stock"


def test_staff_change_a_status_and_a_refused_change_says_why() -> None:
    case = CaseFactory()
    staff = signed_in(StaffFactory(roles=[Role.SUPPORT]))
    url = f"/support/cases/{case.pk}/status/"
    assert staff.post(url, {"status": "closed"}).status_code == 302
    refused = staff.post(url, {"status": "open"})
    assert refused.status_code == 409
    assert "cannot become" in refused.content.decode()
    case.refresh_from_db()
    assert case.status == "closed"
    buyer = signed_in(case.contract.buyer_contact.user)
    assert buyer.post(url, {"status": "resolved"}).status_code == 403


def test_the_representative_escalates_on_the_page() -> None:
    case = CaseFactory()
    engineer = StaffFactory(roles=[Role.CS_ENGINEER])
    rep = signed_in(case.contract.representative)
    page = rep.get(f"/support/cases/{case.pk}/").content.decode()
    assert f'action="/support/cases/{case.pk}/escalate/"' in page
    response = rep.post(
        f"/support/cases/{case.pk}/escalate/",
        {"queue": "technical_support", "assignee": engineer.pk, "reason": "Battery fault"},
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.status, case.queue, case.assignee_id) == (
        "escalated",
        "technical_support",
        engineer.pk,
    )
    history = (
        rep.get(f"/support/cases/{case.pk}/")
        .content.decode()
        .split('<h2 id="history">History</h2>')[1]
    )
    assert "Battery fault" in history
    assert f"<td>{escape(engineer.name)}</td>" in history
    assert "<td>Technical support</td>" in history
    other_staff = signed_in(StaffFactory(roles=[Role.SUPPORT]))
    assert "escalate/" not in other_staff.get(f"/support/cases/{case.pk}/").content.decode()


def test_staff_see_the_queues_and_buyers_do_not() -> None:
    CaseFactory(type="technical_issue", queue="technical_support")
    CaseFactory(type="technical_issue", queue="technical_support", status="closed")
    question = CaseFactory()
    page = signed_in(StaffFactory(roles=[Role.SUPPORT])).get("/support/queues/")
    assert page.status_code == 200
    text = page.content.decode()
    technical = text.split('data-queue="technical_support"')[1].split("</section>")[0]
    assert '<span data-count="open">1</span>' in technical
    assert '<span data-count="closed">1</span>' in technical
    success = text.split('data-queue="customer_success"')[1].split("</section>")[0]
    assert f'data-case="{question.pk}"' in success
    buyer = signed_in(question.contract.buyer_contact.user)
    assert buyer.get("/support/queues/").status_code == 403


def test_support_pages_require_sign_in() -> None:
    for url in ("/support/", "/support/queues/", "/support/cases/1/"):
        response = Client().get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/login/")


def test_support_pages_speak_spanish() -> None:
    contract = ContractFactory(organization__language="es")
    user = contract.buyer_contact.user
    user.language = "es"
    user.save()
    CaseFactory(contract=contract)
    page = signed_in(user).get("/support/").content.decode()
    assert "Casos de asistencia" in page
    assert "Pregunta sobre el producto" in page


def test_staff_take_a_case_and_assign_it_on_the_page() -> None:
    case = CaseFactory()
    me = StaffFactory(roles=[Role.SUPPORT], language="en")
    colleague = StaffFactory(roles=[Role.SUPPORT], name="Ada Colleague")
    staff = signed_in(me)
    page = staff.get(f"/support/cases/{case.pk}/").content.decode()
    assert f"Take case #{case.pk}" in page
    assert staff.post(f"/support/cases/{case.pk}/assign/", {"take": "1"}).status_code == 302
    case.refresh_from_db()
    assert case.assignee_id == me.pk
    staff.post(f"/support/cases/{case.pk}/assign/", {"assignee": colleague.pk})
    case.refresh_from_db()
    assert case.assignee_id == colleague.pk
    staff.post(f"/support/cases/{case.pk}/assign/", {"assignee": ""})
    case.refresh_from_db()
    assert case.assignee_id is None
    buyer = signed_in(case.contract.buyer_contact.user)
    assert buyer.post(f"/support/cases/{case.pk}/assign/", {"take": "1"}).status_code == 403
    case.refresh_from_db()
    assert case.assignee_id is None


def test_the_case_list_pages_instead_of_cutting_off(monkeypatch) -> None:
    from successkit.support import views

    monkeypatch.setattr(views, "CASES_PER_PAGE", 2)
    contract = ContractFactory()
    cases = [CaseFactory(contract=contract, subject=f"Question {n}") for n in range(5)]
    staff = signed_in(StaffFactory(roles=[Role.SUPPORT], language="en"))
    shown = []
    for number in (1, 2, 3):
        page = staff.get(f"/support/?queue=customer_success&page={number}").content.decode()
        shown += re.findall(r'<tr data-case="(\d+)">', page)
    assert sorted(shown) == sorted(str(case.pk) for case in cases)  # each once, none lost
    assert "Page 2 of 3" in staff.get("/support/?page=2").content.decode()
    second = staff.get("/support/?queue=customer_success&page=2").content.decode()
    assert "queue=customer_success&amp;page=3" in second  # the filter stays on the next page


def test_a_queue_shows_its_oldest_live_cases_and_links_to_the_rest(monkeypatch) -> None:
    from successkit.support import views

    monkeypatch.setattr(views, "QUEUE_PREVIEW", 2)
    contract = ContractFactory()
    cases = [CaseFactory(contract=contract) for _ in range(4)]
    for days, case in enumerate(cases):  # the last created is the oldest
        Case.objects.filter(pk=case.pk).update(opened_at=case.opened_at - timedelta(days=days))
    page = signed_in(StaffFactory(roles=[Role.SUPPORT], language="en")).get("/support/queues/")
    success = page.content.decode().split('data-queue="customer_success"')[1].split("</section>")[0]
    assert re.findall(r'data-case="(\d+)"', success) == [str(cases[3].pk), str(cases[2].pk)]
    assert '<span data-count="open">4</span>' in success
    assert "2 more live cases in this queue" in success
    assert 'href="/support/?queue=customer_success"' in success


def test_the_case_form_shows_each_orders_lines_and_the_last_day_of_its_returns_window() -> None:
    """In the buyer's calendar (SPEC.md §4): received on day R, returns until R+30."""
    contract = ContractFactory(organization__timezone="Pacific/Auckland")
    today = contract.today()
    open_order = OrderFactory(
        contract=contract,
        reference="SO-OPEN",
        received_on=today - timedelta(days=3),
        lines=[{"sku": "OURA-GEN4", "size": "9", "quantity": 6}],
    )
    closed = OrderFactory(
        contract=contract, reference="SO-OLD", received_on=today - timedelta(days=45)
    )
    waiting = OrderFactory(contract=contract, reference="SO-NEW", received_on=None)
    page = (
        signed_in(contract.buyer_contact.user)
        .get(f"/support/contracts/{contract.pk}/cases/new/")
        .content.decode()
    )

    def window(order) -> str:
        return page.split(f'data-order="{order.reference}"', 1)[1].split("</fieldset>", 1)[0]

    shown = window(open_order)
    assert f'data-returns-until="{(today + timedelta(days=27)).isoformat()}"' in shown
    assert "hasta el" in shown
    line = open_order.lines.get()
    assert f'name="line_{line.pk}"' in shown and 'max="6"' in shown and "OURA-GEN4" in shown
    assert f'data-returns-until="{(today - timedelta(days=15)).isoformat()}"' in window(closed)
    assert "terminó" in window(closed) or "cerró" in window(closed)
    assert "data-returns-until" not in window(waiting)


def test_the_status_form_starts_at_the_case_status() -> None:
    """The status list shows the case's status, not "Open" for every case: a staff member
    who changes only the note does not reopen a closed case by accident."""
    case = CaseFactory(status="closed")
    page = signed_in(StaffFactory(roles=[Role.SUPPORT])).get(f"/support/cases/{case.pk}/")
    form = page.content.decode().split('name="status"', 1)[1].split("</select>", 1)[0]
    assert re.findall(r'<option value="(\w+)" selected>', form) == ["closed"]


def _spanish(user) -> None:
    user.language = "es"
    user.save()


def test_a_case_waiting_on_the_buyer_says_so_to_each_reader() -> None:
    """The buyer reads that the case waits on them (in tú), never "waiting on buyer" about
    themself; staff read whom it waits on."""
    contract = ContractFactory()
    case = CaseFactory(contract=contract, status="waiting_on_buyer")
    buyer = contract.buyer_contact.user
    buyer.language = "en"
    buyer.save()
    staff = StaffFactory(roles=[Role.SUPPORT], language="en")

    for page in (
        signed_in(buyer).get(f"/support/cases/{case.pk}/").content.decode(),
        signed_in(buyer).get("/support/").content.decode(),
    ):
        assert "Waiting on you" in page
        assert "Waiting on buyer" not in page
    _spanish(buyer)
    spanish = signed_in(buyer).get(f"/support/cases/{case.pk}/").content.decode()
    assert "Pendiente de tu respuesta" in spanish
    staff_page = signed_in(staff).get(f"/support/cases/{case.pk}/").content.decode()
    assert "Waiting on buyer" in staff_page


def test_the_buyers_support_page_names_each_contract_by_its_package_in_their_words() -> None:
    contract = ContractFactory(package_code="launch_kit")
    buyer = contract.buyer_contact.user
    _spanish(buyer)

    page = signed_in(buyer).get("/support/").content.decode()

    link = re.search(rf'data-open-case="{contract.pk}">([^<]+)</a>', page)
    assert link is not None
    assert link.group(1).startswith("Kit de lanzamiento desde el ")
    # The filters are applied with a verb, not Django's admin noun ("Filtro").
    assert ">Filtrar</button>" in page


def test_a_return_of_an_order_not_yet_received_is_refused_in_words_for_any_reader() -> None:
    """The refusal reads right to the buyer who asked (not "once the buyer has received
    it", about themself)."""
    contract = ContractFactory()
    order = OrderFactory(contract=contract, received_on=None)
    buyer = contract.buyer_contact.user
    _spanish(buyer)

    page = signed_in(buyer).post(
        f"/support/contracts/{contract.pk}/cases/new/",
        {"type": "return", "subject": "Too small", "order": order.pk},
    )

    text = page.content.decode()
    assert "aún no se ha recibido" in text
    assert "comprador" not in text.split("aún no se ha recibido", 1)[1].split("<", 1)[0]
    assert Case.objects.count() == 0


def _message_at(case: Case, moment: datetime) -> None:
    message = Message.objects.create(case=case, author=case.opened_by, body="Still broken")
    Message.objects.filter(pk=message.pk).update(created_at=moment)


def _case_page_queries(client: Client, case: Case) -> tuple[str, list[str]]:
    with CaptureQueriesContext(connection) as captured:
        page = client.get(f"/support/cases/{case.pk}/")
    assert page.status_code == 200
    return page.content.decode(), [query["sql"] for query in captured.captured_queries]


def test_staff_read_a_case_in_the_time_zone_of_their_working_hours() -> None:
    """Times on staff pages are in the staff member's own zone (their working hours'),
    the server's default (UTC) without one; the zone is read with the signed-in user, in
    no query of its own."""
    case = CaseFactory()
    _message_at(case, datetime(2026, 12, 1, 6, 47, tzinfo=UTC))
    in_tokyo = StaffFactory(roles=[Role.SUPPORT], language="en")
    Availability.objects.create(staff=in_tokyo, timezone="Asia/Tokyo", updated_by=in_tokyo)
    unset = StaffFactory(roles=[Role.SUPPORT], language="en")
    tokyo_client, unset_client = signed_in(in_tokyo), signed_in(unset)
    _case_page_queries(tokyo_client, case)  # sessions and caches warm
    _case_page_queries(unset_client, case)
    tokyo_page, tokyo_queries = _case_page_queries(tokyo_client, case)
    unset_page, unset_queries = _case_page_queries(unset_client, case)
    assert "Dec 1, 2026, 3:47\u202fPM JST" in tokyo_page
    assert "UTC" not in tokyo_page
    assert "Dec 1, 2026, 6:47\u202fAM UTC" in unset_page
    assert len(tokyo_queries) == len(unset_queries)
    for queries in (tokyo_queries, unset_queries):
        zone_reads = [sql for sql in queries if "scheduling_availability" in sql]
        assert len(zone_reads) == 1, zone_reads
        assert 'FROM "accounts_user"' in zone_reads[0]


def shown_messages(page: str) -> list[str]:
    return [html.unescape(m) for m in re.findall(r'<li class="message success">([^<]*)</li>', page)]


def test_each_action_on_a_case_says_it_was_done() -> None:
    case = CaseFactory(status="waiting_on_buyer")
    engineer = StaffFactory(roles=[Role.CS_ENGINEER], name="Ana Ruiz")
    User.objects.filter(pk=case.contract.buyer_contact.user_id).update(language="en")
    User.objects.filter(pk=case.contract.representative_id).update(language="en")
    buyer = signed_in(case.contract.buyer_contact.user)
    url = f"/support/cases/{case.pk}/"
    answered = buyer.post(url, {"body": "Size 10 please"}, follow=True).content.decode()
    assert shown_messages(answered) == ["Your reply is posted."]
    rep = signed_in(case.contract.representative)
    noted = rep.post(url, {"body": "Check stock", "internal": "on"}, follow=True)
    assert shown_messages(noted.content.decode()) == [
        "Your internal note is saved: only staff see it."
    ]
    waiting = rep.post(f"{url}status/", {"status": "waiting_on_buyer"}, follow=True)
    assert shown_messages(waiting.content.decode()) == [
        "The case's status is now “Waiting on buyer”."
    ]
    sent = rep.post(
        f"{url}escalate/", {"queue": "technical_support", "reason": "Battery"}, follow=True
    )
    assert shown_messages(sent.content.decode()) == [
        "The case is escalated to the “Technical support” queue."
    ]
    named = rep.post(
        f"{url}escalate/",
        {"queue": "customer_success", "assignee": engineer.pk, "reason": "Rollout"},
        follow=True,
    )
    assert shown_messages(named.content.decode()) == [
        "The case is escalated to Ana Ruiz (Customer success)."
    ]
    assert shown_messages(rep.get(url).content.decode()) == []  # said once


def test_case_messages_speak_spanish() -> None:
    case = CaseFactory()
    staff = StaffFactory(roles=[Role.SUPPORT], language="es")
    page = (
        signed_in(staff)
        .post(f"/support/cases/{case.pk}/status/", {"status": "resolved"}, follow=True)
        .content.decode()
    )
    assert shown_messages(page) == ["El estado del caso ahora es «Resuelto»."]


def test_choosing_closed_asks_before_the_form_is_sent() -> None:
    case = CaseFactory()
    staff = signed_in(StaffFactory(roles=[Role.SUPPORT], language="en"))
    page = staff.get(f"/support/cases/{case.pk}/").content.decode()
    closing = re.search(r'<option value="closed"([^>]*)>', page)
    assert closing is not None
    assert (
        f'data-confirm="Close case #{case.pk}? A closed case cannot be reopened or answered."'
        in closing.group(1)
    )
    assert page.count("data-confirm") == 1  # only closing asks
    Case.objects.filter(pk=case.pk).update(status="closed")
    assert "data-confirm" not in staff.get(f"/support/cases/{case.pk}/").content.decode()
