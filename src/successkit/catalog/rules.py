"""The package and session-type terms as plain values, read from the catalog.

Everything the contract appendix fixes (pool minutes, windows, caps, single use, health
check cadence, delivery roles, the returns window) arrives here as data; the rules of
the other apps compute with these values and never with literals of their own.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass


@dataclass(frozen=True)
class PackageTerms:
    code: str
    contact_role: str
    # Days from the contract start during which the contact role helps (None: whole term).
    contact_window_days: int | None
    training_minutes: int
    # Days from the contract start during which the pool may be used (None: whole term).
    training_window_days: int | None
    training_roles: frozenset[str]
    health_check_count: int
    # Months between health checks (None when the package has none).
    health_check_interval_months: int | None
    health_check_roles: frozenset[str]
    returns_window_days: int
    # A buyer contact books a meeting at least this many hours ahead (SPEC.md §9).
    booking_notice_hours: int = 24
    # How long a health check occupies its staff member (None when the package has none).
    health_check_minutes: int | None = None


@dataclass(frozen=True)
class SessionTypeTerms:
    code: str
    # Longest a session may last (None: no cap).
    max_minutes: int | None
    # Held at most once per contract.
    single_use: bool
    # Covered by the training pool; False means every minute is billable.
    draws_on_pool: bool
    platforms: frozenset[str]
    carries_materials: bool


def text_digest(*texts: str) -> str:
    """The fingerprint of an English source text, kept by its translations to tell stale."""
    digest = hashlib.sha256()
    for text in texts:
        digest.update(text.encode())
        digest.update(b"\0")
    return digest.hexdigest()[:16]
