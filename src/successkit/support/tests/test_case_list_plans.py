"""The case list reads a page through an index for every filter it offers (issue 14): with
thousands of cases, a filter answered by sorting all matching rows first costs the whole
table on every page. Checked on SQLite's plans, which do not depend on table statistics
(PostgreSQL's planner rightly prefers a scan of a small test table)."""

from __future__ import annotations

import pytest
from django.db import connection

from successkit.accounts.actors import Actor
from successkit.accounts.models import User
from successkit.support import services
from successkit.support.models import Case
from successkit.support.tests.factories import CaseFactory

pytestmark = pytest.mark.django_db

FILTERS = [
    {},
    {"status": "open"},
    {"type": "product_question"},
    {"queue": "customer_success"},
    {"queue": "customer_success", "status": "open"},
]


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's query plans")
@pytest.mark.parametrize("filters", FILTERS, ids=lambda f: ",".join(f) or "all")
def test_every_filter_of_the_case_list_reads_its_page_through_an_index(
    admin_user: User, filters: dict[str, str]
) -> None:
    cases = services.find_cases(Actor.of(admin_user), **filters)
    plan = cases[:51].explain()

    assert "USING INDEX case_" in plan, plan
    assert "TEMP B-TREE" not in plan, plan  # no sort of every matching row


def test_the_case_list_is_newest_opened_first(admin_user: User) -> None:
    first, second = CaseFactory(), CaseFactory()
    Case.objects.filter(pk=second.pk).update(opened_at=first.opened_at.replace(year=2001))

    listed = list(services.find_cases(Actor.of(admin_user)))

    assert listed[:2] == [first, second]
