"""The contract page: the training pool, its sessions, booking and cancelling."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from successkit.core.tests.refusals import shown_after
from successkit.factories import PASSWORD, ContractFactory

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    client = Client()
    response = client.post("/login/", {"username": user.email, "password": PASSWORD})
    assert response.status_code == 302
    return client


def test_the_contract_page_shows_the_pool_and_books_a_session() -> None:
    from datetime import timedelta

    from django.utils import timezone

    from successkit.engagements.models import TrainingSession

    contract = ContractFactory(
        start_date=timezone.localdate() - timedelta(days=5), organization__language="en"
    )
    client = signed_in(contract.buyer_contact.user)
    page = client.get(f"/contracts/{contract.pk}/")
    assert page.status_code == 200
    assert "120 minutes included" in page.content.decode()

    starts = (timezone.localdate() + timedelta(days=7)).isoformat() + "T10:30"
    wanted = datetime.fromisoformat(starts).replace(tzinfo=ZoneInfo("Europe/Madrid"))
    slot = f"{wanted.isoformat()}|{contract.representative_id}"  # a free slot the page offers
    response = client.post(
        f"/contracts/{contract.pk}/", {"type": "kickoff", "slot": slot, "duration_minutes": 45}
    )
    assert response.status_code == 302
    session = TrainingSession.objects.get(contract=contract)
    assert (session.covered_minutes, session.booked_by_id) == (45, contract.buyer_contact.user_id)
    assert session.starts_at == wanted  # the slot's wall-clock time is the buyer's

    refused = client.post(
        f"/contracts/{contract.pk}/", {"type": "kickoff", "slot": slot, "duration_minutes": 45}
    )
    shown = shown_after(client, refused, f"/contracts/{contract.pk}/", "book")
    assert "only once per contract" in shown or "already booked" in shown
    assert TrainingSession.objects.count() == 1

    cancelled = client.post(f"/sessions/{session.pk}/cancel/")
    assert cancelled.status_code == 302
    session.refresh_from_db()
    assert (session.status, session.cancelled_by) == ("cancelled", "buyer")


def test_billable_bookings_on_the_page_show_the_quote_until_accepted() -> None:
    from datetime import date, timedelta

    from django.utils import timezone

    from successkit.engagements.models import TrainingSession
    from successkit.pricing.models import HourlyRate

    HourlyRate.objects.create(currency="EUR", hourly_rate="150.00", effective_from=date(2000, 1, 1))
    contract = ContractFactory(start_date=timezone.localdate() - timedelta(days=5))  # Spanish
    client = signed_in(contract.buyer_contact.user)
    day = timezone.localdate() + timedelta(days=7)
    body = {
        "type": "additional_training",
        "slot": f"{day.isoformat()}T10:00:00+01:00|{contract.representative_id}",
        "duration_minutes": 30,
    }
    refused = client.post(f"/contracts/{contract.pk}/", body)
    shown = shown_after(client, refused, f"/contracts/{contract.pk}/", "book")
    assert (
        "30 minutos de esta sesión van más allá de lo que cubre el paquete: cuestan "
        "75,00\xa0€ (150,00\xa0€ la hora)." in shown
    )
    alert = shown.split('role="alert"', 1)[1].split("</div>", 1)[0]
    assert "accept_billable" not in alert and "marca la casilla" in alert
    assert TrainingSession.objects.count() == 0
    accepted = client.post(f"/contracts/{contract.pk}/", {**body, "accept_billable": "on"})
    assert accepted.status_code == 302
    assert TrainingSession.objects.get().billable_amount == 75


def test_contract_pages_of_another_organization_are_not_found() -> None:
    from datetime import timedelta

    from django.utils import timezone

    from successkit.accounts.actors import Actor
    from successkit.engagements.services import book_session

    mine = ContractFactory()
    theirs = ContractFactory(start_date=timezone.localdate() - timedelta(days=5))
    session = book_session(
        Actor.of(theirs.representative),
        theirs,
        type_code="kickoff",
        starts_at=timezone.now() + timedelta(days=3),
        duration_minutes=60,
    )
    client = signed_in(mine.buyer_contact.user)
    assert client.get(f"/contracts/{theirs.pk}/").status_code == 404
    post = client.post(
        f"/contracts/{theirs.pk}/",
        {"type": "kickoff", "starts_at": "2030-01-01T10:00", "duration_minutes": 30},
    )
    assert post.status_code == 404
    assert client.post(f"/sessions/{session.pk}/cancel/").status_code == 404
    session.refresh_from_db()
    assert session.status == "booked"


def test_a_buyer_picks_a_free_slot_of_the_week_and_staff_enter_any_time() -> None:
    from datetime import date

    from django.utils import timezone

    from successkit.engagements.models import TrainingSession
    from successkit.scheduling.models import BusyInterval

    contract = ContractFactory(start_date=date(2027, 1, 1), end_date=date(2027, 12, 31))
    buyer = signed_in(contract.buyer_contact.user)
    page = buyer.get(f"/contracts/{contract.pk}/?type=kickoff&week=2027-03-10").content.decode()
    assert 'name="starts_at"' not in page
    # The week of Monday 8 March 2027: Monday to Friday, 09:00 to 16:00 (default hours).
    assert page.count('name="slot"') == 5 * 15
    first = f"2027-03-08T09:00:00+01:00|{contract.representative_id}"
    assert f'value="{first}"' in page
    taken = buyer.post(
        f"/contracts/{contract.pk}/",
        {"type": "kickoff", "week": "2027-03-08", "slot": first, "duration_minutes": 60},
    )
    assert taken.status_code == 302
    again = buyer.get(f"/contracts/{contract.pk}/?type=kickoff&week=2027-03-08").content.decode()
    assert f'value="{first}"' not in again and again.count('name="slot"') == 5 * 15 - 2
    nothing = buyer.post(
        f"/contracts/{contract.pk}/", {"type": "implementation", "duration_minutes": 60}
    )
    shown = shown_after(buyer, nothing, f"/contracts/{contract.pk}/", "book")
    assert "Elige una de las horas libres." in shown  # a Spanish buyer
    assert TrainingSession.objects.count() == BusyInterval.objects.count() == 1

    staff = signed_in(contract.representative)
    assert 'name="starts_at"' in staff.get(f"/contracts/{contract.pk}/").content.decode()
    late = staff.post(
        f"/contracts/{contract.pk}/",
        {"type": "implementation", "starts_at": "2027-03-08T21:00", "duration_minutes": 60},
    )
    assert late.status_code == 302  # staff book outside working hours
    assert timezone.localtime(TrainingSession.objects.latest("id").starts_at).hour == 20


@pytest.mark.parametrize(
    ("starts_at", "minutes"),
    [
        ("2030-01-10T10:00", 2147483648),
        ("2030-01-10T10:00", 10**30),
        ("9999-12-31T23:59", 30),
        ("0001-01-01T00:00", 30),
    ],
)
def test_the_booking_form_refuses_absurd_values_without_a_server_error(starts_at, minutes) -> None:
    from successkit.engagements.models import TrainingSession

    contract = ContractFactory(organization__language="en")
    client = signed_in(contract.buyer_contact.user)
    client.raise_request_exception = False
    response = client.post(
        f"/contracts/{contract.pk}/",
        {"type": "kickoff", "starts_at": starts_at, "duration_minutes": minutes},
    )
    shown_after(client, response, f"/contracts/{contract.pk}/", "book")
    assert TrainingSession.objects.count() == 0


def test_a_held_session_with_unaccepted_billable_minutes_is_refused_in_words_at_the_top() -> None:
    """Completing on the page with more billable minutes than accepted: the refusal names
    the minutes and their price as the booking form does (never the API's field name), on
    the page at its top (no anchor), the session's "Held" form open with the minutes
    typed, not the booked ones."""
    from datetime import date, timedelta

    from django.utils import timezone

    from successkit.accounts.actors import Actor
    from successkit.engagements.services import book_session
    from successkit.pricing.models import HourlyRate

    HourlyRate.objects.create(currency="EUR", hourly_rate="150.00", effective_from=date(2000, 1, 1))
    contract = ContractFactory(start_date=timezone.localdate() - timedelta(days=5))
    staff = contract.representative
    staff.language = "es"
    staff.save()
    session = book_session(
        Actor.of(staff),
        contract,
        type_code="additional_training",
        starts_at=timezone.now() - timedelta(hours=2),
        duration_minutes=30,
        accept_billable=True,
    )
    client = signed_in(staff)

    refused = client.post(f"/sessions/{session.pk}/complete/", {"actual_minutes": 60})
    shown = shown_after(client, refused, f"/contracts/{contract.pk}/")
    assert f'id="actual-{session.pk}" name="actual_minutes" value="60"' in shown
    alert = shown.split('class="messages"', 1)[1].split("</div>", 1)[0]
    assert (
        "60 minutos de esta sesión van más allá de lo que cubre el paquete: cuestan "
        "150,00\xa0€ (150,00\xa0€ la hora)." in alert
    )
    assert "marca la casilla" in alert and "accept_billable" not in alert
    session.refresh_from_db()
    assert (session.status, session.billable_minutes) == ("booked", 30)

    held = client.post(
        f"/sessions/{session.pk}/complete/", {"actual_minutes": 60, "accept_billable": "on"}
    )
    assert held["Location"] == f"/contracts/{contract.pk}/#session-{session.pk}"
    session.refresh_from_db()
    assert (session.status, session.billable_minutes) == ("completed", 60)


def test_a_refused_move_comes_back_at_the_top_with_the_time_typed() -> None:
    from datetime import timedelta

    from django.utils import timezone

    from successkit.accounts.actors import Actor
    from successkit.engagements.services import book_session

    contract = ContractFactory(
        start_date=timezone.localdate() - timedelta(days=5), organization__timezone="UTC"
    )
    staff = contract.representative
    staff.language = "en"
    staff.save()
    starts = (timezone.now() + timedelta(days=3)).replace(minute=0, second=0, microsecond=0)
    kickoff = book_session(
        Actor.of(staff), contract, type_code="kickoff", starts_at=starts, duration_minutes=60
    )
    meeting = book_session(
        Actor.of(staff),
        contract,
        type_code="implementation",
        starts_at=starts + timedelta(hours=3),
        duration_minutes=60,
    )
    client = signed_in(staff)

    typed = starts.strftime("%Y-%m-%dT%H:%M")
    busy = client.post(f"/sessions/{meeting.pk}/move/", {"starts_at": typed})
    shown = shown_after(client, busy, f"/contracts/{contract.pk}/")
    assert "already has another meeting" in shown.split('class="messages"', 1)[1]
    assert f'id="move-{meeting.pk}" name="starts_at" value="{typed}"' in shown
    meeting.refresh_from_db()
    assert meeting.starts_at == starts + timedelta(hours=3)

    cancelled = client.post(f"/sessions/{kickoff.pk}/cancel/", {"by": "vendor"})
    assert cancelled["Location"] == f"/contracts/{contract.pk}/#session-{kickoff.pk}"


# --- refused session forms come back with what was typed ---------------------------------


def _billable_world():
    """A Spanish buyer with two contacts (the counterpart and a colleague), another
    organization's contact, an English representative and a rate."""
    from datetime import date, timedelta

    from django.utils import timezone

    from successkit.factories import ContactFactory
    from successkit.pricing.models import HourlyRate

    HourlyRate.objects.create(currency="EUR", hourly_rate="150.00", effective_from=date(2000, 1, 1))
    contract = ContractFactory(
        start_date=timezone.localdate() - timedelta(days=5),
        buyer_contact__user__name="Elena Ruiz",
    )
    colleague = ContactFactory(organization=contract.organization, user__name="Marta Gil")
    stranger = ContactFactory(user__name="Otto Fremd")
    staff = contract.representative
    staff.name, staff.language = "Ana Staff", "en"
    staff.save()
    return contract, colleague, stranger, staff


def _past_billable_session(contract, staff, minutes: int = 30):
    from datetime import timedelta

    from django.utils import timezone

    from successkit.accounts.actors import Actor
    from successkit.engagements.services import book_session

    return book_session(
        Actor.of(staff),
        contract,
        type_code="additional_training",
        starts_at=timezone.now() - timedelta(hours=2),
        duration_minutes=minutes,
        accept_billable=True,
    )


def test_a_refused_held_form_comes_back_open_with_everything_typed_in_it() -> None:
    import re

    from successkit.engagements.models import BillableAcceptance

    contract, colleague, _stranger, staff = _billable_world()
    session = _past_billable_session(contract, staff)
    client = signed_in(staff)
    refused = client.post(
        f"/sessions/{session.pk}/complete/",
        {"actual_minutes": 500, "accept_billable": "on", "agreed_by": colleague.pk},
    )
    shown = shown_after(client, refused, f"/contracts/{contract.pk}/")  # 500 minutes: over the cap
    held = shown.split(f'action="/sessions/{session.pk}/complete/"', 1)[1].split("</form>")[0]
    assert f'id="actual-{session.pk}" name="actual_minutes" value="500"' in held
    assert 'name="accept_billable" checked' in held
    assert re.search(rf'<option value="{colleague.pk}" selected>Marta Gil', held)
    opening = shown.split(f'action="/sessions/{session.pk}/complete/"', 1)[0]
    assert opening.rsplit("<details", 1)[1].startswith(' class="action" open>')
    moving = shown.split(f'action="/sessions/{session.pk}/move/"', 1)[0]
    assert moving.rsplit("<details", 1)[1].startswith(' class="action">')  # only the refused one
    session.refresh_from_db()
    assert (session.status, session.billable_minutes) == ("booked", 30)
    assert BillableAcceptance.objects.count() == 1  # the booking's own


def test_a_buyers_refused_move_keeps_the_time_typed_and_the_page_still_books() -> None:
    """The contract page drawn again after a refused move: its booking form and week
    links still go to the contract page."""
    from datetime import timedelta

    from django.utils import timezone

    from successkit.accounts.actors import Actor
    from successkit.engagements.services import book_session

    contract = ContractFactory(
        start_date=timezone.localdate() - timedelta(days=5),
        organization__timezone="UTC",
        organization__language="en",
    )
    starts = (timezone.now() + timedelta(days=3)).replace(minute=0, second=0, microsecond=0)
    kickoff = book_session(
        Actor.of(contract.representative),
        contract,
        type_code="kickoff",
        starts_at=starts,
        duration_minutes=60,
    )
    buyer = signed_in(contract.buyer_contact.user)
    past = (timezone.now() - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    refused = buyer.post(f"/sessions/{kickoff.pk}/move/", {"starts_at": past})
    shown = shown_after(buyer, refused, f"/contracts/{contract.pk}/")
    assert f'id="move-{kickoff.pk}" name="starts_at" value="{past}"' in shown
    assert "future times" in shown.split('class="messages"', 1)[1].split("</div>", 1)[0]
    assert f'<form method="post" action="/contracts/{contract.pk}/" novalidate>' in shown
    assert f'<form method="get" action="/contracts/{contract.pk}/#book" id="pick">' in shown
    assert f'href="/contracts/{contract.pk}/?type=' in shown
    kickoff.refresh_from_db()
    assert kickoff.starts_at == starts


def test_the_language_switch_on_a_refused_forms_page_goes_back_to_the_contract_page() -> None:
    """A refused move is shown on the contract page itself (never at the move's address,
    POST only): the language switch there names the contract page to come back to."""
    from datetime import timedelta

    from django.utils import timezone

    from successkit.accounts.actors import Actor
    from successkit.engagements.services import book_session

    contract = ContractFactory(start_date=timezone.localdate() - timedelta(days=5))
    staff = contract.representative
    kickoff = book_session(
        Actor.of(staff),
        contract,
        type_code="kickoff",
        starts_at=timezone.now() + timedelta(days=3),
        duration_minutes=60,
    )
    client = signed_in(staff)
    assert 'name="next" value="/contracts/' in client.get(f"/contracts/{contract.pk}/").text
    refused = client.post(f"/sessions/{kickoff.pk}/move/", {"starts_at": "1999-01-01T10:00"})
    shown = shown_after(client, refused, f"/contracts/{contract.pk}/")
    assert f'<input type="hidden" name="next" value="/contracts/{contract.pk}/">' in shown
    switched = client.post("/language/", {"language": "es", "next": f"/contracts/{contract.pk}/"})
    assert switched["Location"] == f"/contracts/{contract.pk}/"


# --- staff accepting billable minutes for the buyer: who agreed ---------------------------


def test_staff_book_billable_minutes_naming_the_buyer_contact_who_agreed() -> None:
    from datetime import timedelta

    from django.utils import timezone

    from successkit.engagements.models import BillableAcceptance, TrainingSession

    contract, colleague, stranger, staff = _billable_world()
    client = signed_in(staff)
    page = client.get(f"/contracts/{contract.pk}/").content.decode()
    booking = page.split('id="book"', 1)[1]
    assert "Who agreed" in booking and "Marta Gil" in booking and "Elena Ruiz" in booking
    assert "Otto Fremd" not in page  # another organization's contact is never offered
    assert "The buyer accepts that minutes beyond the package are billed" in booking
    assert "I accept" not in booking

    starts = (timezone.localdate() + timedelta(days=7)).isoformat() + "T10:00"
    body = {
        "type": "additional_training",
        "starts_at": starts,
        "duration_minutes": 30,
        "staff": contract.representative_id,
        "accept_billable": "on",
    }
    # Another organization's contact: refused, nothing booked, nothing accepted.
    refused = client.post(f"/contracts/{contract.pk}/", {**body, "agreed_by": stranger.pk})
    assert "Select a valid choice" in shown_after(
        client, refused, f"/contracts/{contract.pk}/", "book"
    )
    assert TrainingSession.objects.count() == BillableAcceptance.objects.count() == 0

    booked = client.post(f"/contracts/{contract.pk}/", {**body, "agreed_by": colleague.pk})
    assert booked.status_code == 302
    acceptance = BillableAcceptance.objects.get()
    assert (acceptance.accepted_by_id, acceptance.on_behalf_of_id, acceptance.minutes) == (
        staff.pk,
        colleague.pk,
        30,
    )
    shown = client.get(f"/contracts/{contract.pk}/").content.decode()
    assert "Accepted by Ana Staff for Marta Gil on " in shown

    # None chosen: the acceptance is recorded, on nobody's named behalf (not known).
    client.post(
        f"/contracts/{contract.pk}/",
        {**body, "starts_at": starts.replace("T10", "T13"), "agreed_by": ""},
    )
    assert BillableAcceptance.objects.filter(on_behalf_of=None).count() == 1


def test_staff_record_a_session_as_held_naming_who_agreed_and_another_organization_is_refused() -> (
    None
):
    from successkit.engagements.models import BillableAcceptance

    contract, colleague, stranger, staff = _billable_world()
    session = _past_billable_session(contract, staff)
    client = signed_in(staff)
    page = client.get(f"/contracts/{contract.pk}/").content.decode()
    assert f'<select id="agreed-{session.pk}" name="agreed_by"' in page
    assert f'<select id="move-agreed-{session.pk}" name="agreed_by"' in page
    before = list(BillableAcceptance.objects.values_list("id", "on_behalf_of_id", "minutes"))

    body = {"actual_minutes": 60, "accept_billable": "on"}
    refused = client.post(f"/sessions/{session.pk}/complete/", {**body, "agreed_by": stranger.pk})
    shown = shown_after(client, refused, f"/contracts/{contract.pk}/")
    assert "Select a valid choice" in shown.split('class="messages"', 1)[1]
    session.refresh_from_db()
    assert (session.status, session.billable_minutes) == ("booked", 30)
    assert list(BillableAcceptance.objects.values_list("id", "on_behalf_of_id", "minutes")) == (
        before
    )

    held = client.post(f"/sessions/{session.pk}/complete/", {**body, "agreed_by": colleague.pk})
    assert held["Location"] == f"/contracts/{contract.pk}/#session-{session.pk}"
    session.refresh_from_db()
    assert (session.status, session.billable_minutes) == ("completed", 60)
    latest = BillableAcceptance.objects.latest("id")
    assert (latest.on_behalf_of_id, latest.minutes) == (colleague.pk, 60)
    shown = client.get(held["Location"]).content.decode()
    assert "Accepted by Ana Staff for Marta Gil on " in shown


def test_a_move_that_makes_minutes_billable_records_who_agreed() -> None:
    """A Launch Kit meeting moved past day 90 becomes billable: staff tick that the buyer
    accepts it and name who agreed; a buyer's contact is never asked."""
    from datetime import timedelta

    from django.utils import timezone

    from successkit.accounts.actors import Actor
    from successkit.engagements.models import BillableAcceptance
    from successkit.engagements.services import book_session
    from successkit.engagements.tests.helpers import contract_starting, on_day
    from successkit.factories import ContactFactory
    from successkit.pricing.models import HourlyRate

    HourlyRate.objects.create(currency="EUR", hourly_rate="150.00", effective_from="2000-01-01")
    contract = contract_starting(
        timezone.localdate() - timedelta(days=80),
        "launch_kit",
        organization__timezone="UTC",
        organization__language="en",
    )
    colleague = ContactFactory(organization=contract.organization, user__name="Marta Gil")
    staff = contract.representative
    staff.language = "en"
    staff.save()
    meeting = book_session(
        Actor.of(staff),
        contract,
        type_code="implementation",
        starts_at=on_day(contract, 86),
        duration_minutes=60,
    )
    assert meeting.billable_minutes == 0
    later = on_day(contract, 95).strftime("%Y-%m-%dT%H:%M")

    buyer = signed_in(contract.buyer_contact.user)
    page = buyer.get(f"/contracts/{contract.pk}/").content.decode()
    assert f'id="move-{meeting.pk}"' in page and 'name="agreed_by"' not in page
    assert "I accept that the minutes this move makes billable are billed" in page

    client = signed_in(staff)
    page = client.get(f"/contracts/{contract.pk}/").content.decode()
    assert f'<select id="move-agreed-{meeting.pk}" name="agreed_by"' in page
    assert "The buyer accepts the minutes the new time makes billable" in page
    moved = client.post(
        f"/sessions/{meeting.pk}/move/",
        {"starts_at": later, "accept_billable": "on", "agreed_by": colleague.pk},
    )
    assert moved["Location"] == f"/contracts/{contract.pk}/#session-{meeting.pk}"
    meeting.refresh_from_db()
    assert meeting.billable_minutes == 60
    acceptance = BillableAcceptance.objects.get()
    assert (acceptance.accepted_by_id, acceptance.on_behalf_of_id) == (staff.pk, colleague.pk)


# --- the staff booking form speaks about the buyer ----------------------------------------


def test_the_staff_booking_form_speaks_about_the_buyer_and_the_buyers_to_them() -> None:
    from datetime import timedelta
    from html import unescape

    from django.utils import timezone

    contract = ContractFactory(
        start_date=timezone.localdate() - timedelta(days=5), organization__language="en"
    )
    staff = contract.representative
    staff.language = "en"
    staff.save()
    for_staff = unescape(signed_in(staff).get(f"/contracts/{contract.pk}/").content.decode())
    assert "Starts at (the buyer's local time, Europe/Madrid)" in for_staff
    assert "None ticked: the platforms on the contract." in for_staff
    assert "What the buyer can book" in for_staff
    assert "Whom the buyer contacts now" in for_staff
    assert "the buyer's Customer Success manager" in for_staff
    assert "your " not in for_staff.split("<main", 1)[1].lower()

    for_buyer = unescape(
        signed_in(contract.buyer_contact.user).get(f"/contracts/{contract.pk}/").content.decode()
    )
    assert "None ticked: the platforms on your contract." in for_buyer
    assert "your Customer Success manager" in for_buyer
    assert "I accept that minutes beyond the package are billed" in for_buyer
    assert "the buyer" not in for_buyer.lower()

    staff.language = "es"
    staff.save()
    spanish = unescape(signed_in(staff).get(f"/contracts/{contract.pk}/").content.decode())
    assert "Comienza (hora local del comprador, Europe/Madrid)" in spanish
    assert "Si no marcas ninguna: las plataformas del contrato." in spanish
    assert "el gestor personal de Customer Success del comprador" in spanish
    assert "El comprador acepta que los minutos que excedan el paquete" in spanish


def test_staff_read_that_the_buyers_account_manager_period_ended() -> None:
    from datetime import timedelta
    from html import unescape

    from django.utils import timezone

    contract = ContractFactory(
        package_code="launch_kit",
        start_date=timezone.localdate() - timedelta(days=120),
        organization__language="en",
    )
    staff = contract.representative
    staff.language = "en"
    staff.save()
    page = unescape(signed_in(staff).get(f"/contracts/{contract.pk}/").content.decode())
    assert "The Customer Success team: the buyer opens a case in Support" in page
    assert "The buyer's account manager's period ended on " in page
    assert "Your account manager" not in page


def test_the_buyers_free_times_fit_the_length_asked_not_the_types_longest() -> None:
    """Additional training may last up to 480 minutes: a buyer asking for two hours gets
    every start that leaves two hours inside the working day (the default hours, 09:00 to
    17:00), not only 09:00; without a length, an hour; the week's links keep the length."""
    from datetime import date

    contract = ContractFactory(start_date=date(2027, 1, 1), end_date=date(2027, 12, 31))
    buyer = signed_in(contract.buyer_contact.user)
    url = f"/contracts/{contract.pk}/?type=additional_training&week=2027-03-08"

    two_hours = buyer.get(url + "&minutes=120").content.decode()
    default = buyer.get(url).content.decode()
    whole_day = buyer.get(url + "&minutes=480").content.decode()

    # 09:00 to 15:00 every half hour: 13 starts a day, Monday to Friday.
    assert two_hours.count('name="slot"') == 5 * 13
    assert 'value="2027-03-08T15:00:00+01:00|' in two_hours
    assert 'id="pick-minutes" name="minutes" min="1" max="1440" value="120"' in two_hours
    assert "&amp;minutes=120&amp;week=2027-03-15" in two_hours
    assert 'name="duration_minutes" value="120"' in two_hours
    assert default.count('name="slot"') == 5 * 15
    assert 'value="60"' in default.split('id="pick-minutes"', 1)[1].split(">", 1)[0]
    assert whole_day.count('name="slot"') == 5


def test_staff_in_another_zone_book_a_time_their_own_zone_skips() -> None:
    """Staff pages show the staff member's zone (New York), but a typed time is the
    buyer's (Madrid): 02:30 on 14 March 2027, when New York's clocks jump from 02:00 to
    03:00, is an ordinary Madrid time, and is booked, moved to and scheduled as such."""
    from datetime import UTC, date, datetime

    from successkit.accounts.roles import Role
    from successkit.engagements.models import TrainingSession
    from successkit.factories import StaffFactory
    from successkit.healthchecks.tests.factories import contract_with_checks
    from successkit.scheduling.models import Availability

    contract = contract_with_checks(
        start_date=date(2027, 1, 1),
        end_date=date(2027, 12, 31),
        organization__timezone="Europe/Madrid",
    )
    staff, colleague = contract.representative, StaffFactory(roles=[Role.CSM])
    for person in (staff, colleague):
        Availability.objects.create(staff=person, timezone="America/New_York", updated_by=staff)
    client = signed_in(staff)
    madrid_0230 = datetime(2027, 3, 14, 1, 30, tzinfo=UTC)

    booked = client.post(
        f"/contracts/{contract.pk}/",
        {"type": "kickoff", "starts_at": "2027-03-14T02:30", "duration_minutes": 60},
    )
    assert booked.status_code == 302
    kickoff = TrainingSession.objects.get()
    assert kickoff.starts_at == madrid_0230

    moved = client.post(f"/sessions/{kickoff.pk}/move/", {"starts_at": "2027-03-14T02:00"})
    assert moved.status_code == 302
    kickoff.refresh_from_db()
    assert kickoff.starts_at == datetime(2027, 3, 14, 1, 0, tzinfo=UTC)

    check = contract.health_checks.get(period_index=0)
    scheduled = client.post(
        f"/health-checks/{check.pk}/schedule/",
        {"scheduled_for": "2027-03-14T02:30", "staff": colleague.pk},
    )
    assert scheduled.status_code == 302
    check.refresh_from_db()
    assert check.scheduled_for == madrid_0230


# --- a refused form comes back once, to the page it was sent from (Post/Redirect/Get) -----


def _shown_once_to_them_alone(client, other, refused, page: str, anchor: str, *typed: str) -> None:
    """``refused`` answered 303 to ``page`` (at ``anchor``); another person's GET of the
    page shows none of ``typed``, the sender's next GET all of it, their GET after that
    none of it again."""
    assert refused.status_code == 303
    assert refused["Location"] == (f"{page}#{anchor}" if anchor else page)
    theirs = other.get(page).content.decode()
    assert [text for text in typed if text in theirs] == []
    shown = client.get(page)
    assert shown.status_code == 200
    assert [text for text in typed if text not in shown.content.decode()] == []
    again = client.get(page).content.decode()
    assert [text for text in typed if text in again] == []


def _english_staff(contract):
    from successkit.accounts.roles import Role
    from successkit.factories import StaffFactory

    staff = contract.representative
    staff.language = "en"
    staff.save()
    return staff, StaffFactory(roles=[Role.CSM], language="en")


def test_a_refused_booking_is_shown_once_on_the_contract_page_and_only_to_who_sent_it() -> None:
    from datetime import timedelta

    from django.utils import timezone

    from successkit.engagements.models import TrainingSession
    from successkit.engagements.tests.helpers import rate

    rate("EUR", "150.00")
    contract = ContractFactory(start_date=timezone.localdate() - timedelta(days=5))
    staff, colleague = _english_staff(contract)
    client, other = signed_in(staff), signed_in(colleague)
    starts = (timezone.localdate() + timedelta(days=8)).isoformat() + "T10:30"
    refused = client.post(
        f"/contracts/{contract.pk}/",
        {"type": "additional_training", "starts_at": starts, "duration_minutes": 90},
    )
    _shown_once_to_them_alone(
        client,
        other,
        refused,
        f"/contracts/{contract.pk}/",
        "book",
        f'name="starts_at" value="{starts}"',
        'name="duration_minutes" value="90"',
        "90 minutes of this session are beyond what the package covers: they cost €225.00",
    )
    assert TrainingSession.objects.count() == 0


def test_a_refused_held_form_is_shown_once_on_the_contract_page_and_only_to_who_sent_it() -> None:
    contract, colleague, _stranger, staff = _billable_world()
    session = _past_billable_session(contract, staff)
    _staff, other_staff = _english_staff(contract)
    client, other = signed_in(staff), signed_in(other_staff)
    refused = client.post(
        f"/sessions/{session.pk}/complete/",
        {"actual_minutes": 60, "accept_billable": "", "agreed_by": colleague.pk},
    )
    _shown_once_to_them_alone(
        client,
        other,
        refused,
        f"/contracts/{contract.pk}/",
        "",
        f'id="actual-{session.pk}" name="actual_minutes" value="60"',
        "60 minutes of this session are beyond what the package covers",
        "tick the box that they accept the billed minutes",
    )
    session.refresh_from_db()
    assert (session.status, session.billable_minutes) == ("booked", 30)


def test_a_refused_move_is_shown_once_on_the_contract_page_and_only_to_who_sent_it() -> None:
    from datetime import timedelta

    from django.utils import timezone

    from successkit.accounts.actors import Actor
    from successkit.engagements.services import book_session

    contract = ContractFactory(
        start_date=timezone.localdate() - timedelta(days=5), organization__timezone="UTC"
    )
    staff, colleague = _english_staff(contract)
    starts = (timezone.now() + timedelta(days=3)).replace(minute=0, second=0, microsecond=0)
    book_session(
        Actor.of(staff), contract, type_code="kickoff", starts_at=starts, duration_minutes=60
    )
    meeting = book_session(
        Actor.of(staff),
        contract,
        type_code="implementation",
        starts_at=starts + timedelta(hours=3),
        duration_minutes=60,
    )
    client, other = signed_in(staff), signed_in(colleague)
    typed = starts.strftime("%Y-%m-%dT%H:%M")
    refused = client.post(f"/sessions/{meeting.pk}/move/", {"starts_at": typed})
    _shown_once_to_them_alone(
        client,
        other,
        refused,
        f"/contracts/{contract.pk}/",
        "",
        f'id="move-{meeting.pk}" name="starts_at" value="{typed}"',
        "already has another meeting",
    )
    meeting.refresh_from_db()
    assert meeting.starts_at == starts + timedelta(hours=3)


def test_a_refused_booking_never_fills_another_contracts_page_and_is_then_forgotten() -> None:
    """Booked on one contract, refused, then another contract's page opened first: its
    booking form is empty, and the refused form is not kept for later either."""
    from datetime import timedelta

    from django.utils import timezone

    from successkit.engagements.tests.helpers import rate

    rate("EUR", "150.00")
    start = timezone.localdate() - timedelta(days=5)
    contract = ContractFactory(start_date=start)
    elsewhere = ContractFactory(start_date=start, representative=contract.representative)
    staff, _colleague = _english_staff(contract)
    client = signed_in(staff)
    starts = (timezone.localdate() + timedelta(days=8)).isoformat() + "T10:30"
    refused = client.post(
        f"/contracts/{contract.pk}/",
        {"type": "additional_training", "starts_at": starts, "duration_minutes": 90},
    )
    assert refused.status_code == 303
    typed = (f'value="{starts}"', "beyond what the package covers")
    other_page = client.get(f"/contracts/{elsewhere.pk}/").content.decode()
    assert [text for text in typed if text in other_page] == []
    own_page = client.get(f"/contracts/{contract.pk}/").content.decode()
    assert [text for text in typed if text in own_page] == []


def test_a_refused_form_kept_for_another_person_is_never_shown() -> None:
    """The session holds who sent the refused form: anyone else reading the page with that
    session (it should never happen: signing in anew starts another session) sees none of
    it."""
    from successkit.core.pages import REFUSED_FORM

    contract, colleague, _stranger, staff = _billable_world()
    session = _past_billable_session(contract, staff)
    client = signed_in(staff)
    refused = client.post(f"/sessions/{session.pk}/complete/", {"actual_minutes": 60})
    assert refused.status_code == 303
    stored = client.session
    stored[REFUSED_FORM] = {**stored[REFUSED_FORM], "user": colleague.user.pk}
    stored.save()
    shown = client.get(f"/contracts/{contract.pk}/").content.decode()
    assert f'id="actual-{session.pk}" name="actual_minutes" value="30"' in shown
    assert 'value="60"' not in shown.split(f'id="actual-{session.pk}"', 1)[1].split(">", 1)[0]
