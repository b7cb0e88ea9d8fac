"""The back office: every model has an admin page that staff can open, in English and
Spanish, and the staff roles give non-admin staff what their role needs."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import reverse

from successkit.accounts.roles import Role
from successkit.demo import build_demo
from successkit.factories import PASSWORD, StaffFactory

pytestmark = pytest.mark.django_db

APPS = {
    "core",
    "accounts",
    "catalog",
    "contracts",
    "engagements",
    "healthchecks",
    "support",
    "billing",
}
OURS = [model for model in admin.site._registry if model._meta.app_label in APPS]


def signed_in(user) -> Client:
    client = Client()
    assert client.login(username=user.email, password=PASSWORD)
    return client


def test_every_successkit_model_is_in_the_admin_on_its_own_or_inline() -> None:
    from django.apps import apps

    ours = {m for m in apps.get_models() if m._meta.app_label in APPS}
    shown = set(admin.site._registry)
    for model_admin in admin.site._registry.values():
        shown |= {inline.model for inline in model_admin.inlines}
    assert {m.__name__ for m in ours - shown} == set()


@pytest.mark.parametrize("language", ["en", "es"])
def test_an_admin_opens_every_changelist_and_change_page(language: str) -> None:
    build_demo()
    user = StaffFactory(roles=[Role.ADMIN], language=language)
    client = signed_in(user)
    for model in OURS:
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        response = client.get(url)
        assert response.status_code == 200, url
        first = model._default_manager.first()
        if first is not None:
            change = reverse(
                f"admin:{model._meta.app_label}_{model._meta.model_name}_change", args=[first.pk]
            )
            assert client.get(change).status_code == 200, change
    index = client.get("/admin/").content.decode()
    expected = {"en": "Site administration", "es": "Sitio administrativo"}[language]
    assert expected in index
    assert {"en": "Training sessions", "es": "Sesiones de formación"}[language] in index


def test_a_csm_views_contracts_but_cannot_touch_the_rate_card() -> None:
    client = signed_in(StaffFactory(roles=[Role.CSM]))
    assert client.get("/admin/contracts/contract/").status_code == 200
    assert client.get("/admin/billing/hourlyrate/").status_code == 200
    assert client.get("/admin/billing/hourlyrate/add/").status_code == 403
    finance = signed_in(StaffFactory(roles=[Role.FINANCE]))
    assert finance.get("/admin/billing/hourlyrate/add/").status_code == 200


def test_roles_written_in_bulk_give_their_admin_permissions_at_once() -> None:
    """A role row written without signals (bulk_create, a restore) is effective: the
    permissions come from the roles, not from a copy kept elsewhere."""
    from successkit.accounts.models import StaffRole

    engineer = StaffFactory(roles=[])
    finance = StaffFactory(roles=[])
    StaffRole.objects.bulk_create(
        [
            StaffRole(user=engineer, role=Role.CS_ENGINEER),
            StaffRole(user=finance, role=Role.FINANCE),
        ]
    )
    engineer_client, finance_client = signed_in(engineer), signed_in(finance)
    assert engineer_client.get("/admin/support/case/").status_code == 200
    assert engineer_client.get("/admin/billing/hourlyrate/add/").status_code == 403
    assert finance_client.get("/admin/billing/hourlyrate/add/").status_code == 200
    assert finance_client.get("/admin/support/case/add/").status_code == 403


def test_staff_without_a_role_see_nothing_in_the_back_office() -> None:
    client = signed_in(StaffFactory(roles=[]))
    assert client.get("/admin/contracts/contract/").status_code == 403


def test_the_back_office_never_writes_around_the_services() -> None:
    """Models whose rows carry rules are read-only in the admin: materials are added on
    the contract page (add_material checks the session type, the link and the size)."""
    client = signed_in(StaffFactory(roles=[Role.ADMIN]))
    for path in (
        "/admin/engagements/sessionmaterial/add/",
        "/admin/engagements/trainingsession/add/",
        "/admin/support/order/add/",
        "/admin/billing/statement/add/",
    ):
        assert client.get(path).status_code == 403, path
