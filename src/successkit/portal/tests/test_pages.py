from __future__ import annotations

import pytest
from django.test import Client

from successkit.accounts.roles import Role
from successkit.factories import PASSWORD, ContractFactory, StaffFactory
from successkit.scheduling.models import Availability

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    client = Client()
    response = client.post("/login/", {"username": user.email, "password": PASSWORD})
    assert response.status_code == 302
    return client


def test_home_requires_sign_in() -> None:
    response = Client().get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_sign_in_with_a_wrong_password_stays_on_the_form() -> None:
    user = StaffFactory()
    response = Client().post("/login/", {"username": user.email, "password": "nope"})
    assert response.status_code == 200
    assert b"id_password" in response.content


def test_staff_see_every_contract() -> None:
    first, second = ContractFactory(), ContractFactory()
    page = signed_in(StaffFactory(roles=[Role.SUPPORT])).get("/").content.decode()
    assert f'data-contract="{first.pk}"' in page
    assert f'data-contract="{second.pk}"' in page


def test_a_contact_sees_only_their_organizations_contracts_in_their_language() -> None:
    mine = ContractFactory(package_code="launch_kit", organization__language="es")
    theirs = ContractFactory()
    contact = mine.buyer_contact.user
    contact.language = "es"
    contact.save()
    page = signed_in(contact).get("/").content.decode()
    assert f'data-contract="{mine.pk}"' in page
    assert f'data-contract="{theirs.pk}"' not in page
    assert theirs.organization.name not in page
    assert "Kit de lanzamiento" in page
    assert "prevalecerá la versión en inglés" in page


def test_english_pages_carry_no_translation_notice() -> None:
    contract = ContractFactory()
    contact = contract.buyer_contact.user
    contact.language = "en"
    contact.save()
    page = signed_in(contact).get("/").content.decode()
    assert "Pro Lite" in page
    assert "English version prevails" not in page


def test_staff_reach_the_back_office_and_contacts_do_not() -> None:
    staff = signed_in(StaffFactory(roles=[Role.CSM]))
    assert staff.get("/admin/contracts/contract/").status_code == 200
    contact = signed_in(ContractFactory().buyer_contact.user)
    assert contact.get("/admin/contracts/contract/").status_code == 302


def test_the_stylesheet_is_served() -> None:
    response = Client().get("/static/successkit/site.css")
    assert response.status_code == 200
    assert b"--accent" in b"".join(response.streaming_content)


def test_staff_see_what_each_account_used_and_what_is_late() -> None:
    from datetime import timedelta

    from django.utils import timezone

    late = ContractFactory(
        package_code="premium", start_date=timezone.localdate() - timedelta(days=70)
    )
    staff = StaffFactory(roles=[Role.CSM])
    staff.language = "en"
    staff.save()
    page = signed_in(staff).get("/?accounts=all").content.decode()
    row = page[page.index(f'data-contract="{late.pk}"') :].split("</li>")[0]
    assert "0 used · 0 reserved · <strong>120 left</strong>" in row
    assert "0 of 12 done" in row
    assert "2 missed" in row


def test_plurals_are_spanish_for_every_count() -> None:
    from datetime import timedelta

    from django.utils import timezone

    late = ContractFactory(
        package_code="premium", start_date=timezone.localdate() - timedelta(days=100)
    )
    staff = StaffFactory(roles=[Role.CSM])
    staff.language = "es"
    staff.save()
    page = signed_in(staff).get("/?accounts=all").content.decode()
    row = page[page.index(f'data-contract="{late.pk}"') :].split("</li>")[0]
    assert "3 no realizadas" in row


def test_the_profile_names_the_zone_of_a_staff_members_working_hours() -> None:
    staff = StaffFactory(roles=[Role.CSM], language="en")
    assert "<span data-page-zone>UTC</span>" in signed_in(staff).get("/profile/").content.decode()
    Availability.objects.create(staff=staff, timezone="America/Bogota", updated_by=staff)
    page = signed_in(staff).get("/profile/").content.decode()
    assert "<span data-page-zone>America/Bogota</span>" in page
    assert 'href="/schedule/availability/">Change it in your working hours</a>' in page
