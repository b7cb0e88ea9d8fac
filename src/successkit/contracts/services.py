"""Selling a contract: validation of its terms and parties."""

from __future__ import annotations

from datetime import date
from functools import cache

from babel.numbers import list_currencies
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from successkit.accounts.actors import Actor
from successkit.accounts.models import Contact, Organization, User
from successkit.accounts.roles import ACCOUNT_ROLES
from successkit.catalog.models import Package
from successkit.catalog.services import package_for_sale
from successkit.contracts import rules
from successkit.contracts.models import Contract
from successkit.core.errors import InvalidState, RoleNotAllowed, ValidationFailed
from successkit.engagements.models import TrainingSession
from successkit.engagements.rules import SessionStatus
from successkit.healthchecks.services import sync_health_checks


@cache
def _currencies() -> frozenset[str]:
    return frozenset(list_currencies())


def clean_currency(value: str) -> str:
    code = value.strip().upper()
    if code not in _currencies():
        raise ValidationFailed(
            _("%(value)s is not an ISO 4217 currency code."),
            details={"field": "currency"},
            value=value,
        )
    return code


def visible_contracts(actor: Actor) -> QuerySet[Contract]:
    return actor.scope(
        # Only what every reader needs (time zone, terms, catalog version): a lean join
        # keeps the hot entitlements read cheap; pages load the parties when they show them.
        Contract.objects.select_related("organization", "package__version")
    )


def check_sale(
    package: Package,
    start_date: date,
    end_date: date,
    representative: User,
    organization: Organization,
    contact: Contact | None,
) -> None:
    """Refuse a sale whose terms or parties break the rules (used by every door in)."""
    if not rules.term_is_valid(start_date, end_date):
        raise ValidationFailed(
            _("The end date must be after the start date."), details={"field": "end_date"}
        )
    if package.contact_role not in representative.role_codes:
        raise RoleNotAllowed(
            _("The representative of a %(package)s contract must hold the role %(role)s."),
            details={"field": "representative_id"},
            package=package.code,
            role=package.contact_role,
        )
    if contact is None or contact.organization_id != organization.pk:
        raise ValidationFailed(
            _("The buyer contact must belong to the contract's organization."),
            details={"field": "buyer_contact_id"},
        )


@transaction.atomic
def create_contract(
    actor: Actor,
    *,
    organization_id: int,
    package: str,
    start_date: date,
    end_date: date,
    representative_id: int,
    buyer_contact_id: int,
    currency: str,
) -> Contract:
    actor.require_role(*ACCOUNT_ROLES)
    organization = Organization.objects.filter(pk=organization_id).first()
    if organization is None:
        raise ValidationFailed(
            _("Organization %(id)s does not exist."),
            details={"field": "organization_id"},
            id=organization_id,
        )
    sold = package_for_sale(package)
    representative = User.objects.filter(
        pk=representative_id, is_staff=True, is_active=True
    ).first()
    if representative is None:
        raise ValidationFailed(
            _("Staff member %(id)s does not exist."),
            details={"field": "representative_id"},
            id=representative_id,
        )
    contact = Contact.objects.filter(pk=buyer_contact_id).first()
    check_sale(sold, start_date, end_date, representative, organization, contact)
    assert contact is not None
    contract = Contract.objects.create(
        organization=organization,
        package=sold,
        start_date=start_date,
        end_date=end_date,
        representative=representative,
        buyer_contact=contact,
        currency=clean_currency(currency),
    )
    sync_health_checks(contract)
    return contract


# --- changing the term (health checks follow it) ------------------------------------------


@transaction.atomic
def change_end_date(actor: Actor, contract: Contract, *, end_date: date) -> Contract:
    """Move the contract's end date. The health-check periods are worked out again; a
    change that would lose a scheduled or completed check, or a period that has already
    started, is refused and nothing is written."""
    actor.require_role(*ACCOUNT_ROLES)
    contract = (
        Contract.objects.select_for_update()
        .select_related("organization", "package")
        .get(pk=contract.pk)
    )
    if not rules.term_is_valid(contract.start_date, end_date):
        raise ValidationFailed(
            _("The end date must be after the start date."), details={"field": "end_date"}
        )
    late = [
        session
        for session in TrainingSession.objects.filter(
            contract=contract, status=SessionStatus.BOOKED
        )
        if rules.local_date(session.starts_at, contract.organization.timezone) > end_date
    ]
    if late:
        raise InvalidState(
            _("%(count)s booked sessions fall after the new end date; move or cancel them first."),
            count=len(late),
        )
    contract.end_date = end_date
    contract.save(update_fields=["end_date"])
    sync_health_checks(contract)
    return contract
