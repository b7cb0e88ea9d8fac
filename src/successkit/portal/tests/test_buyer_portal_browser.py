"""The buyer's portal in Chromium at desktop and phone width: booking offers only the
session types still open (with their caps and the hourly rate), a billable booking is
quoted in words and booked once accepted, and a colleague is invited as a contact."""

from __future__ import annotations

import re
from datetime import date, timedelta

from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from successkit.accounts.actors import Actor
from successkit.accounts.models import Contact
from successkit.engagements import services
from successkit.engagements.models import TrainingSession
from successkit.engagements.tests.helpers import rate
from successkit.factories import PASSWORD, ContractFactory
from successkit.portal.tests.browser import browser_marks, chromium, look, page, sign_in
from successkit.support.models import Case
from successkit.support.tests.factories import OrderFactory

pytestmark = browser_marks
__all__ = ["chromium", "page"]


def test_the_buyer_books_only_what_is_still_open_and_accepts_the_quote(page) -> None:
    rate("EUR", "150.00", since=date(2000, 1, 1))
    contract = ContractFactory(
        start_date=timezone.localdate() - timedelta(days=5), organization__language="en"
    )
    user = contract.buyer_contact.user
    user.language = "en"
    user.save()
    services.book_session(
        Actor.of(contract.representative),
        contract,
        type_code="kickoff",
        starts_at=timezone.now() + timedelta(days=2),
        duration_minutes=60,
    )
    sign_in(page, user.email, PASSWORD)
    page.goto(f"/contracts/{contract.pk}/")

    offered = page.locator("#pick-type option").all_inner_texts()
    assert "Kickoff meeting" not in offered
    assert {"Implementation meeting", "Additional training"} <= set(offered)
    extra = page.locator('[data-type="additional_training"]')
    expect(extra).to_contain_text("at most 480 minutes a meeting")
    expect(extra).to_contain_text("€150.00 an hour")
    expect(page.locator('[data-type="kickoff"]')).to_have_count(0)

    page.select_option("#pick-type", "additional_training")
    page.get_by_role("button", name="Show free times").click()
    page.get_by_role("link", name="Next week →").click()
    page.wait_for_selector("input[name=slot]")
    page.locator("input[name=slot]").first.check()
    page.fill("#id_duration_minutes", "90")
    page.get_by_role("button", name="Book", exact=True).click()
    quote = page.get_by_role("alert")
    expect(quote).to_contain_text("90 minutes of this session are beyond what the package covers")
    expect(quote).to_contain_text("€225.00")
    expect(quote).not_to_contain_text(re.compile("accept_billable|billable_not_accepted"))
    assert TrainingSession.objects.filter(session_type__code="additional_training").count() == 0
    look(page, "buyer-booking-quote")

    page.locator("input[name=slot]").first.check()
    page.get_by_label(re.compile("I accept that minutes beyond the package are billed")).check()
    page.get_by_role("button", name="Book", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("The session is booked.")
    booked = TrainingSession.objects.get(session_type__code="additional_training")
    assert (booked.duration_minutes, booked.billable_minutes) == (90, 90)


def test_the_buyer_invites_a_colleague(page) -> None:
    contract = ContractFactory(organization__name="Clínica Horizonte", organization__language="es")
    user = contract.buyer_contact.user
    user.language = "es"
    user.save()
    sign_in(page, user.email, PASSWORD)
    page.get_by_role("link", name="Compañeros").click()
    expect(page.locator(f'[data-colleague="{user.email}"]')).to_contain_text("tú")

    page.get_by_label("Nombre").fill("Marta Nueva")
    page.get_by_label("Correo electrónico", exact=False).fill("marta@horizonte.test")
    page.get_by_label("Idioma de sus páginas y mensajes").select_option("es")
    page.get_by_role("button", name="Invitar", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("Marta Nueva está invitado")
    expect(page.locator('[data-colleague="marta@horizonte.test"]')).to_contain_text(
        "aún sin contraseña"
    )
    invited = Contact.objects.get(user__email="marta@horizonte.test")
    assert invited.organization_id == contract.organization_id
    assert [m.to for m in mail.outbox] == [["marta@horizonte.test"]]

    # The same address again is refused in words, and nobody is mailed twice.
    page.get_by_label("Nombre").fill("Marta Otra Vez")
    page.get_by_label("Correo electrónico", exact=False).fill("marta@horizonte.test")
    page.get_by_role("button", name="Invitar", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text("ya es uno de los contactos")
    assert Contact.objects.filter(user__email="marta@horizonte.test").count() == 1
    assert len(mail.outbox) == 1
    look(page, "buyer-colleagues")


def test_the_buyer_returns_rings_inside_the_window_it_is_shown(page) -> None:
    contract = ContractFactory(organization__language="es")
    user = contract.buyer_contact.user
    user.language = "es"
    user.save()
    order = OrderFactory(
        contract=contract,
        reference="SO-900",
        received_on=contract.today() - timedelta(days=3),
        lines=[{"sku": "OURA-GEN4", "size": "9", "quantity": 6}],
    )
    line = order.lines.get()
    sign_in(page, user.email, PASSWORD)
    page.goto(f"/support/contracts/{contract.pk}/cases/new/")
    window = page.locator('[data-order="SO-900"] .returns')
    expect(window).to_contain_text("devoluciones y cambios hasta el")
    last_day = window.get_attribute("data-returns-until")
    assert last_day == (order.received_on + timedelta(days=30)).isoformat()
    look(page, "buyer-return-case")

    page.get_by_label("¿De qué se trata?").select_option("return")
    page.get_by_label("Asunto").fill("Demasiado grandes")
    page.get_by_label("Pedido", exact=True).select_option(str(order.pk))
    page.get_by_label(
        "Anillos que devolver o cambiar de SO-900: 6 anillos OURA-GEN4, talla 9"
    ).fill("2")
    page.get_by_role("button", name="Abrir el caso").click()
    page.wait_for_url(re.compile(r"/support/cases/\d+/$"))
    case = Case.objects.get(contract=contract)
    assert (case.type, case.order_id) == ("return", order.pk)
    assert list(case.lines.values_list("order_line_id", "quantity")) == [(line.pk, 2)]


def test_an_ended_contract_offers_no_booking_and_says_why(page) -> None:
    ended = ContractFactory(
        start_date=timezone.localdate() - timedelta(days=400),
        end_date=timezone.localdate() - timedelta(days=36),
        organization__language="en",
    )
    current = ContractFactory(
        organization=ended.organization,
        buyer_contact=ended.buyer_contact,
        start_date=timezone.localdate() - timedelta(days=35),
    )
    user = ended.buyer_contact.user
    user.language = "en"
    user.save()
    sign_in(page, user.email, PASSWORD)
    cards = page.locator(".contract-card")
    expect(cards).to_have_count(2)
    booking = page.get_by_role("link", name="Book a session")
    expect(booking).to_have_count(1)
    assert booking.get_attribute("href") == f"/contracts/{current.pk}/#book"

    page.goto(f"/contracts/{ended.pk}/")
    book = page.locator("#book")
    expect(book).to_contain_text("This contract ended on")
    expect(book).to_contain_text("nothing more can be booked on it")
    expect(book.get_by_role("button", name="Book", exact=True)).to_have_count(0)
    expect(book.get_by_role("link", name="Next week →")).to_have_count(0)
    look(page, "buyer-ended-contract")


def test_a_move_that_would_become_billable_is_quoted_in_words_and_keeps_the_time_asked(
    page,
) -> None:
    rate("EUR", "150.00", since=date(2000, 1, 1))
    # A Launch Kit on its 86th day: its pool's window closes in four days.
    contract = ContractFactory(
        package_code="launch_kit",
        start_date=timezone.localdate() - timedelta(days=85),
        organization__language="en",
    )
    user = contract.buyer_contact.user
    user.language = "en"
    user.save()
    session = services.book_session(
        Actor.of(contract.representative),
        contract,
        type_code="implementation",
        starts_at=timezone.now() + timedelta(days=2),
        duration_minutes=60,
    )
    later = (contract.training_window_end + timedelta(days=10)).isoformat() + "T10:00"
    sign_in(page, user.email, PASSWORD)
    page.goto(f"/contracts/{contract.pk}/")
    item = page.locator(f"#session-{session.pk}")
    item.locator("summary", has_text="Move").click()
    item.get_by_label(re.compile("New start of Implementation meeting")).fill(later)
    item.get_by_role("button", name="Move Implementation meeting").click()

    refusal = page.get_by_role("status")
    expect(refusal).to_contain_text(
        "60 minutes of this session are beyond what the package covers: "
        "they cost €150.00 (€150.00 an hour). If you agree to pay it, tick the box that you "
        "accept the billed minutes and try again."
    )
    expect(refusal).not_to_contain_text(re.compile("accept_billable|EUR"))
    # The move form is open again with the time asked for, not the session's own.
    box = item.get_by_label(re.compile("New start of Implementation meeting"))
    expect(box).to_be_visible()
    expect(box).to_have_value(later)
    session.refresh_from_db()
    assert session.starts_at < timezone.now() + timedelta(days=3)  # not moved
    assert (session.billable_minutes, session.acceptances.count()) == (0, 0)
    look(page, "buyer-move-quote")

    item.get_by_label("I accept that the minutes this move makes billable are billed").check()
    item.get_by_role("button", name="Move Implementation meeting").click()
    expect(page.get_by_role("status")).to_contain_text("The session is moved.")
    session.refresh_from_db()
    assert (session.billable_minutes, session.acceptances.count()) == (60, 1)
