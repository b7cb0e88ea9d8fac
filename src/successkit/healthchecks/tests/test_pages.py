from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest
from django.test import Client

from successkit.accounts.actors import Actor
from successkit.accounts.roles import Role
from successkit.core.tests.refusals import shown_after
from successkit.factories import PASSWORD, ContactFactory, StaffFactory
from successkit.healthchecks import services
from successkit.healthchecks.tests.factories import completed_check

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    client = Client()
    response = client.post("/login/", {"username": user.email, "password": PASSWORD})
    assert response.status_code == 302
    return client


def test_the_report_page_is_in_the_organizations_language(spanish) -> None:
    check = completed_check(spanish)
    # An English-speaking staff member opens a Spanish buyer's report: the report is Spanish.
    page = signed_in(StaffFactory(roles=[Role.SUPPORT])).get(f"/health-checks/{check.pk}/report/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Comprobación del estado del proyecto 1 de 4" in html
    assert "Rollout on track: 120 &lt;rings&gt; sized &amp; 80 distributed." in html
    assert "28 de enero de 2026" in html
    assert "Clínica Sol" in html
    assert "Order 40 more rings" in html
    assert "Ámbar: en riesgo" in html
    assert "prevalecerá la versión en inglés" in html


def test_the_buyer_contact_opens_their_report_in_english(english) -> None:
    check = completed_check(english, overall_status="green")
    html = signed_in(english.buyer_contact.user).get(f"/health-checks/{check.pk}/report/")
    text = html.content.decode()
    assert html.status_code == 200
    assert "Project health check 1 of 4" in text
    assert "January 28, 2026" in text
    assert "Rollout on track" in text
    assert "Green: on track" in text  # the status said as the form says it, not a colour code
    assert "English version prevails" not in text


def pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page\b(?!s)", pdf))


def test_the_pdf_is_a_real_one_page_pdf(spanish) -> None:
    check = completed_check(spanish)
    response = signed_in(spanish.buyer_contact.user).get(f"/health-checks/{check.pk}/report.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'inline; filename="health-check-clinica-sol-1.pdf"'
    pdf = response.content
    assert pdf.startswith(b"%PDF-")
    assert pdf.rstrip().endswith(b"%%EOF")
    assert len(pdf) > 5000
    assert pages(pdf) == 1


def test_the_pdf_stays_on_one_page_with_the_longest_texts(spanish) -> None:
    check = completed_check(
        spanish,
        summary="Ñandú " * 330,
        action_items=[
            services.ActionItemIn("x" * 500, "y" * 200, date(2026, 2, 15)) for _ in range(10)
        ],
        attendees=[f"Attendee {n}" for n in range(20)],
    )
    pdf = signed_in(StaffFactory()).get(f"/health-checks/{check.pk}/report.pdf").content
    assert pdf.startswith(b"%PDF-")
    assert pages(pdf) == 1


def test_a_report_of_another_organization_is_not_found_for_a_contact(spanish) -> None:
    check = completed_check(spanish)
    outsider = signed_in(ContactFactory().user)
    for url in (
        f"/health-checks/{check.pk}/report/",
        f"/health-checks/{check.pk}/report.pdf",
        f"/health-checks/contracts/{spanish.pk}/",
    ):
        response = outsider.get(url)
        assert response.status_code == 404
        assert b"not_found" in response.content
        assert b"Rollout" not in response.content


def test_a_check_not_completed_has_no_report_yet(spanish) -> None:
    check = spanish.health_checks.get(period_index=1)
    response = signed_in(StaffFactory()).get(f"/health-checks/{check.pk}/report.pdf")
    assert response.status_code == 409
    assert b"invalid_state" in response.content


def test_reports_need_a_sign_in(spanish) -> None:
    check = completed_check(spanish)
    for url in (f"/health-checks/{check.pk}/report/", f"/health-checks/{check.pk}/report.pdf"):
        response = Client().get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/login/")


def test_the_contract_page_lists_statuses_and_links_reports(spanish, clock) -> None:
    check = completed_check(spanish)
    clock.set(datetime(2026, 4, 20, 10, 0, tzinfo=UTC))
    contact = spanish.buyer_contact.user
    contact.language = "es"
    contact.save()
    html = signed_in(contact).get(f"/health-checks/contracts/{spanish.pk}/").content.decode()
    assert f'data-health-check="{check.pk}"' in html
    assert f"/health-checks/{check.pk}/report.pdf" in html
    assert html.count('class="check-status completed"') == 1
    assert html.count('class="check-status due"') == 3
    assert "completada" in html


def test_the_compliance_page_is_for_staff(spanish, english, clock) -> None:
    completed_check(spanish)
    clock.set(datetime(2026, 4, 20, 10, 0, tzinfo=UTC))
    html = signed_in(StaffFactory(roles=[Role.SUPPORT])).get("/health-checks/compliance/")
    assert html.status_code == 200
    text = html.content.decode()
    assert 'data-totals="8 1 0 6 1"' in text
    assert 'data-package="pro_lite"' in text
    assert f'data-health-check="{spanish.health_checks.get(period_index=1).pk}"' in text
    refused = signed_in(spanish.buyer_contact.user).get("/health-checks/compliance/")
    assert refused.status_code == 403
    assert b"permission_denied" in refused.content


def test_a_scheduled_time_shows_in_the_organizations_time_zone(english) -> None:
    check = english.health_checks.get(period_index=0)
    services.schedule_health_check(
        Actor.of(StaffFactory(roles=[Role.ADMIN])),
        check,
        scheduled_for=datetime(2026, 3, 2, 15, 0, tzinfo=UTC),
        staff_id=StaffFactory(roles=[Role.CSM]).pk,
    )
    html = signed_in(StaffFactory()).get(f"/health-checks/contracts/{english.pk}/")
    text = html.content.decode()
    assert "times in America/New_York" in text
    assert "Mar 2, 2026, 10:00\u202fAM EST" in text


def test_a_refused_report_comes_back_with_everything_typed_in_it(spanish) -> None:
    """A report refused (here an action item without its due date) is shown again with its
    form open and filled as it was sent: the summary and action items are not lost."""
    from successkit.healthchecks.models import HealthCheck

    staff = spanish.representative
    staff.language = "en"
    staff.save()
    check = HealthCheck.objects.filter(contract=spanish).order_by("period_start").first()
    client = signed_in(staff)
    summary = "Rollout: 120 rings sized, 80 distributed & <30> waiting.\nRisks: none."
    refused = client.post(
        f"/health-checks/{check.pk}/complete/",
        {
            "held_on": "2026-01-28",
            "staff": staff.pk,
            "overall_status": "amber",
            "summary": summary,
            "action_0_description": "Invite the second site",
            "action_0_owner": "Elena",
        },
    )
    html = shown_after(client, refused, f"/health-checks/contracts/{spanish.pk}/")
    assert "Each action item needs a due date." in html
    form = html.split(f'action="/health-checks/{check.pk}/complete/"', 1)[1].split("</form>")[0]
    assert (
        "Rollout: 120 rings sized, 80 distributed &amp; &lt;30&gt; waiting.\nRisks: none." in form
    )
    assert 'value="Invite the second site"' in form and 'value="Elena"' in form
    assert 'value="2026-01-28"' in form
    assert 'value="amber" checked' in form
    assert f'<option value="{staff.pk}" selected>' in form
    head = html.split(f'action="/health-checks/{check.pk}/complete/"', 1)[0]
    assert head.rsplit("<details", 1)[1].startswith(' class="action" open>')
    check.refresh_from_db()
    assert check.held_on is None


def test_a_refused_report_is_shown_once_on_the_checks_page_and_only_to_who_sent_it(
    spanish,
) -> None:
    """The refused report comes back to the checks page (a 303: its address, and a reload
    posts nothing), filled as it was sent, on the sender's next GET only: another staff
    member reading the page meanwhile sees an empty form, and so does the sender after."""
    from successkit.healthchecks.models import HealthCheck

    staff = spanish.representative
    staff.language = "en"
    staff.save()
    check = HealthCheck.objects.filter(contract=spanish).order_by("period_start").first()
    client, other = signed_in(staff), signed_in(StaffFactory(roles=[Role.CSM], language="en"))
    page = f"/health-checks/contracts/{spanish.pk}/"
    refused = client.post(
        f"/health-checks/{check.pk}/complete/",
        {
            "held_on": "2026-01-28",
            "staff": staff.pk,
            "overall_status": "amber",
            "summary": "Ninety rings sized.",
            "action_0_description": "Invite the second site",
        },
    )
    assert (refused.status_code, refused["Location"]) == (303, page)
    typed = (
        "Each action item needs a due date.",
        "Ninety rings sized.",
        'value="Invite the second site"',
        'value="amber" checked',
    )
    theirs = other.get(page).content.decode()
    assert [text for text in typed if text in theirs] == []
    shown = client.get(page)
    assert shown.status_code == 200
    assert [text for text in typed if text not in shown.content.decode()] == []
    again = client.get(page).content.decode()
    assert [text for text in typed if text in again] == []
    check.refresh_from_db()
    assert check.held_on is None


def test_a_refused_date_opens_the_checks_page_at_its_top_where_the_refusal_shows(spanish) -> None:
    from successkit.healthchecks.models import HealthCheck

    staff = spanish.representative
    check = HealthCheck.objects.filter(contract=spanish).order_by("period_start").last()
    client = signed_in(staff)
    outside = client.post(
        f"/health-checks/{check.pk}/schedule/",
        {"scheduled_for": "2026-02-10T10:00", "staff": staff.pk},
    )
    assert outside["Location"] == f"/health-checks/contracts/{spanish.pk}/"
    check.refresh_from_db()
    assert check.scheduled_for is None
    day = check.period_start.isoformat()
    inside = client.post(
        f"/health-checks/{check.pk}/schedule/", {"scheduled_for": f"{day}T10:00", "staff": staff.pk}
    )
    assert inside["Location"] == f"/health-checks/contracts/{spanish.pk}/#check-{check.pk}"
