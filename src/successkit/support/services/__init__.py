"""Ongoing support (SPEC.md §3-4), by concern: orders (``orders``), their bulk import
(``imports``), cases with returns and exchanges (``cases``), and what they share
(``common``: who may see what, validation). Each operation is one transaction that
writes everything or nothing; every change to a case is recorded in its append-only
history. Callers import from ``successkit.support.services``.
"""

from successkit.support.services.cases import (
    CaseLineIn,
    ExchangeIn,
    assign_case,
    can_escalate,
    change_status,
    check_return_window,
    clean_case_type,
    clean_queue,
    clean_status,
    escalate_case,
    open_case,
    post_message,
)
from successkit.support.services.common import (
    DATE_PROBLEMS,
    ITEM_LIMITS,
    MAX_QUANTITY,
    MAX_REFERENCE,
    MAX_SUBJECT,
    LineIn,
    case_history,
    check_dates,
    clean_item,
    clean_lines,
    clean_optional_text,
    clean_quantity,
    clean_text,
    visible_cases,
    visible_messages,
    visible_orders,
)
from successkit.support.services.imports import (
    IMPORT_OPTIONAL,
    IMPORT_REQUIRED,
    STAGING_BATCH,
    ImportRow,
    import_orders,
    missing_columns,
)
from successkit.support.services.orders import (
    ORDER_DATE_FIELDS,
    order_history,
    record_order,
    update_order_dates,
)

__all__ = [
    "DATE_PROBLEMS",
    "IMPORT_OPTIONAL",
    "IMPORT_REQUIRED",
    "ITEM_LIMITS",
    "MAX_QUANTITY",
    "MAX_REFERENCE",
    "MAX_SUBJECT",
    "ORDER_DATE_FIELDS",
    "STAGING_BATCH",
    "CaseLineIn",
    "ExchangeIn",
    "ImportRow",
    "LineIn",
    "assign_case",
    "can_escalate",
    "case_history",
    "change_status",
    "check_dates",
    "check_return_window",
    "clean_case_type",
    "clean_item",
    "clean_lines",
    "clean_optional_text",
    "clean_quantity",
    "clean_queue",
    "clean_status",
    "clean_text",
    "escalate_case",
    "import_orders",
    "missing_columns",
    "open_case",
    "order_history",
    "post_message",
    "record_order",
    "update_order_dates",
    "visible_cases",
    "visible_messages",
    "visible_orders",
]
