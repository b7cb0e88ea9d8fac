"""Billing by concern:

- ``lines``: billable lines at the price fixed on each session, and what is unbilled;
- ``statements``: statements as callers see them, and issuing one (numbered under the
  counter's lock, each minute billed once);
- ``month_end``: every contract's statement for a month, in resumable batches;
- ``corrections``: adjustments, billed on a contract's next statement.

Callers import from ``successkit.billing.services``; the modules are its parts.
"""

from successkit.billing.services.corrections import (
    MAX_ADJUSTMENT,
    MAX_REASON,
    adjustment_statement,
    clean_adjustment_amount,
    contract_adjustments,
    record_adjustment,
)
from successkit.billing.services.lines import (
    BILLED_STATUSES,
    EARLIEST,
    LATEST,
    BillableLine,
    ContractBilling,
    contract_billing,
    contracts_with_unbilled,
    delivered_on,
    unbilled,
    unbilled_of,
    unbilled_portfolio,
    unbilled_sessions,
)
from successkit.billing.services.month_end import (
    MONTH_END_BATCH,
    MONTH_END_CHUNK,
    MonthEnd,
    issue_statements_for_month,
)
from successkit.billing.services.statements import (
    COUNTER,
    billed_mismatches,
    clean_period,
    contract_statements,
    corrections_of,
    issue_statement,
    line_positions,
    rate_card,
    statement_for,
    statement_lines,
    statements_of,
    visible_statements,
)

__all__ = [
    "BILLED_STATUSES",
    "COUNTER",
    "EARLIEST",
    "LATEST",
    "MAX_ADJUSTMENT",
    "MAX_REASON",
    "MONTH_END_BATCH",
    "MONTH_END_CHUNK",
    "BillableLine",
    "ContractBilling",
    "MonthEnd",
    "adjustment_statement",
    "billed_mismatches",
    "clean_adjustment_amount",
    "clean_period",
    "contract_adjustments",
    "contract_billing",
    "contract_statements",
    "contracts_with_unbilled",
    "corrections_of",
    "delivered_on",
    "issue_statement",
    "issue_statements_for_month",
    "line_positions",
    "rate_card",
    "record_adjustment",
    "statement_for",
    "statement_lines",
    "statements_of",
    "unbilled",
    "unbilled_of",
    "unbilled_portfolio",
    "unbilled_sessions",
    "visible_statements",
]
