"""API v1: contracts."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Status

from successkit.accounts.actors import actor_of
from successkit.contracts import services
from successkit.contracts.models import Contract
from successkit.contracts.schemas import (
    ContractChangeOut,
    ContractHistoryPage,
    ContractIn,
    ContractOut,
    ContractPage,
    ContractPatch,
)
from successkit.core import audit
from successkit.core.pagination import Page, page
from successkit.core.schemas import (
    FORBIDDEN,
    errors,
    object_id,
    person_out,
)
from successkit.flows import contracts as flows

router = Router(tags=["contracts"])


def contract_out(contract: Contract) -> ContractOut:
    return ContractOut.model_construct(
        id=str(contract.pk),
        organization_id=str(contract.organization_id),
        package=contract.package.code,
        catalog_version=contract.package.version.number,
        start_date=contract.start_date,
        end_date=contract.end_date,
        representative_id=str(contract.representative_id),
        buyer_contact_id=str(contract.buyer_contact_id),
        currency=contract.currency,
        platforms=list(contract.platforms),
        phase=contract.phase().value,
    )


def change_out(change: audit.Change) -> ContractChangeOut:
    user = change.record.history_user
    return ContractChangeOut.model_construct(
        at=change.at,
        actor=person_out(user) if user is not None else None,
        field=change.field,
        old=audit.shown(change.old),
        new=audit.shown(change.new),
    )


@router.post(
    "/contracts",
    **errors(FORBIDDEN, "422 role_not_allowed", r201=ContractOut),
    summary="Sell a contract",
)
def create_contract(request: HttpRequest, payload: ContractIn) -> Status[ContractOut]:
    contract = flows.sell_contract(
        actor_of(request),
        organization_id=object_id(payload.organization_id, "organization_id"),
        package=payload.package,
        start_date=payload.start_date,
        end_date=payload.end_date,
        representative_id=object_id(payload.representative_id, "representative_id"),
        buyer_contact_id=object_id(payload.buyer_contact_id, "buyer_contact_id"),
        currency=payload.currency,
        platforms=payload.platforms,
    )
    return Status(201, contract_out(contract))


@router.get("/contracts", **errors(r200=ContractPage), summary="List visible contracts")
def list_contracts(request: HttpRequest) -> Page[ContractOut]:
    return page(request, services.contract_list(actor_of(request)), contract_out)


@router.get("/contracts/{contract_id}", **errors(r200=ContractOut), summary="Get a contract")
def get_contract(request: HttpRequest, contract_id: str) -> ContractOut:
    return contract_out(services.contract_for(actor_of(request), object_id(contract_id)))


@router.patch(
    "/contracts/{contract_id}",
    **errors(
        FORBIDDEN,
        "409 invalid_state",
        "409 health_check_would_be_lost",
        "422 role_not_allowed",
        r200=ContractOut,
    ),
    summary="Change a contract's end date, representative or buyer counterpart",
)
def change_contract(request: HttpRequest, contract_id: str, payload: ContractPatch) -> ContractOut:
    actor = actor_of(request)
    contract = flows.change_contract(
        actor,
        services.contract_for(actor, object_id(contract_id)),
        end_date=payload.end_date,
        representative_id=(
            None
            if payload.representative_id is None
            else object_id(payload.representative_id, "representative_id")
        ),
        buyer_contact_id=(
            None
            if payload.buyer_contact_id is None
            else object_id(payload.buyer_contact_id, "buyer_contact_id")
        ),
    )
    return contract_out(contract)


@router.get(
    "/contracts/{contract_id}/history",
    **errors(r200=ContractHistoryPage),
    summary="Every change of the contract's term, representative and counterpart",
)
def contract_history(request: HttpRequest, contract_id: str) -> Page[ContractChangeOut]:
    actor = actor_of(request)
    contract = services.contract_for(actor, object_id(contract_id))
    return page(request, services.contract_history(contract), change_out)
