"""Bookings that really race: threads, each with its own database connection, released
together by a barrier, against the real transactions (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.utils import timezone

from successkit.conftest import ApiClient, race
from successkit.contracts.models import training_window_of
from successkit.engagements.models import TrainingPool, TrainingSession
from successkit.engagements.services import ledger_mismatches
from successkit.engagements.tests.helpers import contract_starting, on_day, rate

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.needs_row_locks]

ROUNDS = 3


def booking(
    api: ApiClient, contract, session_type: str, hour: int = 10, **fields
) -> Callable[[], tuple[int, str]]:
    body = {
        "type": session_type,
        "starts_at": on_day(contract, 20, hour=hour).isoformat(),
        "duration_minutes": 60,
        "platforms": ["teams"] if session_type == "software_training" else [],
        **fields,
    }

    def call() -> tuple[int, str]:
        response = api.post(f"contracts/{contract.pk}/sessions", body)
        payload = response.json()
        return response.status_code, payload.get("error", {}).get("code", payload.get("status"))

    return call


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_parallel_bookings_never_overdraw_the_pool(round_: int) -> None:
    rate()
    contract = contract_starting(timezone.localdate() - timedelta(days=5))  # 120-minute pool
    api = ApiClient(contract.representative)
    results = race(
        [
            booking(api, contract, kind, hour=hour)
            for hour, kind in enumerate(("kickoff", "implementation", "software_training"), 9)
        ]
    )
    assert sorted(results) == [(201, "booked"), (201, "booked"), (409, "billable_not_accepted")]
    pool = TrainingPool.objects.get(contract=contract)
    assert (pool.reserved_minutes, pool.used_minutes) == (120, 0)
    assert TrainingSession.objects.filter(contract=contract).count() == 2
    assert ledger_mismatches() == []


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_parallel_bookings_of_a_single_use_type_book_it_once(round_: int) -> None:
    contract = contract_starting(timezone.localdate() - timedelta(days=5), "launch_kit")
    api = ApiClient(contract.representative)
    results = race([booking(api, contract, "kickoff", hour=hour) for hour in range(9, 13)])
    assert sorted(results) == [(201, "booked")] + [(409, "session_type_already_used")] * 3
    assert TrainingSession.objects.filter(contract=contract).count() == 1
    assert TrainingPool.objects.get(contract=contract).reserved_minutes == 60


def test_parallel_completion_and_cancellation_of_one_session_apply_once() -> None:
    contract = contract_starting(timezone.localdate() - timedelta(days=5))
    api = ApiClient(contract.representative)
    status, _ = booking(api, contract, "kickoff")()
    assert status == 201
    session = TrainingSession.objects.get(contract=contract)

    def complete() -> int:
        return api.post(f"sessions/{session.pk}/complete", {"actual_minutes": 50}).status_code

    def cancel() -> int:
        return api.post(f"sessions/{session.pk}/cancel", {"by": "vendor"}).status_code

    results = race([complete, cancel, complete, cancel])
    assert sorted(results) == [200, 409, 409, 409]
    pool = TrainingPool.objects.get(contract=contract)
    session.refresh_from_db()
    expected = (0, 50) if session.status == "completed" else (0, 0)
    assert (pool.reserved_minutes, pool.used_minutes) == expected
    assert ledger_mismatches() == []


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_a_booking_and_a_shortening_racing_cannot_both_win(round_: int) -> None:
    # Both take the contract's pool row lock; the booking reads the term under it.
    start = timezone.localdate() - timedelta(days=5)
    contract = contract_starting(start, "launch_kit")
    contract.end_date = start + timedelta(days=60)
    # The stored training window end moves with the term, as change_end_date moves it.
    contract.training_window_end = training_window_of(
        contract.package, start, contract.end_date
    ).end
    contract.save(update_fields=["end_date", "training_window_end"])
    api = ApiClient(contract.representative)
    new_end = (start + timedelta(days=20)).isoformat()

    def shorten() -> tuple[int, str]:
        response = api.patch(f"contracts/{contract.pk}", {"end_date": new_end})
        payload = response.json()
        return response.status_code, payload.get("error", {}).get("code", payload.get("end_date"))

    booked, shortened = race(
        [booking(api, contract, "kickoff", starts_at=on_day(contract, 40).isoformat()), shorten]
    )
    assert sorted([booked, shortened]) in (
        [(200, new_end), (409, "contract_not_active")],
        [(201, "booked"), (409, "invalid_state")],
    )
    contract.refresh_from_db()
    sessions = TrainingSession.objects.filter(contract=contract, status="booked")
    assert all(s.starts_at.date() <= contract.end_date for s in sessions)
    assert ledger_mismatches() == []
