"""Contracts: validation of a sale's terms and parties, the term, and who may see what.

Selling and changing the term reach into training and health checks: the doors call
them through ``successkit.flows.contracts``, which calls this module and the others."""

from __future__ import annotations

from datetime import date

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
from successkit.core.errors import RoleNotAllowed, ValidationFailed
from successkit.core.money import clean_currency


def visible_contracts(actor: Actor) -> QuerySet[Contract]:
    return actor.scope(
        # Only what every reader needs (time zone, terms, catalog version): a lean join
        # keeps the hot entitlements read cheap; pages load the parties when they show them.
        Contract.objects.select_related("organization", "package__version")
    )


def contract_for(actor: Actor, contract_id: object, *related: str) -> Contract:
    """The contract ``actor`` may see, or ``not_found`` (``related``: more to join). The
    one lookup of every door: API, pages and command line."""
    contracts = visible_contracts(actor)
    if related:
        contracts = contracts.select_related(*related)
    return actor.get(contracts, contract_id)


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
    return contract


# --- changing the term ------------------------------------------------------------------


def check_end_date(actor: Actor, contract: Contract, end_date: date) -> None:
    """Refuse a new end date that the caller may not set or that the term cannot have."""
    actor.require_role(*ACCOUNT_ROLES)
    if not rules.term_is_valid(contract.start_date, end_date):
        raise ValidationFailed(
            _("The end date must be after the start date."), details={"field": "end_date"}
        )


def change_end_date(actor: Actor, contract: Contract, *, end_date: date) -> Contract:
    """Move the contract's end date (``flows.contracts.change_end_date`` is the door's way
    in: it locks the pool and makes sessions and health checks follow, in one transaction)."""
    check_end_date(actor, contract, end_date)
    contract = (
        Contract.objects.select_for_update()
        .select_related("organization", "package")
        .get(pk=contract.pk)
    )
    check_end_date(actor, contract, end_date)
    contract.end_date = end_date
    contract.save(update_fields=["end_date"])
    return contract
