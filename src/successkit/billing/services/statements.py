"""Billing: billable lines, and statements that bill each minute once.

The price of billable minutes is fixed on the session when its delivery is recorded
(``engagements``, at the rate card's rate in force that day: ``pricing``); billing never
prices anything, it bills what was fixed. A completed or no-show session with billable
minutes is an *unbilled* line for as long as no statement line points at it. Issuing a
statement copies its lines (minutes, rate, amount as stored) in the same transaction that
takes the next statement number, under the counter's row lock. Two guards keep a minute from
being billed twice: that lock serializes every issue, and the database's unique
constraint allows one statement line per session whatever the code does.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.db import IntegrityError, transaction
from django.db.models import (
    Exists,
    F,
    OuterRef,
    QuerySet,
)
from django.utils.translation import gettext_lazy as _

from successkit.accounts.actors import Actor
from successkit.accounts.roles import Duty
from successkit.billing import rules
from successkit.billing.errors import AlreadyBilled, NothingToBill
from successkit.billing.models import (
    Adjustment,
    Statement,
    StatementCounter,
    StatementLine,
)
from successkit.billing.services.corrections import adjustment_statement
from successkit.billing.services.lines import (
    BillableLine,
    in_period,
    pending_adjustments,
    unbilled_line,
    unbilled_sessions,
    unpriced,
)
from successkit.contracts.models import Contract
from successkit.core.errors import ValidationFailed
from successkit.engagements.models import TrainingSession
from successkit.outbox.services import publish
from successkit.pricing.models import HourlyRate

# The statement counter's row: every issue takes the next number under its lock.
COUNTER = "statements"


def visible_statements(actor: Actor) -> QuerySet[Statement]:
    return actor.scope(
        Statement.objects.select_related("contract__organization", "contract__package"),
        "contract__organization",
    )


def statement_for(actor: Actor, statement_id: int) -> Statement:
    """A statement the actor may see (staff, or a contact of its organization), or
    ``not_found``."""
    return actor.get(visible_statements(actor), statement_id, "contract__organization")


def statements_of(actor: Actor) -> QuerySet[Statement]:
    """The statements the actor may read, newest first."""
    return visible_statements(actor).order_by("-number")


def contract_statements(contract: Contract) -> QuerySet[Statement]:
    """A contract's statements, newest first."""
    return (
        Statement.objects.filter(contract=contract)
        .select_related("contract__organization")
        .order_by("-number")
    )


def corrections_of(statement: Statement) -> list[tuple[Adjustment, Statement | None]]:
    """The corrections of ``statement``, each with the statement that billed it (if any
    yet), oldest first."""
    return [
        (adjustment, adjustment_statement(adjustment))
        for adjustment in statement.corrections.select_related("corrects_line").order_by("id")
    ]


def line_positions(statement: Statement) -> list[tuple[int, int]]:
    """The id and position of each of the statement's lines, in order."""
    return list(statement.lines.order_by("position").values_list("pk", "position"))


def statement_lines(statement: Statement) -> list[StatementLine]:
    return list(
        statement.lines.select_related(
            "session__session_type",
            "session__contract__organization",
            "adjustment__corrects_statement",
            "adjustment__corrects_line",
        )
        .prefetch_related(
            "session__acceptances__accepted_by", "session__acceptances__on_behalf_of__user"
        )
        .order_by("position")
    )


def rate_card(actor: Actor) -> QuerySet[HourlyRate]:
    """Every rate of the rate card (staff), by currency and day."""
    actor.require_staff()
    return HourlyRate.objects.order_by("currency", "effective_from", "id")


def clean_period(period_start: date, period_end: date) -> tuple[date, date]:
    if not rules.period_is_valid(period_start, period_end):
        raise ValidationFailed(
            _("The period must not end before it starts."), details={"field": "period_end"}
        )
    return period_start, period_end


def _locked_counter() -> StatementCounter:
    """The statement counter row, locked until the issuing transaction ends (SQLite's
    IMMEDIATE transactions already hold the database's write lock)."""
    StatementCounter.objects.get_or_create(name=COUNTER)
    return StatementCounter.objects.select_for_update().get(name=COUNTER)


@transaction.atomic
def issue_statement(
    actor: Actor | None, contract: Contract, *, period_start: date, period_end: date
) -> Statement:
    """Bill the contract's unbilled lines delivered from ``period_start`` through
    ``period_end`` (inclusive), plus its pending corrections, on a new statement.

    ``actor`` None is the command line (trusted). Refused, writing nothing, when a line
    has no rate in force (``no_rate_in_force``) or there is nothing to bill
    (``nothing_to_bill``)."""
    if actor is not None:
        actor.require(Duty.BILL)
    clean_period(period_start, period_end)
    counter = _locked_counter()
    # Read under the lock: a statement issued concurrently has committed its lines by now.
    sessions = list(
        in_period(
            unbilled_sessions().filter(contract=contract, statement_lines__isnull=True),
            contract.organization.timezone,
            period_start,
            period_end,
        )
        .select_related("contract__organization")
        .order_by("starts_at", "id")
    )
    priced = [unbilled_line(session) for session in sessions]
    adjustments = list(pending_adjustments(contract))
    lines = lines_to_bill(contract, priced, adjustments, period_start, period_end)
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    return _save_statement(actor, contract, counter.last_number, lines, period_start, period_end)


def lines_to_bill(
    contract: Contract,
    priced: list[BillableLine],
    adjustments: list[Adjustment],
    period_start: date,
    period_end: date,
) -> list[StatementLine]:
    """The lines of the contract's next statement, unsaved: its unbilled session lines as
    fixed at delivery, then its pending corrections. Refuses (writing nothing) a line
    without a price, or nothing to bill."""
    for billed in priced:
        if not billed.priced:  # no_rate_in_force: nothing written
            raise unpriced(contract.currency, billed.delivered_on)
    if not priced and not adjustments:
        raise NothingToBill(
            _("There is nothing to bill for this contract from %(start)s to %(end)s."),
            start=period_start,
            end=period_end,
        )
    return [
        # Billed exactly as fixed on the session at delivery (SPEC.md §5).
        StatementLine(
            kind=StatementLine.Kind.SESSION,
            session=billed.session,
            delivered_on=billed.delivered_on,
            minutes=billed.minutes,
            hourly_rate=billed.hourly_rate,
            amount=billed.amount,
        )
        for billed in priced
        if billed.amount is not None
    ] + [
        StatementLine(
            kind=StatementLine.Kind.ADJUSTMENT, adjustment=adjustment, amount=adjustment.amount
        )
        for adjustment in adjustments
    ]


def _save_statement(
    actor: Actor | None,
    contract: Contract,
    number: int,
    lines: list[StatementLine],
    period_start: date,
    period_end: date,
) -> Statement:
    """Write statement ``number`` with its lines, inside the transaction that took the
    number (so a refusal here gives the number back)."""
    try:
        with transaction.atomic():
            statement = Statement.objects.create(
                number=number,
                contract=contract,
                billed_to=contract.organization.name,
                period_start=period_start,
                period_end=period_end,
                currency=contract.currency,
                total=rules.total(line.amount for line in lines),
                issued_by=actor.user if actor is not None else None,
            )
            for position, line in enumerate(lines, start=1):
                line.statement = statement
                line.position = position
            StatementLine.objects.bulk_create(lines)
            mark_billed(lines)
    except IntegrityError:
        # The database's one-line-per-session guard: a statement issued meanwhile billed
        # these minutes (month-end reads its lines before the lock), kept as the last line
        # of defence.
        raise AlreadyBilled() from None
    publish("statement.issued", statement)
    return statement


def mark_billed(lines: Iterable[StatementLine]) -> None:
    """The sessions ``lines`` bill are billed (``TrainingSession.billed``), in the
    transaction that writes the lines: the unbilled lines are read by that flag."""
    sessions = [line.session_id for line in lines if line.session_id is not None]
    if sessions:
        TrainingSession.objects.filter(pk__in=sessions).update(billed=True)


def billed_mismatches() -> list[int]:
    """The sessions whose ``billed`` flag disagrees with their statement lines (none, when
    every writer of lines keeps it): ``successkit check_billed`` reports them."""
    lines = StatementLine.objects.filter(session=OuterRef("pk"))
    return list(
        TrainingSession.objects.annotate(on_statement=Exists(lines))
        .exclude(billed=F("on_statement"))
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def with_lines(statement: Statement, lines: list[StatementLine]) -> Statement:
    """``statement`` with ``lines`` as its prefetched lines (as ``prefetch_related`` leaves
    them): counting or listing them asks no query."""
    queryset = statement.lines.all()
    queryset._result_cache = lines
    queryset._prefetch_done = True  # type: ignore[attr-defined]
    statement._prefetched_objects_cache = {"lines": queryset}  # type: ignore[attr-defined]
    return statement
