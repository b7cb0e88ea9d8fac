"""Reading sessions and entitlements: what a contract has, has used and may still book."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import QuerySet

from successkit.accounts.actors import Actor
from successkit.catalog.models import PACKAGE_TERM_FIELDS, SessionType
from successkit.contracts.models import Contract
from successkit.contracts.rules import DateRange, VendorContact
from successkit.core.errors import SuccessKitError
from successkit.engagements import rules
from successkit.engagements.models import (
    BillableAcceptance,
    SessionMaterial,
    TrainingPool,
    TrainingSession,
)
from successkit.healthchecks.rules import Tally
from successkit.healthchecks.services import health_check_tally, with_health_check_rows
from successkit.pricing import services as pricing


@dataclass(frozen=True)
class TrainingEntitlement:
    included_minutes: int
    reserved_minutes: int
    used_minutes: int
    remaining_minutes: int
    window: DateRange


def visible_sessions(actor: Actor) -> QuerySet[TrainingSession]:
    return actor.scope(
        TrainingSession.objects.select_related(
            "contract__organization", "contract__package", "session_type"
        ),
        "contract__organization",
    )


def pool_window(contract: Contract) -> DateRange:
    return rules.pool_window(contract.package.terms(), contract.start_date, contract.end_date)


def training_entitlement(contract: Contract, as_of: date) -> TrainingEntitlement:
    """The pool on ``as_of``: read from the running balance (one row, whatever the size of
    the ledger)."""
    included = contract.package.training_minutes
    try:
        pool: TrainingPool | None = contract.training_pool
    except TrainingPool.DoesNotExist:
        pool = None
    balance = rules.Balance(
        included=included,
        reserved=pool.reserved_minutes if pool else 0,
        used=pool.used_minutes if pool else 0,
    )
    window = pool_window(contract)
    return TrainingEntitlement(
        included_minutes=included,
        reserved_minutes=balance.reserved,
        used_minutes=balance.used,
        remaining_minutes=rules.remaining_on(balance, window, as_of),
        window=window,
    )


@dataclass(frozen=True)
class Entitlements:
    """What a contract includes, has used and has left on a day: the training pool, the
    health checks and whom the buyer contacts."""

    as_of: date
    training: TrainingEntitlement
    health_checks: Tally
    contact: VendorContact


def entitlements_columns(contracts: QuerySet[Contract]) -> QuerySet[Contract]:
    """The contract lookup of the entitlements read (``contract_for(..., "training_pool",
    extra=entitlements_columns)``): only what ``entitlements`` reads - the term, the
    representative, the buyer's time zone, the package's terms, the pool, the health
    checks - in one query. The hottest read of the API (issue 14): the names, texts and
    timestamps a page shows are neither fetched nor converted."""
    return with_health_check_rows(contracts).only(
        "start_date",
        "end_date",
        "representative_id",
        "organization__timezone",
        "package__version__id",
        *(f"package__{name}" for name in ("code", *PACKAGE_TERM_FIELDS)),
        "training_pool__contract_id",
        "training_pool__included_minutes",
        "training_pool__reserved_minutes",
        "training_pool__used_minutes",
    )


def entitlements(contract: Contract, as_of: date | None = None) -> Entitlements:
    """The contract's entitlements on ``as_of`` (default: today in the buyer's time zone)."""
    day = as_of or contract.today()
    return Entitlements(
        as_of=day,
        training=training_entitlement(contract, day),
        health_checks=health_check_tally(contract, day),
        contact=contract.vendor_contact(day),
    )


def session_for(actor: Actor, session_id: int) -> TrainingSession:
    """A session the actor may see, or ``not_found``."""
    return actor.get(visible_sessions(actor), session_id, "contract__organization")


def contract_sessions(contract: Contract) -> QuerySet[TrainingSession]:
    """A contract's sessions, in order of their start."""
    return (
        TrainingSession.objects.filter(contract=contract)
        .select_related("session_type", "contract__organization")
        .order_by("starts_at", "id")
    )


def contract_page_sessions(contract: Contract) -> QuerySet[TrainingSession]:
    """A contract's sessions for its page: each with its type's names, its staff member,
    its materials and the acceptances of its billable minutes."""
    return (
        TrainingSession.objects.filter(contract=contract)
        .select_related("session_type", "staff")
        .prefetch_related(
            "session_type__translations",
            "materials",
            "acceptances__accepted_by",
            "acceptances__on_behalf_of__user",
        )
        .order_by("starts_at")
    )


def acceptances_of(session: TrainingSession) -> QuerySet[BillableAcceptance]:
    """Every acceptance of the session's billable minutes, oldest first."""
    return session.acceptances.select_related("accepted_by__contact").order_by("at", "id")


def materials_of(session: TrainingSession) -> QuerySet[SessionMaterial]:
    """The session's presentation materials, in the order they were handed over."""
    return session.materials.order_by("added_at", "id")


def material_for(actor: Actor, material_id: int) -> SessionMaterial:
    """A material of a session the actor may see, or ``not_found``."""
    return actor.get(
        SessionMaterial.objects.select_related("session__contract"),
        material_id,
        "session__contract__organization",
    )


@dataclass(frozen=True)
class BookableType:
    """A session type this contract may still book, with its cap per meeting and the
    hourly rate that would price its billable minutes today (None: no rate in force)."""

    session_type: SessionType
    max_minutes: int | None
    hourly_rate: Decimal | None
    draws_on_pool: bool


def bookable_types(contract: Contract, as_of: date | None = None) -> list[BookableType]:
    """The session types still open to the contract: a single-use type already booked,
    held or missed is not (its content is still had as additional training, always
    offered), in catalog order."""
    day = as_of or contract.today()
    try:
        rate: Decimal | None = pricing.rate_on(contract.currency, day)
    except SuccessKitError:
        rate = None
    taken = set(
        TrainingSession.objects.filter(
            contract=contract,
            session_type__single_use=True,
            status__in=[s.value for s in rules.HOLDS_SINGLE_USE],
        ).values_list("session_type__code", flat=True)
    )
    kinds = SessionType.objects.filter(version=contract.package.version).prefetch_related(
        "translations"
    )
    return [
        BookableType(kind, kind.max_minutes, rate, kind.draws_on_pool)
        for kind in kinds.order_by("id")
        if not (kind.single_use and kind.code in taken)
    ]
