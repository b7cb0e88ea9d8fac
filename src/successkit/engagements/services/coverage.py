"""How a session's minutes are covered by the pool or billed, priced at the day's rate,
and accepted by the buyer."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from successkit.accounts.actors import Actor
from successkit.accounts.models import Contact
from successkit.catalog.models import SessionType
from successkit.contracts.models import Contract
from successkit.core.compiled import CompiledInsert
from successkit.core.errors import ValidationFailed
from successkit.engagements import rules
from successkit.engagements.errors import (
    BillableNotAccepted,
)
from successkit.engagements.models import (
    BillableAcceptance,
    TrainingPool,
    TrainingSession,
)
from successkit.engagements.rules import Coverage
from successkit.engagements.services.reading import pool_window
from successkit.pricing import services as pricing
from successkit.pricing.rules import Quote


def pool_coverage(
    contract: Contract,
    pool: TrainingPool,
    kind: SessionType,
    day: date,
    minutes: int,
    *,
    own_reservation: int,
) -> Coverage:
    balance = pool.balance(contract.package.training_minutes)
    return rules.split_coverage(
        minutes,
        session_type=kind.terms(),
        day=day,
        window=pool_window(contract),
        available=balance.available + own_reservation,
    )


def priced(
    contract: Contract,
    coverage: Coverage,
    day: date,
    *,
    accepted_before: int,
    accept_now: bool,
    at_delivery: bool = False,
) -> Quote | None:
    """The price of the billable minutes (an estimate when booking, fixed ``at_delivery``),
    refusing when there is no rate or nobody accepted them."""
    if coverage.billable == 0:
        return None
    fix = pricing.price_at_delivery if at_delivery else pricing.price
    quote = fix(coverage.billable, contract.currency, day)
    if rules.billable_needs_acceptance(
        coverage.billable, accepted_before=accepted_before, accept_now=accept_now
    ):
        raise BillableNotAccepted(
            _(
                "%(billable)s of these minutes are billable at %(rate)s %(currency)s an hour "
                "(%(amount)s %(currency)s); repeat with accept_billable to accept."
            ),
            details={"quote": _quote_body(coverage, quote)},
            billable=coverage.billable,
            rate=quote.hourly_rate,
            amount=quote.amount,
            currency=quote.currency,
        )
    return quote


def _quote_body(coverage: Coverage, quote: Quote) -> dict[str, object]:
    return {
        "covered_minutes": coverage.covered,
        "billable_minutes": coverage.billable,
        "hourly_rate": f"{quote.hourly_rate:.2f}",
        "amount": f"{quote.amount:.2f}",
        "currency": quote.currency,
        "priced_on": quote.priced_on.isoformat(),
    }


def coverage_fields(coverage: Coverage, quote: Quote | None) -> dict[str, object]:
    return {
        "covered_minutes": coverage.covered,
        "billable_minutes": coverage.billable,
        "accepted_billable_minutes": coverage.billable,
        "hourly_rate": quote.hourly_rate if quote else None,
        "billable_amount": quote.amount if quote else Decimal("0.00"),
    }


def apply_coverage(session: TrainingSession, coverage: Coverage, quote: Quote | None) -> None:
    session.covered_minutes = coverage.covered
    session.billable_minutes = coverage.billable
    session.accepted_billable_minutes = max(session.accepted_billable_minutes, coverage.billable)
    session.hourly_rate = quote.hourly_rate if quote else None
    session.billable_amount = quote.amount if quote else Decimal("0.00")


def agreeing_contact(actor: Actor, contract: Contract, contact_id: int | None) -> Contact | None:
    """The buyer contact named as having agreed to billable minutes (vendor staff accepting
    on the buyer's behalf): a contact of the contract's organization."""
    if contact_id is None:
        return None
    contact = Contact.objects.filter(pk=contact_id, organization=contract.organization_id).first()
    if contact is None or (actor.is_contact and contact.user_id != actor.user.pk):
        raise ValidationFailed(
            _("on_behalf_of_contact_id must name a contact of the buyer's organization."),
            details={"field": "on_behalf_of_contact_id"},
        )
    return contact


def record_acceptance(
    session: TrainingSession,
    actor: Actor,
    agreed_by: Contact | None,
    coverage: Coverage,
    quote: Quote | None,
    *,
    accepted_before: int,
) -> None:
    """Record an acceptance whenever this operation billed more minutes than were accepted
    before (``priced`` has refused the operation if nobody accepted them)."""
    if quote is None or coverage.billable <= accepted_before:
        return
    _INSERT_ACCEPTANCE.insert(
        BillableAcceptance(
            session=session,
            accepted_by=actor.user,
            on_behalf_of=agreed_by if actor.is_staff else None,
            minutes=coverage.billable,
            hourly_rate=quote.hourly_rate,
            amount=quote.amount,
            currency=quote.currency,
        )
    )


_INSERT_ACCEPTANCE: CompiledInsert[BillableAcceptance] = CompiledInsert(BillableAcceptance)
