"""Any sequence of bookings, moves, completions, cancellations and no-shows keeps the pool
honest: covered used + reserved never exceeds the pool, billable minutes exist only where
someone accepted them, and the running balance equals the ledger's sum."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from successkit.accounts.actors import Actor
from successkit.core.errors import SuccessKitError
from successkit.engagements import services
from successkit.engagements.models import PoolEntry, TrainingPool, TrainingSession
from successkit.engagements.rules import SessionStatus
from successkit.engagements.tests.helpers import contract_starting, on_day, rate

# Operations that succeeded over a whole run: a machine whose every operation is refused
# proves nothing (liveness), so the test asserts that each kind happened.
DONE: Counter[str] = Counter()

TYPES = ["kickoff", "implementation", "software_training", "additional_training"]
days = st.integers(min_value=1, max_value=120)  # straddles the Launch Kit's day 90
minutes = st.integers(min_value=1, max_value=90)


class PoolMachine(RuleBasedStateMachine):
    @initialize(package=st.sampled_from(["launch_kit", "pro_lite"]))
    def contract(self, package: str) -> None:
        self.contract = contract_starting(timezone.localdate() - timedelta(days=3), package)
        self.actor = Actor.of(self.contract.representative)
        self.accepted: dict[int, int] = {}

    def _attempt(self, operation, *args, accept: bool, **kwargs) -> None:
        name = operation.__name__
        try:
            session = operation(self.actor, *args, **kwargs)
        except SuccessKitError as refusal:
            event(f"{name} refused: {refusal.code}")
            return
        event(f"{name} done")
        DONE[name] += 1
        if accept and session.billable_minutes:
            self.accepted[session.pk] = max(
                self.accepted.get(session.pk, 0), session.billable_minutes
            )

    def _session(self, index: int) -> TrainingSession | None:
        sessions = list(TrainingSession.objects.filter(contract=self.contract).order_by("id"))
        return sessions[index % len(sessions)] if sessions else None

    @rule(kind=st.sampled_from(TYPES), day=days, length=minutes, accept=st.booleans())
    def book(self, kind: str, day: int, length: int, accept: bool) -> None:
        self._attempt(
            services.book_session,
            self.contract,
            type_code=kind,
            starts_at=on_day(self.contract, day),
            duration_minutes=length,
            platforms=["teams"] if kind == "software_training" else [],
            accept_billable=accept,
            accept=accept,
        )

    @rule(extra=st.sampled_from([0, 1]), accept=st.booleans())
    def book_what_is_left(self, extra: int, accept: bool) -> None:
        """The next pool session not yet held, of the minutes left (at most its cap of 60)
        or one more: it drives the pool to its edge, where an off-by-one overdraft shows."""
        held = set(
            TrainingSession.objects.filter(
                contract=self.contract, status__in=["booked", "completed", "no_show"]
            ).values_list("session_type__code", flat=True)
        )
        free = [k for k in ("kickoff", "implementation", "software_training") if k not in held]
        pool = TrainingPool.objects.filter(contract=self.contract).first()
        used = (pool.reserved_minutes + pool.used_minutes) if pool else 0
        left = min(self.contract.package.training_minutes - used, 60) + extra
        if free and left >= 1:
            self._attempt(
                services.book_session,
                self.contract,
                type_code=free[0],
                starts_at=on_day(self.contract, 10),
                duration_minutes=left,
                platforms=["teams"] if free[0] == "software_training" else [],
                accept_billable=accept,
                accept=accept,
            )

    @rule(index=st.integers(0, 20), day=days, accept=st.booleans())
    def move(self, index: int, day: int, accept: bool) -> None:
        if session := self._session(index):
            self._attempt(
                services.move_session,
                session,
                starts_at=on_day(self.contract, day),
                accept_billable=accept,
                accept=accept,
            )

    @rule(index=st.integers(0, 20), length=minutes, accept=st.booleans())
    def complete(self, index: int, length: int, accept: bool) -> None:
        if session := self._session(index):
            self._attempt(
                services.complete_session,
                session,
                actual_minutes=length,
                accept_billable=accept,
                accept=accept,
            )

    @rule(index=st.integers(0, 20), by=st.sampled_from(["vendor", "buyer"]))
    def cancel(self, index: int, by: str) -> None:
        if session := self._session(index):
            self._attempt(services.cancel_session, session, by=by, accept=False)

    @rule(index=st.integers(0, 20))
    def no_show(self, index: int) -> None:
        if session := self._session(index):
            self._attempt(services.record_no_show, session, accept=False)

    @invariant()
    def pool_is_never_overdrawn_and_matches_its_ledger(self) -> None:
        if not hasattr(self, "contract"):
            return
        pool = TrainingPool.objects.filter(contract=self.contract).first()
        if pool is None:
            return
        sessions = list(TrainingSession.objects.filter(contract=self.contract))
        assert pool.reserved_minutes + pool.used_minutes <= self.contract.package.training_minutes
        assert pool.reserved_minutes == sum(
            s.covered_minutes for s in sessions if s.status == SessionStatus.BOOKED
        )
        assert pool.used_minutes == sum(
            s.covered_minutes
            for s in sessions
            if s.status in (SessionStatus.COMPLETED, SessionStatus.NO_SHOW)
        )
        entries = PoolEntry.objects.filter(pool=pool)
        assert pool.reserved_minutes == sum(e.reserved_delta for e in entries)
        assert pool.used_minutes == sum(e.used_delta for e in entries)
        for session in sessions:
            if session.status == SessionStatus.CANCELLED:
                assert (session.covered_minutes, session.billable_minutes) == (0, 0)
            elif session.billable_minutes:
                assert session.billable_minutes <= self.accepted.get(session.pk, 0)


@pytest.mark.django_db
def test_any_sequence_of_operations_keeps_the_pool_honest() -> None:
    rate()
    PoolMachine.TestCase.settings = settings(
        max_examples=40,
        stateful_step_count=12,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )
    from hypothesis.stateful import run_state_machine_as_test

    DONE.clear()
    run_state_machine_as_test(PoolMachine, settings=PoolMachine.TestCase.settings)
    # Liveness: the run booked, and changed booked sessions, instead of only refusing (a
    # mutant that refuses every booking keeps every invariant and fails here).
    assert DONE["book_session"] > 0, dict(DONE)
    changed = ("move_session", "complete_session", "cancel_session", "record_no_show")
    assert sum(DONE[name] for name in changed) > 0, dict(DONE)
