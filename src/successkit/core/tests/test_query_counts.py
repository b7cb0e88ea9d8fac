"""Every staff page and every list the API serves reads a portfolio of 12 contracts with
their history in exactly as many queries as a portfolio of 2 (STYLE.md: "a page over
10,000 contracts makes the same number of queries as over 10"); a buyer's contract page
reads 12 lines not billed yet in as many queries as 3."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from successkit.accounts.actors import Actor
from successkit.accounts.models import ApiToken, User
from successkit.api import api
from successkit.billing.models import Statement
from successkit.conftest import ApiClient
from successkit.contracts.models import Contract
from successkit.core.tests.portfolio import Staff, grow, staff
from successkit.engagements import services as engagements
from successkit.engagements.models import SessionMaterial, TrainingSession
from successkit.healthchecks.models import HealthCheck
from successkit.notifications.models import WebhookEndpoint
from successkit.support.models import Case, Order

pytestmark = pytest.mark.django_db

# Query strings some lists need (or page through): each is measured as written.
QUERIES = {
    "/api/v1/contracts/{contract_id}/slots": "?type=implementation&from={today}&to={week}",
    "/api/v1/audit": "?type=contract",
}
EXTRA_LISTS = [
    "/api/v1/audit?type=order",
    "/api/v1/audit?type=organization",
    "/api/v1/audit?type=staff_role",
    "/api/v1/audit?type=rate",
    "/api/v1/contracts?limit=5&offset=5",
    "/api/v1/cases?status=escalated",
    "/api/v1/billing/unbilled?period_start=2000-01-01&period_end=2100-12-31",
]


def staff_pages(contract: Contract) -> list[str]:
    case = Case.objects.filter(contract=contract).order_by("id").first()
    statement = Statement.objects.filter(contract=contract).first()
    assert case is not None and statement is not None
    return [
        "/",
        "/?accounts=all",
        "/?accounts=all&attention=1&sort=unbilled",
        "/?accounts=all&phase=active&package=pro_lite&sort=left",
        "/?accounts=all&q=clinic&sort=end&page=2",
        "/?accounts=all&format=csv",
        f"/contracts/{contract.pk}/",
        f"/health-checks/contracts/{contract.pk}/",
        "/health-checks/compliance/",
        "/health-checks/compliance/?page=2",
        "/support/",
        "/support/?status=escalated",
        "/support/?queue=technical_support&status=open&page=2",
        "/support/queues/",
        f"/support/cases/{case.pk}/",
        "/billing/",
        "/billing/?sort=organization&page=2",
        "/billing/statements/",
        f"/billing/statements/{statement.pk}/",
    ]


def path_ids(contract: Contract, admin: User) -> dict[str, object]:
    session = TrainingSession.objects.filter(contract=contract).order_by("id").first()
    assert session is not None
    return {
        "organization_id": contract.organization_id,
        "contract_id": contract.pk,
        "session_id": session.pk,
        "material_id": SessionMaterial.objects.filter(session__contract=contract).first().pk,  # type: ignore[union-attr]
        "check_id": HealthCheck.objects.filter(contract=contract).order_by("id").first().pk,  # type: ignore[union-attr]
        "order_id": Order.objects.filter(contract=contract).first().pk,  # type: ignore[union-attr]
        "case_id": Case.objects.filter(contract=contract).order_by("id").first().pk,  # type: ignore[union-attr]
        "statement_id": Statement.objects.filter(contract=contract).first().pk,  # type: ignore[union-attr]
        "staff_id": contract.representative_id,
        "webhook_id": WebhookEndpoint.objects.order_by("id").first().pk,  # type: ignore[union-attr]
        "token_id": ApiToken.objects.filter(user=admin).first().pk,  # type: ignore[union-attr]
    }


def list_endpoints(contract: Contract, admin: User) -> list[str]:
    """Every GET of the OpenAPI document that answers a list (``items``), with its ids."""
    today = timezone.localdate()
    schemas = api.get_openapi_schema()
    components = schemas["components"]["schemas"]
    ids = path_ids(contract, admin)
    found = []
    for path, operations in schemas["paths"].items():
        get = operations.get("get")
        if get is None:
            continue
        content = get["responses"].get("200", {}).get("content", {}).get("application/json")
        if content is None:
            continue
        name = content["schema"].get("$ref", "").rsplit("/", 1)[-1]
        if "items" not in components.get(name, {}).get("properties", {}):
            continue
        query = QUERIES.get(path, "").format(today=today, week=today + timedelta(days=7))
        found.append(path.format(**ids) + query)
    return [*found, *EXTRA_LISTS]


def counted(call: Callable[[], object]) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = call()
    assert response.status_code == 200, response  # type: ignore[attr-defined]
    return len(captured)


def page_counts(people: Staff, contract: Contract) -> dict[str, int]:
    counts = {}
    for user in (people.admin, people.csm):
        client = Client()
        client.force_login(user)
        for url in staff_pages(contract):
            client.get(url)  # first call: sessions and caches warm
            counts[f"{user.email} {url}"] = counted(lambda: client.get(url))  # noqa: B023
    return counts


def api_counts(people: Staff, contract: Contract) -> dict[str, int]:
    counts = {}
    client = ApiClient(people.admin)
    for url in list_endpoints(contract, people.admin):
        client.get(url)
        counts[url] = counted(lambda: client.get(url))  # noqa: B023
    return counts


@pytest.fixture
def portfolio(settings, tmp_path) -> tuple[Staff, Contract]:
    settings.MEDIA_ROOT = tmp_path
    people = staff()
    first = grow(people, 2)[0]
    return people, first


def test_every_staff_page_reads_12_contracts_in_the_queries_of_2(portfolio) -> None:
    people, contract = portfolio
    small = page_counts(people, contract)
    grow(people, 10, first=2)
    assert page_counts(people, contract) == small


def test_every_api_list_reads_12_contracts_in_the_queries_of_2(portfolio) -> None:
    people, contract = portfolio
    small = api_counts(people, contract)
    assert len(small) >= 20  # the walk found the lists (a broken walk checks nothing)
    grow(people, 10, first=2)
    assert api_counts(people, contract) == small


def unbilled_sessions(contract: Contract, count: int, first_day: int) -> None:
    """``count`` more sessions beyond the package, held one a day from contract day
    ``first_day``: half accepted by staff for the buyer's counterpart, half not naming
    who agreed (each acceptance names other people to read)."""
    staff = Actor.of(contract.representative)
    zone = ZoneInfo(contract.organization.timezone)
    for n in range(count):
        day = contract.start_date + timedelta(days=first_day + n)
        session = engagements.book_session(
            staff,
            contract,
            type_code="additional_training",
            starts_at=datetime.combine(day, time(9), tzinfo=zone),
            duration_minutes=30 + n,
            accept_billable=True,
            on_behalf_of_contact_id=contract.buyer_contact_id if (first_day + n) % 2 else None,
        )
        engagements.complete_session(staff, session, actual_minutes=30 + n)


def buyer_contract_page(contract: Contract) -> tuple[int, int]:
    """The queries of the buyer's contract page, and the lines it shows not billed yet."""
    client = Client()
    client.force_login(contract.buyer_contact.user)
    url = f"/contracts/{contract.pk}/"
    client.get(url)  # first call: sessions and caches warm
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured), response.content.decode().count("<li data-unbilled>")


def test_a_buyers_contract_page_reads_12_unbilled_lines_in_the_queries_of_3(portfolio) -> None:
    _people, contract = portfolio
    unbilled_sessions(contract, 2, first_day=70)  # beside the history's one
    queries, shown = buyer_contract_page(contract)
    assert shown == 3
    unbilled_sessions(contract, 9, first_day=72)
    assert buyer_contract_page(contract) == (queries, 12)
