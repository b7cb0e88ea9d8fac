"""Contracts: validation of a sale's terms and parties, the term, and who may see what.

Selling and changing the term reach into training and health checks: the doors call
them through ``successkit.flows.contracts``, which calls this module and the others."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cache, cached_property
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Case, DateField, DateTimeField, QuerySet, Value, When
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from successkit.accounts.actors import Actor
from successkit.accounts.models import Contact, Organization, User
from successkit.accounts.roles import Duty, Role
from successkit.accounts.services import active_staff
from successkit.catalog.models import Package
from successkit.catalog.services import localized, package_for_sale
from successkit.contracts import rules
from successkit.contracts.errors import RoleNotAllowed
from successkit.contracts.models import Contract, platform_labels, training_window_of
from successkit.core import audit
from successkit.core.compiled import CompiledQuery
from successkit.core.errors import NotFound, PermissionDenied, ValidationFailed
from successkit.core.money import clean_currency


@dataclass(frozen=True)
class Calendar:
    """ "Today" in every organization's time zone, as SQL: each zone's date is one of three
    days, so a contract's today is a CASE over a handful of zones (one query finds them),
    whatever the size of the portfolio. ``path`` leads from the rows queried to the
    organization ("" for contracts, "contract__" for their checks, cases, sessions)."""

    now: datetime
    zones: tuple[str, ...]

    @classmethod
    def current(cls) -> Calendar:
        zones = Organization.objects.order_by().values_list("timezone", flat=True).distinct()
        return cls(timezone.now(), tuple(sorted(set(zones))))

    @cached_property
    def _todays(self) -> dict[str, date]:
        # Each zone's today worked out once (a page asks for it a hundred times or more).
        return {zone: rules.local_date(self.now, zone) for zone in self.zones}

    def today_in(self, zone: str) -> date:
        today = self._todays.get(zone)
        return rules.local_date(self.now, zone) if today is None else today

    def day(self, offset: int = 0, path: str = "") -> Case | Value:
        """The buyer's today (in its organization's zone) plus ``offset`` days."""
        by_day: dict[date, list[str]] = {}
        for zone in self.zones:
            by_day.setdefault(self.today_in(zone) + timedelta(days=offset), []).append(zone)
        days = sorted(by_day)
        if len(days) <= 1:
            return Value(days[0] if days else self.now.date(), output_field=DateField())
        field = f"{path}organization__timezone__in"
        return Case(
            *[When(**{field: by_day[day]}, then=Value(day)) for day in days[:-1]],
            default=Value(days[-1]),
            output_field=DateField(),
        )

    def latest_day(self, offset: int = 0) -> date:
        """The latest of the buyers' todays plus ``offset`` days: no contract's ``day``
        passes it. A plain bound an index can read before the exact test per zone."""
        days = [self.today_in(zone) for zone in self.zones] or [self.now.date()]
        return max(days) + timedelta(days=offset)

    def earliest_day(self, offset: int = 0) -> date:
        """The earliest of the buyers' todays plus ``offset`` days (see ``latest_day``)."""
        days = [self.today_in(zone) for zone in self.zones] or [self.now.date()]
        return min(days) + timedelta(days=offset)

    def latest_midnight(self, offset: int) -> datetime:
        """The latest instant ``midnight(offset)`` gives any contract (see ``latest_day``)."""
        return max(
            (
                datetime.combine(
                    self.today_in(zone) + timedelta(days=offset), time.min, ZoneInfo(zone)
                )
                for zone in self.zones
            ),
            default=self.now,
        )

    def midnight(self, offset: int, path: str = "") -> Case | Value:
        """The instant the buyer's today plus ``offset`` days begins, in its zone."""
        field = f"{path}organization__timezone"
        whens = [
            When(
                **{field: zone},
                then=Value(
                    datetime.combine(
                        self.today_in(zone) + timedelta(days=offset), time.min, ZoneInfo(zone)
                    )
                ),
            )
            for zone in self.zones
        ]
        if not whens:
            return Value(self.now, output_field=DateTimeField())
        return Case(*whens, default=Value(self.now), output_field=DateTimeField())


def visible_contracts(actor: Actor) -> QuerySet[Contract]:
    return actor.scope(
        # Only what every reader needs (time zone, terms, catalog version): a lean join
        # keeps the hot entitlements read cheap; pages load the parties when they show them.
        Contract.objects.select_related("organization", "package__version")
    )


def contract_list(actor: Actor) -> QuerySet[Contract]:
    """The contracts ``actor`` may see, in the API's stable order (oldest first)."""
    return visible_contracts(actor).order_by("id")


# A queryset's extra columns for one reader (a module-level function, so that the lookup
# compiled with it is kept): e.g. the health-check rows of the entitlements read.
Extra = Callable[[QuerySet[Contract]], QuerySet[Contract]]


@cache
def _compiled_lookup(
    related: tuple[str, ...], scoped: bool, extra: Extra | None = None
) -> CompiledQuery[Contract]:
    """``contract_for``'s query, compiled once per shape (every contract call runs it)."""

    def build(pk: int, organization_id: int = 0) -> QuerySet[Contract]:
        contracts = Contract.objects.select_related("organization", "package__version")
        # One row by its key: no ORDER BY (the model's default ordering would sort it).
        contracts = contracts.select_related(*related).filter(pk=pk).order_by()
        if extra is not None:
            contracts = extra(contracts)
        return contracts.filter(organization_id=organization_id) if scoped else contracts

    return CompiledQuery(build, 2 if scoped else 1)


def contract_for(
    actor: Actor, contract_id: object, *related: str, extra: Extra | None = None
) -> Contract:
    """The contract ``actor`` may see, or ``not_found`` (``related``: more to join;
    ``extra``: more columns, in the same query). The one lookup of every door: API, pages
    and command line."""
    if (
        type(contract_id) is int
        and 0 < contract_id < 2**63
        and (actor.is_staff or actor.is_contact)
    ):
        if actor.is_staff:
            found = _compiled_lookup(related, False, extra).run(contract_id)
        else:
            found = _compiled_lookup(related, True, extra).run(
                contract_id, actor.organization_id or 0
            )
        if not found:
            raise NotFound()
        return found[0]
    contracts = visible_contracts(actor)
    if related:
        contracts = contracts.select_related(*related)
    if extra is not None:
        contracts = extra(contracts)
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
    check_representative(package, representative)
    if contact is None or contact.organization_id != organization.pk:
        raise ValidationFailed(
            _("The buyer contact must belong to the contract's organization."),
            details={"field": "buyer_contact_id"},
        )


def check_representative(package: Package, representative: User) -> None:
    if package.contact_role not in representative.role_codes:
        raise RoleNotAllowed(
            _("The representative of a %(package)s contract must hold the role “%(role)s”."),
            details={"field": "representative_id"},
            package=localized(package, translation.get_language() or "en").name,
            role=Role(package.contact_role).label,
        )


def clean_platforms(package: Package, platforms: list[str] | None) -> list[str]:
    """The platforms the buyer bought: some of those the catalog trains on (both when
    none is named), sorted codes."""
    if platforms is None:
        return rules.default_platforms()
    offered = set()
    for kind in package.version.session_types.all():
        offered.update(kind.platforms)
    wanted = set(platforms)
    if not wanted or wanted - offered:
        raise ValidationFailed(
            _("platforms must be one or more of: %(platforms)s."),
            details={"field": "platforms"},
            platforms=platform_labels(offered),
        )
    return sorted(wanted)


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
    platforms: list[str] | None = None,
) -> Contract:
    actor.require(Duty.RUN_ACCOUNTS)
    organization = Organization.objects.filter(pk=organization_id).first()
    if organization is None:
        raise ValidationFailed(
            _("Organization %(id)s does not exist."),
            details={"field": "organization_id"},
            id=organization_id,
        )
    sold = package_for_sale(package)
    representative = active_staff().filter(pk=representative_id).first()
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
        platforms=clean_platforms(sold, platforms),
        training_window_end=training_window_of(sold, start_date, end_date).end,
    )
    return contract


# --- changing the term and the parties (every change in the audit trail) -------------------


def check_end_date(actor: Actor, contract: Contract, end_date: date) -> None:
    """Refuse a new end date that the caller may not set or that the term cannot have:
    on or before the start, or before today in the buyer's time zone (SPEC.md §2)."""
    actor.require(Duty.RUN_ACCOUNTS)
    refusal = rules.term_change_refusal(contract.start_date, end_date, contract.today())
    if refusal is rules.TermChangeRefusal.NOT_AFTER_START:
        raise ValidationFailed(
            _("The end date must be after the start date."), details={"field": "end_date"}
        )
    if refusal is rules.TermChangeRefusal.BEFORE_TODAY:
        raise ValidationFailed(
            _("The end date cannot be before today (%(today)s in the buyer's time zone)."),
            details={"field": "end_date"},
            today=contract.today(),
        )


def _locked(contract: Contract) -> Contract:
    return (
        Contract.objects.select_for_update()
        .select_related("organization", "package__version", "representative", "buyer_contact")
        .get(pk=contract.pk)
    )


def change_end_date(actor: Actor, contract: Contract, *, end_date: date) -> Contract:
    """Move the contract's end date (``flows.contracts.change_end_date`` is the door's way
    in: it locks the pool and makes sessions and health checks follow, in one transaction)."""
    check_end_date(actor, contract, end_date)
    contract = _locked(contract)
    check_end_date(actor, contract, end_date)
    if contract.end_date != end_date:
        contract.end_date = end_date
        contract.training_window_end = contract.training_window().end
        with audit.acting_as(actor.user):  # the history names who changed it (core/audit.py)
            contract.save(update_fields=["end_date", "training_window_end"])
    return contract


@transaction.atomic
def reassign_representative(actor: Actor, contract: Contract, *, staff_id: int) -> Contract:
    """An admin gives the contract another representative holding the package's contact
    role (a CSM leaves, a book of business moves)."""
    actor.require(Duty.ADMINISTER)
    contract = _locked(contract)
    staff = active_staff().filter(pk=staff_id).first()
    if staff is None:
        raise ValidationFailed(
            _("Staff member %(id)s does not exist."),
            details={"field": "representative_id"},
            id=staff_id,
        )
    check_representative(contract.package, staff)
    if contract.representative_id != staff.pk:
        contract.representative = staff
        with audit.acting_as(actor.user):
            contract.save(update_fields=["representative"])
    return contract


@transaction.atomic
def designate_counterpart(actor: Actor, contract: Contract, *, contact_id: int) -> Contract:
    """The buyer (one of its contacts, or account staff for it) designates its counterpart
    among the organization's own contacts."""
    if not (actor.is_contact and actor.organization_id == contract.organization_id):
        actor.require(Duty.RUN_ACCOUNTS)
    contract = _locked(contract)
    contact = Contact.objects.filter(pk=contact_id, organization=contract.organization_id).first()
    if contact is None:
        raise ValidationFailed(
            _("The buyer's counterpart must be one of the organization's contacts."),
            details={"field": "buyer_contact_id"},
        )
    if contract.buyer_contact_id != contact.pk:
        contract.buyer_contact = contact
        with audit.acting_as(actor.user):
            contract.save(update_fields=["buyer_contact"])
    return contract


def check_change(
    actor: Actor,
    *,
    end_date: date | None,
    representative_id: int | None,
    buyer_contact_id: int | None,
) -> None:
    """What a PATCH may change: something, and a buyer contact only the counterpart."""
    if end_date is None and representative_id is None and buyer_contact_id is None:
        raise ValidationFailed(
            _("Send at least one of end_date, representative_id, buyer_contact_id."),
            details={"field": "end_date"},
        )
    if actor.is_contact and (end_date is not None or representative_id is not None):
        raise PermissionDenied(_("A buyer contact may change only the buyer's counterpart."))


# What GET /contracts/{id}/history reports, by the PATCH body's names (API.md).
HISTORY_FIELDS = ("end_date", "representative_id", "buyer_contact_id")


def contract_history(contract: Contract) -> list[audit.Change]:
    """Every change of the term, the representative and the counterpart, oldest first,
    read from the contract's audit trail (django-simple-history, ``core/audit.py``)."""
    rows = contract.history.select_related("history_user__contact")
    return [change for change in audit.changes(rows, HISTORY_FIELDS) if change.action == "changed"]
