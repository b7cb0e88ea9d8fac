"""API v1: contracts."""

from __future__ import annotations

from datetime import date

from django.http import HttpRequest
from ninja import Router, Schema, Status
from pydantic import Field

from successkit.accounts.actors import actor_of
from successkit.contracts import services
from successkit.contracts.models import Contract
from successkit.core.pagination import page
from successkit.core.schemas import errors, object_id
from successkit.flows import contracts as flows

router = Router(tags=["contracts"])


class ContractIn(Schema):
    organization_id: str | int
    package: str = Field(description="launch_kit, pro_lite or premium")
    start_date: date
    end_date: date
    representative_id: str | int
    buyer_contact_id: str | int
    currency: str = Field(description="ISO 4217, e.g. EUR")


class ContractChange(Schema):
    end_date: date = Field(description="The new last day of the term (after the start date)")


class ContractOut(Schema):
    id: str
    organization_id: str
    package: str
    catalog_version: int
    start_date: date
    end_date: date
    representative_id: str
    buyer_contact_id: str
    currency: str
    phase: str = Field(description="upcoming, active or ended, today in the buyer's time zone")


class ContractPage(Schema):
    items: list[ContractOut]
    next: str | None


def contract_out(contract: Contract) -> dict[str, object]:
    return {
        "id": str(contract.pk),
        "organization_id": str(contract.organization_id),
        "package": contract.package.code,
        "catalog_version": contract.package.version.number,
        "start_date": contract.start_date,
        "end_date": contract.end_date,
        "representative_id": str(contract.representative_id),
        "buyer_contact_id": str(contract.buyer_contact_id),
        "currency": contract.currency,
        "phase": contract.phase().value,
    }


@router.post("/contracts", response=errors(r201=ContractOut), summary="Sell a contract")
def create_contract(request: HttpRequest, payload: ContractIn) -> Status[dict[str, object]]:
    contract = flows.sell_contract(
        actor_of(request),
        organization_id=object_id(payload.organization_id, "organization_id"),
        package=payload.package,
        start_date=payload.start_date,
        end_date=payload.end_date,
        representative_id=object_id(payload.representative_id, "representative_id"),
        buyer_contact_id=object_id(payload.buyer_contact_id, "buyer_contact_id"),
        currency=payload.currency,
    )
    return Status(201, contract_out(contract))


@router.get("/contracts", response=errors(r200=ContractPage), summary="List visible contracts")
def list_contracts(request: HttpRequest) -> dict[str, object]:
    contracts = services.visible_contracts(actor_of(request)).order_by("id")
    return page(request, contracts, contract_out)


@router.get("/contracts/{contract_id}", response=errors(r200=ContractOut), summary="Get a contract")
def get_contract(request: HttpRequest, contract_id: str) -> dict[str, object]:
    return contract_out(services.contract_for(actor_of(request), object_id(contract_id)))


@router.patch(
    "/contracts/{contract_id}",
    response=errors(r200=ContractOut),
    summary="Change a contract's end date (health-check periods follow)",
)
def change_contract(
    request: HttpRequest, contract_id: str, payload: ContractChange
) -> dict[str, object]:
    contract = flows.change_end_date(
        actor_of(request),
        services.contract_for(actor_of(request), object_id(contract_id)),
        end_date=payload.end_date,
    )
    return contract_out(contract)
