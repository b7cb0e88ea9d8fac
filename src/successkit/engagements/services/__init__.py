"""Training sessions and the pool they draw on, by concern:

- ``reading``: entitlements, the sessions a caller may see, what may still be booked;
- ``booking``: book, move, complete, cancel, no-show (one transaction each, the pool's
  lock first);
- ``checks``: who may, which staff, caps, time, single use, each refusal in words;
- ``coverage``: the pool's cover, the billable rest, its price and the buyer's acceptance;
- ``ledger``: the pool lock, one entry per move, the ledger check, what a term change reads;
- ``materials``: files and links attached to a session.

Callers import from ``successkit.engagements.services``; the modules are its parts.
"""

from successkit.engagements.services.booking import (
    book_session,
    cancel_session,
    complete_session,
    move_session,
    record_no_show,
)
from successkit.engagements.services.checks import booking_columns, status_label, type_label
from successkit.engagements.services.ledger import (
    KEPT_IN_TERM,
    LedgerMismatch,
    last_billable_delivery,
    ledger_mismatches,
    lock_pool,
    sessions_after,
)
from successkit.engagements.services.materials import MAX_MATERIAL_BYTES, add_material
from successkit.engagements.services.reading import (
    BookableType,
    Entitlements,
    TrainingEntitlement,
    acceptances_of,
    bookable_types,
    contract_page_sessions,
    contract_sessions,
    entitlements,
    entitlements_columns,
    material_for,
    materials_of,
    pool_window,
    session_for,
    training_entitlement,
    visible_sessions,
)

__all__ = [
    "KEPT_IN_TERM",
    "MAX_MATERIAL_BYTES",
    "BookableType",
    "Entitlements",
    "LedgerMismatch",
    "TrainingEntitlement",
    "acceptances_of",
    "add_material",
    "book_session",
    "bookable_types",
    "booking_columns",
    "cancel_session",
    "complete_session",
    "contract_page_sessions",
    "contract_sessions",
    "entitlements",
    "entitlements_columns",
    "last_billable_delivery",
    "ledger_mismatches",
    "lock_pool",
    "material_for",
    "materials_of",
    "move_session",
    "pool_window",
    "record_no_show",
    "session_for",
    "sessions_after",
    "status_label",
    "training_entitlement",
    "type_label",
    "visible_sessions",
]
