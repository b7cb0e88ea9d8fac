"""factory_boy factories for tests: real rows built through the real models."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import factory

from successkit.accounts.models import Contact, Organization, StaffRole, User
from successkit.accounts.roles import Role
from successkit.catalog.models import Package
from successkit.contracts.models import Contract, training_window_of

PASSWORD = "correct-horse-battery"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.test")
    name = factory.Faker("name")
    language = "en"
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @classmethod
    def _after_postgeneration(cls, instance: User, create: bool, results: Any = None) -> None:
        if create:
            instance.save()


class StaffFactory(UserFactory):
    is_staff = True

    @factory.post_generation
    def roles(self, create: bool, extracted: list[str] | None, **kwargs: Any) -> None:
        if not create:
            return
        for role in extracted if extracted is not None else [Role.CSM]:
            StaffRole.objects.create(user=self, role=role)  # type: ignore[misc]


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"Buyer {n}")
    country = "ES"
    timezone = "Europe/Madrid"
    language = "es"


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    organization = factory.SubFactory(OrganizationFactory)
    user = factory.SubFactory(
        UserFactory, language=factory.SelfAttribute("..organization.language")
    )


def package(code: str = "pro_lite") -> Package:
    """The package ``code`` of the newest published catalog version."""
    return Package.objects.filter(code=code, version__published_at__isnull=False).latest(
        "version__number"
    )


class ContractFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contract
        skip_postgeneration_save = True

    class Params:
        package_code = "pro_lite"

    organization = factory.SubFactory(OrganizationFactory)
    package = factory.LazyAttribute(lambda o: package(o.package_code))
    start_date = factory.LazyFunction(lambda: date.today() - timedelta(days=10))
    end_date = factory.LazyAttribute(lambda o: o.start_date + timedelta(days=364))
    representative = factory.LazyAttribute(lambda o: StaffFactory(roles=[o.package.contact_role]))
    buyer_contact = factory.SubFactory(
        ContactFactory, organization=factory.SelfAttribute("..organization")
    )
    currency = "EUR"
    # What ``contracts.services.create_contract`` stores.
    training_window_end = factory.LazyAttribute(
        lambda o: training_window_of(o.package, o.start_date, o.end_date).end
    )

    @factory.post_generation
    def health_checks(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        # What ``flows.contracts.sell_contract`` does for a real sale
        # (``health_checks=False``: a contract sold before health checks existed).
        if create and extracted is not False:
            from successkit.healthchecks.services import sync_health_checks

            sync_health_checks(self)  # type: ignore[arg-type]
