"""Factories for support rows: orders with lines, cases as the services open them."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import factory

from successkit.factories import ContractFactory
from successkit.support.models import Case, Order, OrderLine


class OrderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Order
        skip_postgeneration_save = True

    contract = factory.SubFactory(ContractFactory)
    reference = factory.Sequence(lambda n: f"SO-{n:05d}")
    placed_on = factory.LazyAttribute(lambda o: o.contract.today() - timedelta(days=20))
    shipped_on = factory.LazyAttribute(lambda o: o.placed_on + timedelta(days=2))
    received_on = factory.LazyAttribute(lambda o: o.placed_on + timedelta(days=5))

    @factory.post_generation
    def lines(self, create: bool, extracted: list[dict[str, Any]] | None, **kwargs: Any) -> None:
        if not create:
            return
        for line in extracted if extracted is not None else [{}]:
            OrderLineFactory(order=self, **line)


class OrderLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrderLine

    order = factory.SubFactory(OrderFactory)
    sku = "OURA-GEN4-SILVER"
    size = "9"
    colour = "silver"
    quantity = 2


class CaseFactory(factory.django.DjangoModelFactory):
    """A case row as it stands after ``open_case`` (for tests that start later)."""

    class Meta:
        model = Case

    contract = factory.SubFactory(ContractFactory)
    type = "product_question"
    queue = "customer_success"
    status = "open"
    subject = factory.Sequence(lambda n: f"Question {n}")
    opened_by = factory.LazyAttribute(lambda o: o.contract.buyer_contact.user)
