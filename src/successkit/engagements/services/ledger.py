"""The pool's ledger: the lock every booking takes first, one entry per move, the check
that the balance equals the ledger's sum, and what a term change must know."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db import transaction
from django.db.models import F, Sum
from django.db.transaction import TransactionManagementError

from successkit.accounts.actors import Actor
from successkit.contracts.models import Contract
from successkit.contracts.rules import local_date
from successkit.core.compiled import CompiledInsert, CompiledQuery
from successkit.engagements import rules
from successkit.engagements.models import (
    PoolEntry,
    TrainingPool,
    TrainingSession,
)
from successkit.engagements.rules import SessionStatus


@dataclass(frozen=True)
class LedgerMismatch:
    contract_id: int
    balance: tuple[int, int]
    ledger: tuple[int, int]


def ledger_mismatches() -> list[LedgerMismatch]:
    """Every pool whose running balance differs from the sum of its ledger entries."""
    mismatches = []
    sums = {
        row["pool"]: (row["reserved"] or 0, row["used"] or 0)
        for row in PoolEntry.objects.values("pool").annotate(
            reserved=Sum("reserved_delta"), used=Sum("used_delta")
        )
    }
    for pool in TrainingPool.objects.order_by("id"):
        balance = (pool.reserved_minutes, pool.used_minutes)
        ledger = sums.get(pool.pk, (0, 0))
        if balance != ledger:
            mismatches.append(LedgerMismatch(pool.contract_id, balance, ledger))
    return mismatches


def lock_pool(contract: Contract) -> TrainingPool:
    """Lock the contract's pool row until the end of the transaction: every booking,
    move, completion, cancellation and no-show of the contract takes this lock first, and
    so does a change of its term (``flows.contracts.change_end_date``). Under it the
    contract's term is read again, so a decision never rests on a term changed meanwhile."""
    if not transaction.get_connection().in_atomic_block:
        raise TransactionManagementError("lock_pool runs inside the operation's transaction.")
    locked = _LOCKED_POOL.run(contract.pk)
    if not locked:  # the contract's first booking
        TrainingPool.objects.get_or_create(
            contract=contract, defaults={"included_minutes": contract.package.training_minutes}
        )
        locked = _LOCKED_POOL.run(contract.pk)
    term = _TERM.run(contract.pk)
    if not term:
        raise Contract.DoesNotExist()
    contract.start_date, contract.end_date = term[0]
    return locked[0]


# lock_pool's two statements, compiled once (core/compiled.py): every write of a
# contract's sessions starts with them. They stay two: joined in one statement, the term
# would come from that statement's snapshot - on PostgreSQL (READ COMMITTED), a lock's wait
# re-reads only the locked row - so a booking that waited for a term change would decide on
# the term from before it.
_LOCKED_POOL: CompiledQuery[TrainingPool] = CompiledQuery(
    lambda contract_id: TrainingPool.objects.select_for_update().filter(contract_id=contract_id),
    1,
)
_TERM: CompiledQuery[tuple[date, date]] = CompiledQuery(
    lambda pk: Contract.objects.filter(pk=pk).values_list("start_date", "end_date"), 1
)


def last_billable_delivery(currency: str) -> date | None:
    """The last day (in each buyer's time zone) on which billable minutes in ``currency``
    were delivered, if any: the rate card may not change on or before it."""
    delivered = TrainingSession.objects.filter(
        contract__currency=currency,
        status__in=[status.value for status in rules.DELIVERED],
        billable_minutes__gt=0,
    )
    latest = delivered.order_by("-starts_at").values_list("starts_at", flat=True).first()
    if latest is None:
        return None
    # Time zones differ by at most a day: the last local day is among the last 26 hours.
    candidates = delivered.filter(starts_at__gte=latest - timedelta(hours=26)).values_list(
        "starts_at", "contract__organization__timezone"
    )
    return max(local_date(starts_at, zone) for starts_at, zone in candidates)


# Sessions whose day a term must keep inside it: booked, held or missed (SPEC.md §2).
KEPT_IN_TERM = (SessionStatus.BOOKED, SessionStatus.COMPLETED, SessionStatus.NO_SHOW)


def sessions_after(contract: Contract, end_date: date) -> list[date]:
    """The days (buyer's) of the sessions on record of ``contract`` after ``end_date``."""
    timezone_name = contract.organization.timezone
    days = (
        local_date(starts_at, timezone_name)
        for starts_at in TrainingSession.objects.filter(
            contract=contract, status__in=[s.value for s in KEPT_IN_TERM]
        ).values_list("starts_at", flat=True)
    )
    return sorted(day for day in days if day > end_date)


def post_entry(
    pool: TrainingPool,
    session: TrainingSession,
    actor: Actor,
    kind: str,
    *,
    reserved: int = 0,
    used: int = 0,
) -> None:
    """Append one ledger entry and move the running balance by the same amounts."""
    if not reserved and not used and kind != PoolEntry.Kind.POST:
        return
    _INSERT_ENTRY.insert(
        PoolEntry(
            pool=pool,
            session=session,
            kind=kind,
            reserved_delta=reserved,
            used_delta=used,
            recorded_by=actor.user,
        )
    )
    TrainingPool.objects.filter(pk=pool.pk).update(
        reserved_minutes=F("reserved_minutes") + reserved, used_minutes=F("used_minutes") + used
    )
    # The row is locked (lock_pool) since it was read: the balance moved by exactly this.
    pool.reserved_minutes += reserved
    pool.used_minutes += used


_INSERT_ENTRY: CompiledInsert[PoolEntry] = CompiledInsert(PoolEntry)
