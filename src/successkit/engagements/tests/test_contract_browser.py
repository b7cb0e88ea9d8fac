"""The representative runs a contract from its page, in Chromium at desktop and phone
width: records a session as held with its actual minutes, a no-show, a cancellation the
buyer asked for."""

from __future__ import annotations

import re
from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import expect

from successkit.accounts.actors import Actor
from successkit.accounts.roles import Role
from successkit.billing.services import issue_statement
from successkit.engagements import services
from successkit.engagements.models import TrainingSession
from successkit.engagements.tests.helpers import rate
from successkit.factories import PASSWORD, ContactFactory, ContractFactory, StaffFactory
from successkit.portal.tests.browser import browser_marks, chromium, look, page, sign_in

pytestmark = browser_marks
__all__ = ["chromium", "page"]


def test_the_representative_records_outcomes_on_the_contract_page(page) -> None:
    rate("EUR", "150.00", since=timezone.localdate() - timedelta(days=400))
    contract = ContractFactory(organization__name="Clínica Sol", organization__language="en")
    staff = contract.representative
    staff.language = "en"
    staff.save()
    actor = Actor.of(staff)
    now = timezone.now()
    kickoff = services.book_session(
        actor,
        contract,
        type_code="kickoff",
        starts_at=now - timedelta(hours=3),
        duration_minutes=60,
    )
    meeting = services.book_session(
        actor,
        contract,
        type_code="implementation",
        starts_at=now - timedelta(hours=1),
        duration_minutes=30,
    )
    training = services.book_session(
        actor,
        contract,
        type_code="software_training",
        starts_at=now + timedelta(days=9),
        duration_minutes=30,
        platforms=["teams"],
    )
    page.on("dialog", lambda dialog: dialog.accept())

    sign_in(page, staff.email, PASSWORD)
    page.goto(f"/contracts/{contract.pk}/")
    look(page, "staff-contract")

    page.locator("summary", has_text="Held").first.click()
    page.get_by_label(re.compile("Actual minutes of Kickoff meeting")).fill("45")
    page.get_by_role("button", name=re.compile("Record Kickoff meeting as held")).click()
    expect(page.get_by_role("status")).to_contain_text("The session is recorded as held.")
    kickoff.refresh_from_db()
    assert (kickoff.status, kickoff.actual_minutes) == ("completed", 45)

    page.get_by_role("button", name=re.compile("No-show.*Implementation meeting")).click()
    expect(page.get_by_role("status")).to_contain_text("no-show")
    meeting.refresh_from_db()
    assert meeting.status == "no_show"

    page.get_by_label(re.compile("Who cancels Software training")).select_option("buyer")
    page.get_by_role("button", name=re.compile("Cancel.*Software training")).click()
    expect(page.get_by_role("status")).to_contain_text("The session is cancelled.")
    training.refresh_from_db()
    assert (training.status, training.cancelled_by) == ("cancelled", "buyer")
    assert TrainingSession.objects.filter(contract=contract, status="booked").count() == 0
    assert page.get_by_role("button", name=re.compile("No-show")).count() == 0
    look(page, "staff-contract-after")


def test_staff_record_billable_minutes_naming_the_buyer_contact_who_agreed(page) -> None:
    """Held with more minutes than booked: refused until the box is ticked, the contract
    page coming back (at its own address) with the form open and the minutes typed; then
    ticked, naming the colleague who agreed, and the acceptance says on whose behalf."""
    rate("EUR", "150.00", since=timezone.localdate() - timedelta(days=400))
    contract = ContractFactory(organization__name="Clínica Sol", organization__language="en")
    colleague = ContactFactory(organization=contract.organization, user__name="Marta Gil")
    ContactFactory(user__name="Otto Fremd")  # another organization's: never offered
    staff = contract.representative
    staff.name, staff.language = "Ana Staff", "en"
    staff.save()
    session = services.book_session(
        Actor.of(staff),
        contract,
        type_code="additional_training",
        starts_at=timezone.now() - timedelta(hours=2),
        duration_minutes=30,
        accept_billable=True,
    )

    sign_in(page, staff.email, PASSWORD)
    page.goto(f"/contracts/{contract.pk}/")
    page.locator("summary", has_text="Held").first.click()
    page.get_by_label(re.compile("Actual minutes of Additional training")).fill("60")
    page.get_by_role("button", name=re.compile("Record Additional training as held")).click()
    expect(page.get_by_role("status")).to_contain_text("beyond what the package covers")
    expect(page).to_have_url(re.compile(rf"/contracts/{contract.pk}/$"))  # the page's own
    minutes = page.get_by_label(re.compile("Actual minutes of Additional training"))
    expect(minutes).to_be_visible()  # the refused form is open again
    expect(minutes).to_have_value("60")
    session.refresh_from_db()
    assert session.status == "booked"
    look(page, "staff-contract-held-refused")

    held = page.locator(f"#session-{session.pk} form[action$='/complete/']")
    held.get_by_label("The buyer accepted that minutes beyond the package are billed").check()
    who = held.get_by_label(re.compile("Who agreed"))
    assert "Otto Fremd" not in who.inner_text()
    who.select_option(str(colleague.pk))
    held.get_by_role("button", name=re.compile("Record Additional training as held")).click()
    expect(page.get_by_role("status")).to_contain_text("The session is recorded as held.")
    acceptance = page.locator(f"#session-{session.pk} .acceptance").last
    expect(acceptance).to_contain_text("Accepted by Ana Staff for Marta Gil")
    expect(acceptance).to_contain_text("60 min")
    session.refresh_from_db()
    assert (session.status, session.billable_minutes) == ("completed", 60)
    latest = session.acceptances.latest("id")
    assert (latest.accepted_by_id, latest.on_behalf_of_id) == (staff.pk, colleague.pk)
    look(page, "staff-contract-who-agreed")


def test_a_refused_move_comes_back_to_the_contract_pages_address_and_a_reload_posts_nothing(
    page,
) -> None:
    """Moved onto the time of another meeting: refused, and the browser is back at the
    contract page's own address (never the move's, which only takes a POST) with the
    "Move" form open and the time typed; reloading it asks nothing and posts nothing: the
    page reads as it is now, the refused form forgotten."""
    contract = ContractFactory(organization__timezone="UTC", organization__language="en")
    staff = contract.representative
    staff.language = "en"
    staff.save()
    starts = (timezone.now() + timedelta(days=3)).replace(minute=0, second=0, microsecond=0)
    services.book_session(
        Actor.of(staff), contract, type_code="kickoff", starts_at=starts, duration_minutes=60
    )
    meeting = services.book_session(
        Actor.of(staff),
        contract,
        type_code="implementation",
        starts_at=starts + timedelta(hours=3),
        duration_minutes=60,
    )
    typed = starts.strftime("%Y-%m-%dT%H:%M")

    sign_in(page, staff.email, PASSWORD)
    posts: list[str] = []  # every POST the page sends from here on
    page.on(
        "request", lambda request: posts.append(request.url) if request.method == "POST" else None
    )
    page.goto(f"/contracts/{contract.pk}/")
    page.locator(f"#session-{meeting.pk} summary", has_text="Move").click()
    page.get_by_label(re.compile("New start of Implementation meeting")).fill(typed)
    page.get_by_role("button", name=re.compile("Move Implementation meeting")).click()
    expect(page.get_by_role("status")).to_contain_text("already has another meeting")
    expect(page).to_have_url(re.compile(rf"/contracts/{contract.pk}/$"))
    moved = page.get_by_label(re.compile("New start of Implementation meeting"))
    expect(moved).to_be_visible()  # the refused form is open again
    expect(moved).to_have_value(typed)
    assert posts == [
        page.url.replace(f"/contracts/{contract.pk}/", f"/sessions/{meeting.pk}/move/")
    ]
    look(page, "staff-contract-move-refused")

    reloaded = page.reload()
    assert reloaded is not None
    assert (reloaded.request.method, reloaded.status) == ("GET", 200)
    assert len(posts) == 1  # the move was not posted again
    expect(page).to_have_url(re.compile(rf"/contracts/{contract.pk}/$"))
    expect(page.get_by_role("status")).not_to_contain_text("already has another meeting")
    expect(moved).not_to_be_visible()  # the page as it is now: the form closed
    meeting.refresh_from_db()
    assert meeting.starts_at == starts + timedelta(hours=3)


def test_the_buyer_reads_in_spanish_what_is_not_billed_yet(page) -> None:
    """Two sessions beyond the package are not on a statement yet, a third is: the buyer
    reads the two, worded as a statement words them, and their total, in Spanish."""
    rate("EUR", "150.00", since=timezone.localdate() - timedelta(days=400))
    contract = ContractFactory(
        start_date=timezone.localdate() - timedelta(days=60),
        organization__name="Clínica Sol",
        organization__language="es",
    )
    staff = contract.representative
    staff.name = "Ana Pérez"
    staff.save()
    user = contract.buyer_contact.user
    user.language = "es"
    user.save()
    actor = Actor.of(staff)

    def held(days_ago: int, minutes: int, *, attended: bool = True) -> TrainingSession:
        session = services.book_session(
            actor,
            contract,
            type_code="additional_training",
            starts_at=timezone.now() - timedelta(days=days_ago),
            duration_minutes=minutes,
            accept_billable=True,
        )
        if not attended:
            return services.record_no_show(actor, session)
        return services.complete_session(actor, session, actual_minutes=minutes)

    billed = held(30, 60)
    held(20, 90)
    held(10, 45, attended=False)
    issue_statement(
        Actor.of(StaffFactory(roles=[Role.FINANCE])),
        contract,
        period_start=contract.start_date,
        period_end=contract.today() - timedelta(days=25),
    )
    assert billed.statement_lines.count() == 1

    sign_in(page, user.email, PASSWORD)
    page.goto(f"/contracts/{contract.pk}/")
    section = page.get_by_role("region", name="Aún sin facturar")
    expect(section).to_contain_text("Total aún sin facturar: 337,50 €")
    lines = section.get_by_role("listitem")
    expect(lines).to_have_count(2)
    expect(lines.nth(0)).to_contain_text("Formación adicional; aceptado por Ana Pérez el")
    expect(lines.nth(0)).to_contain_text("(90 min)")
    expect(lines.nth(0)).to_contain_text("90 minutos")
    expect(lines.nth(0)).to_contain_text("225,00 €")
    expect(lines.nth(1)).to_contain_text(
        "Formación adicional: no asistencia (se facturan los minutos reservados)"
    )
    expect(lines.nth(1)).to_contain_text("45 minutos")
    expect(lines.nth(1)).to_contain_text("112,50 €")
    expect(section).not_to_contain_text("150,00 €")  # the line a statement billed
    expect(section.get_by_role("link", name="Tus extractos")).to_be_visible()
    look(page, "buyer-contract-not-billed")
