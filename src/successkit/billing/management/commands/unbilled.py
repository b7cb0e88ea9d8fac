"""``successkit unbilled [--period 2026-10]``: what is billable but on no statement yet."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from successkit.billing import rules, services
from successkit.billing.management.commands import _billing_cli as cli
from successkit.billing.management.commands.issue_statements import lines


class Command(BaseCommand):
    help = (
        "List the billable lines no statement carries yet, by contract, priced at the rate "
        "in force on their day; and the corrections waiting for the next statement."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--period", help="Only lines delivered in this month, YYYY-MM")

    def handle(self, *args: Any, **options: Any) -> None:
        period = cli.month(options["period"])
        totals: dict[str, list[Decimal]] = defaultdict(list)
        contracts = list(services.contracts_with_unbilled(period))
        for contract in contracts:
            billing = services.unbilled(contract, period)
            self.stdout.write(
                f"contract {contract.pk}  {contract.organization.name}  {contract.currency}"
                f"  {lines(len(billing.lines))}  {billing.unbilled_total:.2f}"
            )
            for line in billing.lines:
                price = (
                    f"{line.hourly_rate:.2f}/h  {line.amount:.2f}"
                    if line.hourly_rate is not None and line.amount is not None
                    else "no_rate_in_force"
                )
                self.stdout.write(
                    f"  {line.delivered_on}  session {line.session.pk}  {line.minutes} min  {price}"
                )
            for adjustment in billing.pending_adjustments:
                self.stdout.write(
                    f"  correction of {adjustment.corrects_statement.code}"
                    f"  {adjustment.amount:.2f}  {adjustment.reason}"
                )
            totals[contract.currency].append(billing.unbilled_total)
        if not contracts:
            self.stdout.write("Nothing is waiting to be billed.")
        for currency, amounts in sorted(totals.items()):
            self.stdout.write(f"total {currency} {rules.total(amounts):.2f}")
