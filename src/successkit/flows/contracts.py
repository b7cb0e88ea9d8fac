"""Selling a contract and changing its term: contracts, training and health checks move
together, in one transaction."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils.translation import ngettext_lazy

from successkit.accounts.actors import Actor
from successkit.contracts import services as contracts
from successkit.contracts.models import Contract
from successkit.core.errors import InvalidState
from successkit.engagements import services as engagements
from successkit.healthchecks import services as healthchecks


@transaction.atomic
def sell_contract(
    actor: Actor,
    *,
    organization_id: int,
    package: str,
    start_date: date,
    end_date: date,
    representative_id: int,
    buyer_contact_id: int,
    currency: str,
    platforms: list[str] | None = None,
) -> Contract:
    """A new contract with the health checks it owes."""
    contract = contracts.create_contract(
        actor,
        organization_id=organization_id,
        package=package,
        start_date=start_date,
        end_date=end_date,
        representative_id=representative_id,
        buyer_contact_id=buyer_contact_id,
        currency=currency,
        platforms=platforms,
    )
    healthchecks.sync_health_checks(contract)
    return contract


@transaction.atomic
def change_end_date(actor: Actor, contract: Contract, *, end_date: date) -> Contract:
    """Move the contract's end date. The health-check periods are worked out again; a
    change that would leave a booked session outside the term, or lose a scheduled or
    completed check (or a period that has started), is refused and nothing is written.

    The contract's training pool is locked first: bookings take the same lock and read
    the term under it, so a booking and a shortening racing each other cannot both win."""
    contracts.check_end_date(actor, contract, end_date)
    engagements.lock_pool(contract)
    outside = engagements.sessions_after(contract, end_date)
    if outside:
        raise InvalidState(
            ngettext_lazy(
                "%(count)s session on record (booked, held or missed) falls after the new "
                "end date, on %(first)s; the term cannot leave it outside.",
                "%(count)s sessions on record (booked, held or missed) fall after the new "
                "end date, the first on %(first)s; the term cannot leave them outside.",
                "count",
            ),
            details={"field": "end_date"},
            count=len(outside),
            first=min(outside),
        )
    contract = contracts.change_end_date(actor, contract, end_date=end_date)
    healthchecks.sync_health_checks(contract)
    return contract


@transaction.atomic
def change_contract(
    actor: Actor,
    contract: Contract,
    *,
    end_date: date | None = None,
    representative_id: int | None = None,
    buyer_contact_id: int | None = None,
) -> Contract:
    """PATCH: any of the term, the representative and the counterpart, all or nothing;
    each change lands in the contract's audit trail (``GET /contracts/{id}/history``)."""
    contracts.check_change(
        actor,
        end_date=end_date,
        representative_id=representative_id,
        buyer_contact_id=buyer_contact_id,
    )
    if end_date is not None:
        contract = change_end_date(actor, contract, end_date=end_date)
    if representative_id is not None:
        contract = contracts.reassign_representative(actor, contract, staff_id=representative_id)
    if buyer_contact_id is not None:
        contract = contracts.designate_counterpart(actor, contract, contact_id=buyer_contact_id)
    return contract
