"""A synthetic portfolio of N contracts with their history, for measuring at scale
(``successkit demo --contracts N --seed S``, API.md "Scale").

Deterministic for a seed and a day: the same seed on the same ``today`` writes the same
rows. Generated in bulk (``bulk_create`` in chunks, ids taken up front), not through the
services, so the generator itself keeps every invariant the services enforce:

- sessions: single-use types once (a cancelled one may be booked again), covered minutes
  from ``engagements.rules.split_coverage`` in booking order so the pool is never
  overdrawn, one ledger entry per move as ``engagements.services.ledger.post_entry``
  writes them and a running balance equal to their sum (``successkit check_ledger``),
  billable minutes accepted and priced at the rate card's rate in force on the day
  (``pricing.rules``);
- time: every session and scheduled or held health check takes its staff member's time
  (``BusyInterval``), never two meetings of one staff member at once (each staff
  member's hours are handed out once);
- health checks: one per period of ``healthchecks.rules``, held inside it (some recorded
  late), missed, scheduled or due as the day says;
- statements: every month before the last complete one is billed, numbered from the
  statement counter without a gap, each session once. The last complete month is left for
  ``successkit issue_statements``.

The package: ``data`` (what it is made of), ``bulk`` (ids and rows written in bulk),
``world`` (the state one generation shares), ``sessions``, ``checks``, ``support`` and
``statements`` (each a part of a contract's story) and ``generator`` (the order of it all).

Nothing is published: history sends no mail and no webhooks (no outbox rows).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db import connection, transaction
from django.utils import timezone

from successkit.accounts.models import User
from successkit.contracts.models import Contract
from successkit.flows.synthetic.data import (
    CONTACT_PASSWORD,
    DOMAIN,
    STAFF_PASSWORD,
    buyers_domain,
    staff_email,
)
from successkit.flows.synthetic.generator import Generator

__all__ = [
    "CONTACT_PASSWORD",
    "DOMAIN",
    "STAFF_PASSWORD",
    "Portfolio",
    "build_portfolio",
    "existing_contracts",
    "staff_email",
]


@dataclass
class Portfolio:
    seed: int
    contracts: int
    created: bool
    counts: dict[str, int] = field(default_factory=dict)


def existing_contracts(seed: int) -> int | None:
    """The number of contracts of the portfolio of ``seed`` already here, or None."""
    marker = User.objects.filter(email=staff_email("finance", 1, seed)).first()
    if marker is None:
        return None
    return Contract.objects.filter(buyer_contact__user__email__endswith=buyers_domain(seed)).count()


def build_portfolio(
    contracts: int, seed: int = 1, *, today: date | None = None, progress: bool = False
) -> Portfolio:
    """Add the synthetic portfolio of ``contracts`` contracts for ``seed`` in one
    transaction. A seed already used adds nothing (``created`` False): rerunning is safe."""
    if contracts < 1:
        raise ValueError("contracts must be at least 1")
    with transaction.atomic():
        found = existing_contracts(seed)
        if found is not None:
            return Portfolio(seed, found, created=False)
        generator = Generator(contracts, seed, today or timezone.now().date(), progress)
        counts = generator.run()
    _analyze()
    return Portfolio(seed, contracts, created=True, counts=counts)


def _analyze() -> None:
    """Fresh planner statistics after a bulk load (PostgreSQL's advice after loading
    data): a server whose autovacuum has not come round yet, or is off, would otherwise
    plan the pages' queries for the tables as they were before the load."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
