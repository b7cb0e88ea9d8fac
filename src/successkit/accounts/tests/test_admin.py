"""The back office keeps an organization to the same rules as the API."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from successkit.accounts.models import Organization
from successkit.accounts.roles import Role
from successkit.factories import PASSWORD, OrganizationFactory, StaffFactory

pytestmark = pytest.mark.django_db


def admin_client() -> Client:
    client = Client()
    assert client.login(username=StaffFactory(roles=[Role.ADMIN]).email, password=PASSWORD)
    return client


def change(client: Client, organization: Organization, **values: str):
    body = {
        "name": organization.name,
        "country": organization.country,
        "timezone": organization.timezone,
        "language": organization.language,
        "contacts-TOTAL_FORMS": "0",
        "contacts-INITIAL_FORMS": "0",
        **values,
    }
    url = reverse("admin:accounts_organization_change", args=[organization.pk])
    return client.post(url, body, headers={"accept-language": "en"})


def test_an_unknown_time_zone_is_refused_in_the_back_office_and_nothing_changes() -> None:
    organization = OrganizationFactory(timezone="Europe/Madrid")
    response = change(admin_client(), organization, timezone="Mars/Olympus")
    assert response.status_code == 200  # the form again, with its error
    assert "Mars/Olympus is not an IANA time zone." in response.content.decode()
    organization.refresh_from_db()
    assert organization.timezone == "Europe/Madrid"


def test_an_unknown_country_is_refused_in_the_back_office() -> None:
    organization = OrganizationFactory(country="ES")
    response = change(admin_client(), organization, country="XX")
    assert "XX is not an ISO 3166 country code." in response.content.decode()
    organization.refresh_from_db()
    assert organization.country == "ES"


def test_a_valid_change_is_saved_from_the_back_office() -> None:
    organization = OrganizationFactory(timezone="Europe/Madrid")
    response = change(admin_client(), organization, timezone="America/New_York")
    assert response.status_code == 302
    organization.refresh_from_db()
    assert organization.timezone == "America/New_York"
