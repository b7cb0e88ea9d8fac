"""A world every API operation can be called in: the demo (three contracts, sessions in
every state, health checks), plus an order, a case, a statement, a material and a webhook
on the Northwind Pro Lite contract, whose buyer contact (Chris) is one of the callers.

``path_ids`` fills an operation's path with ids of objects the caller may see, so a call
reaches the route's own checks instead of stopping at ``404``."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from successkit import demo
from successkit.accounts.models import ApiToken, User
from successkit.accounts.roles import Role
from successkit.conftest import ApiClient
from successkit.contracts.models import Contract
from successkit.engagements.models import TrainingSession

PARAMETER = re.compile(r"\{(\w+)\}")


@dataclass
class World:
    admin: User
    buyer: User
    staff: dict[str, User]
    contract: Contract
    ids: dict[str, str] = field(default_factory=dict)

    def callers(self) -> dict[str, User]:
        """The admin, the buyer contact and one staff member of each other role."""
        return {"admin": self.admin, "buyer": self.buyer, **self.staff}

    def path_ids(self, user: User) -> dict[str, str]:
        token = ApiToken.objects.filter(user=user).order_by("-pk").first()
        own = {"token_id": str(token.pk) if token else "1"}
        if user.is_staff:
            own["staff_id"] = str(user.pk)
        return {**self.ids, **own}

    def url(self, path: str, user: User) -> str:
        ids = self.path_ids(user)
        return PARAMETER.sub(lambda match: ids[match.group(1)], path)


def build_world(settings: Any) -> World:
    settings.SUCCESSKIT_WEBHOOKS_ALLOW_PRIVATE = True
    built = demo.build_demo()
    contract = built.contracts[1]  # Northwind, Pro Lite, seven months in
    buyer = contract.buyer_contact.user
    admin = ApiClient(built.admin)
    session = (
        TrainingSession.objects.filter(contract=contract, session_type__code="kickoff")
        .order_by("pk")
        .first()
    )
    assert session is not None
    implementation = contract.start_date + timedelta(days=60)
    booked = admin.post(
        f"contracts/{contract.pk}/sessions",
        {
            "type": "implementation",
            "starts_at": f"{implementation.isoformat()}T10:00:00-05:00",
            "duration_minutes": 30,
            "accept_billable": True,
        },
    )
    assert booked.status_code == 201, booked.json()
    material = admin.post(
        f"sessions/{booked.json()['id']}/materials",
        {"title": "Sizing guide", "url": "https://example.com/sizing.pdf"},
    )
    assert material.status_code == 201, material.json()
    received = contract.today() - timedelta(days=3)
    order = admin.post(
        f"contracts/{contract.pk}/orders",
        {
            "reference": "PO-WORLD",
            "received_on": received.isoformat(),
            "items": [{"sku": "RING4-SILVER", "size": 9, "quantity": 5}],
        },
    )
    assert order.status_code == 201, order.json()
    case = admin.post(
        f"contracts/{contract.pk}/cases", {"type": "product_question", "subject": "Sizing kits"}
    )
    assert case.status_code == 201, case.json()
    statement = admin.post(
        f"contracts/{contract.pk}/statements",
        {
            "period_start": contract.start_date.isoformat(),
            "period_end": contract.today().isoformat(),
        },
    )
    assert statement.status_code == 201, statement.json()
    webhook = admin.post(
        "webhooks", {"url": "http://127.0.0.1:9/hook", "events": ["session.booked"]}
    )
    assert webhook.status_code == 201, webhook.json()
    check = contract.health_checks.order_by("period_index").first()
    assert check is not None
    staff = {role: user for role, user in built.staff.items() if role != Role.ADMIN}
    return World(
        admin=built.admin,
        buyer=buyer,
        staff=staff,
        contract=contract,
        ids={
            "contract_id": str(contract.pk),
            "organization_id": str(contract.organization_id),
            "session_id": booked.json()["id"],
            "material_id": material.json()["id"],
            "order_id": order.json()["id"],
            "case_id": case.json()["id"],
            "statement_id": statement.json()["id"],
            "webhook_id": webhook.json()["id"],
            "check_id": str(check.pk),
            "staff_id": str(contract.representative_id),
        },
    )
