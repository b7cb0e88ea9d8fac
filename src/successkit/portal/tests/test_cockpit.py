"""The staff home: the portfolio cockpit."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from successkit.accounts.actors import Actor
from successkit.accounts.roles import Role
from successkit.engagements import services as engagements
from successkit.factories import ContractFactory, StaffFactory

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def queries_for_home(client: Client) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/?accounts=all").status_code == 200
    return len(captured)


def test_the_cockpit_reads_any_portfolio_in_the_same_number_of_queries() -> None:
    admin = StaffFactory(roles=[Role.ADMIN], language="en")
    client = signed_in(admin)
    ContractFactory.create_batch(2)
    small = queries_for_home(client)
    ContractFactory.create_batch(18)
    assert queries_for_home(client) == small


@pytest.mark.parametrize(
    "path",
    [
        "/?accounts=all&attention=1",
        "/?accounts=all&sort=organization",
        "/?accounts=all&sort=unbilled",
        "/?accounts=all&sort=left",
        "/?accounts=all&sort=end&page=2",
        "/?accounts=all&phase=active&package=pro_lite",
        "/?accounts=all&q=clinic",
        "/?accounts=mine",
    ],
)
def test_every_filter_and_sort_reads_any_portfolio_in_the_same_number_of_queries(
    path: str,
) -> None:
    admin = StaffFactory(roles=[Role.ADMIN], language="en")
    client = signed_in(admin)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(path).status_code == 200
        return len(captured)

    ContractFactory.create_batch(2, organization__name="First Clinic")
    small = queries()
    ContractFactory.create_batch(30, organization__name="Second Clinic")
    assert queries() == small


def test_the_representative_filter_keeps_the_chosen_person_selected() -> None:
    alpha = ContractFactory(organization__name="Alpha Clinic")
    beta = ContractFactory(organization__name="Beta Clinic")
    client = signed_in(StaffFactory(roles=[Role.ADMIN], language="en"))
    page = client.get(f"/?accounts=all&representative={alpha.representative_id}")
    body = page.content.decode()
    assert f'<option value="{alpha.representative_id}" selected>' in body
    assert f'<option value="{beta.representative_id}">' in body
    assert "Alpha Clinic" in body and "Beta Clinic" not in body


def test_account_owners_see_their_own_accounts_first() -> None:
    mine = ContractFactory(organization__name="Mine Clinic")
    theirs = ContractFactory(organization__name="Other Clinic")
    csm = mine.representative
    csm.language = "en"
    csm.save()
    page = signed_in(csm).get("/").content.decode()
    assert "My accounts" in page
    assert f'data-contract="{mine.pk}"' in page
    assert f'data-contract="{theirs.pk}"' not in page
    everyone = signed_in(csm).get("/?accounts=all").content.decode()
    assert f'data-contract="{theirs.pk}"' in everyone


def test_a_session_past_its_start_still_booked_needs_attention() -> None:
    contract = ContractFactory(organization__name="Late Clinic")
    engagements.book_session(
        Actor.of(contract.representative),
        contract,
        type_code="kickoff",
        starts_at=timezone.now() - timedelta(hours=2),
        duration_minutes=60,
    )
    client = signed_in(StaffFactory(roles=[Role.ADMIN], language="en"))
    page = client.get("/").content.decode()
    assert 'data-attention="overdue_sessions"' in page
    assert "1 session past its start is still booked" in page
    assert f'href="/contracts/{contract.pk}/#training"' in page
    quiet = client.get("/?attention=1&q=nobody").content.decode()
    assert "No contracts to show." in quiet


def test_the_portfolio_exports_as_csv_with_its_filters() -> None:
    ContractFactory(organization__name="Alpha Clinic", package_code="premium")
    ContractFactory(organization__name="Beta Clinic", package_code="pro_lite")
    client = signed_in(StaffFactory(roles=[Role.FINANCE], language="en"))
    response = client.get("/?package=premium&format=csv")
    body = response.content.decode("utf-8-sig")
    assert response["Content-Type"].startswith("text/csv")
    assert "Alpha Clinic" in body
    assert "Beta Clinic" not in body


def test_buyers_keep_their_own_home() -> None:
    contract = ContractFactory()
    page = signed_in(contract.buyer_contact.user).get("/").content.decode()
    assert "Needs attention" not in page
    assert f'data-contract="{contract.pk}"' in page
