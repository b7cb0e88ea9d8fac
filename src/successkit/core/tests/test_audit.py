"""The audit trail: who changed a contract's term, an organization, a staff role, a rate,
when, from which value to which - for API calls with bearer tokens as for pages."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client

from successkit.accounts.models import Organization, StaffRole
from successkit.accounts.roles import Role
from successkit.conftest import ApiClient
from successkit.contracts.models import Contract, training_window_of
from successkit.core import audit
from successkit.factories import ContractFactory, OrganizationFactory, StaffFactory
from successkit.pricing.models import HourlyRate

pytestmark = pytest.mark.django_db


def test_a_term_change_through_the_api_records_who_when_old_and_new(
    admin_api: ApiClient, admin_user
) -> None:
    contract = ContractFactory(start_date=date(2026, 1, 1), end_date=date(2026, 12, 31))
    response = admin_api.patch(f"contracts/{contract.pk}", {"end_date": "2027-03-31"})
    assert response.status_code == 200

    changes = audit.changes(Contract.objects.get(pk=contract.pk).history.all(), ["end_date"])
    assert [(c.action, c.old, c.new, c.user_id) for c in changes] == [
        ("created", None, date(2026, 12, 31), None),
        ("changed", date(2026, 12, 31), date(2027, 3, 31), admin_user.pk),
    ]

    trail = admin_api.get(f"audit?type=contract&object_id={contract.pk}").json()
    latest = trail["items"][0]
    assert latest["action"] == "changed"
    assert latest["actor"] == {"id": str(admin_user.pk), "name": admin_user.name, "kind": "staff"}
    assert latest["changes"] == [{"field": "end_date", "old": "2026-12-31", "new": "2027-03-31"}]
    assert trail["items"][-1]["action"] == "created"


def test_the_trail_is_for_admins_only(api_as) -> None:
    organization = OrganizationFactory()
    csm = ApiClient(StaffFactory(roles=[Role.CSM]))
    response = csm.get(f"audit?type=organization&object_id={organization.pk}")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"


def test_organization_roles_and_rates_are_audited_with_the_acting_user(admin_user) -> None:
    with audit.acting_as(admin_user):
        organization = OrganizationFactory(name="Before")
        organization.name = "After"
        organization.save()
        staff = StaffFactory(roles=[Role.CSM])
        StaffRole.objects.get(user=staff, role=Role.CSM).delete()
        HourlyRate.objects.create(currency="EUR", hourly_rate="150.00", effective_from="2026-01-01")

    names = audit.changes(Organization.objects.get(pk=organization.pk).history.all(), ["name"])
    assert [(c.old, c.new, c.user_id) for c in names] == [
        (None, "Before", admin_user.pk),
        ("Before", "After", admin_user.pk),
    ]
    role_rows = StaffRole.history.filter(user_id=staff.pk).order_by("history_id")
    assert [(r.role, r.history_type, r.history_user_id) for r in role_rows] == [
        (Role.CSM, "+", admin_user.pk),
        (Role.CSM, "-", admin_user.pk),
    ]
    assert HourlyRate.history.get().history_user_id == admin_user.pk


def test_the_back_office_shows_the_trail_and_cannot_change_it(admin_user) -> None:
    contract = ContractFactory()
    client = Client()
    client.force_login(admin_user)
    history = Contract.history.model
    listing = client.get(f"/admin/contracts/{history._meta.model_name}/")
    assert listing.status_code == 200
    row = history.objects.get(id=contract.pk)
    assert client.get(f"/admin/contracts/contract/{contract.pk}/history/").status_code == 200
    change = client.post(
        f"/admin/contracts/{history._meta.model_name}/{row.pk}/delete/", {"post": "yes"}
    )
    assert change.status_code == 403
    assert history.objects.filter(pk=row.pk).exists()


def test_rows_older_than_the_audit_trail_get_a_baseline_once() -> None:
    """``successkit audit_baseline``: every audited row without history gets one "created"
    row with its current values; a later change then shows from that value. Twice adds
    nothing."""
    from io import StringIO

    from django.core.management import call_command

    contract = ContractFactory(start_date=date(2026, 1, 1), end_date=date(2026, 12, 31))
    organization = contract.organization
    Contract.history.filter(id=contract.pk).delete()  # as before the audit trail existed
    Organization.history.filter(id=organization.pk).delete()
    kept = Organization.history.count()

    out = StringIO()
    call_command("audit_baseline", stdout=out)
    assert "contracts.Contract: 1 baseline rows" in out.getvalue()
    assert "accounts.Organization: 1 baseline rows" in out.getvalue()
    [row] = Contract.history.filter(id=contract.pk)
    assert (row.history_type, row.history_change_reason, row.end_date) == (
        "+",
        audit.BASELINE_REASON,
        date(2026, 12, 31),
    )
    assert Organization.history.count() == kept + 1

    contract.end_date = date(2027, 3, 31)
    # The stored training window end moves with the term (it is not audited).
    contract.training_window_end = training_window_of(
        contract.package, contract.start_date, contract.end_date
    ).end
    contract.save()
    changes = audit.changes(Contract.objects.get(pk=contract.pk).history.all(), ["end_date"])
    assert [(c.old, c.new) for c in changes if c.action == "changed"] == [
        (date(2026, 12, 31), date(2027, 3, 31))
    ]
    assert audit.baseline() == dict.fromkeys(audit.baseline(), 0)
