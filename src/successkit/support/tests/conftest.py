from __future__ import annotations

from dataclasses import dataclass

import pytest

from successkit.conftest import ApiClient
from successkit.contracts.models import Contract
from successkit.factories import ContactFactory, ContractFactory
from successkit.support.models import Case, CaseEvent, ExchangeLine, Message, Order, OrderLine


@dataclass
class Parties:
    contract: Contract
    rep: ApiClient
    buyer: ApiClient
    outsider: ApiClient


@pytest.fixture
def parties(db: None) -> Parties:
    """A Pro Lite contract in Madrid, its representative, its buyer contact and a contact
    of another organization."""
    contract = ContractFactory(organization__timezone="Europe/Madrid")
    return Parties(
        contract=contract,
        rep=ApiClient(contract.representative),
        buyer=ApiClient(contract.buyer_contact.user),
        outsider=ApiClient(ContactFactory().user),
    )


def counts() -> dict[str, int]:
    """Rows of every support table: a refused call must leave them all unchanged."""
    return {
        model.__name__: model.objects.count()
        for model in (Order, OrderLine, Case, ExchangeLine, Message, CaseEvent)
    }
