"""``successkit issue_statements --period 2026-10 [--by EMAIL]``: one statement per
contract with billable minutes delivered in that month (or pending corrections), each in
its own transaction, with progress on stderr. Interrupted, it keeps what it issued; run
again, it issues only what is still unbilled (``billing.services.MonthEnd``)."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from successkit.billing import services
from successkit.billing.management.commands import _billing_cli as cli
from successkit.billing.models import Statement
from successkit.core.errors import SuccessKitError


def lines(count: int) -> str:
    return f"{count} line" if count == 1 else f"{count} lines"


class Command(BaseCommand):
    help = (
        "Issue a statement for every contract with unbilled lines delivered in a month "
        "(YYYY-MM), each in its own transaction; print each number and total."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--period", required=True, help="The month, YYYY-MM")
        parser.add_argument(
            "--by", help="Email of the finance or admin staff member issuing (recorded)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        cli.month(options["period"])
        try:
            month_end = services.issue_statements_for_month(
                cli.actor(options["by"]), options["period"]
            )
        except SuccessKitError as refusal:
            raise CommandError(f"{refusal.code}: {refusal.render_message()}") from None
        issued = refused = 0
        progress = tqdm(
            total=len(month_end),
            desc=f"statements {options['period']}",
            unit="contract",
            file=sys.stderr,
            disable=options["verbosity"] < 1 or not len(month_end),
            leave=False,
        )
        for contract, outcome in month_end:
            name = f"contract {contract.pk} {contract.organization.name}"
            if isinstance(outcome, Statement):
                issued += 1
                self.stdout.write(
                    f"{outcome.code}  {name}  {outcome.currency} {outcome.total:.2f}"
                    f"  ({lines(outcome.lines.count())})"
                )
            else:
                refused += 1
                self.stderr.write(f"refused  {name}  {outcome.code}: {outcome.render_message()}")
            progress.update(1)
        progress.close()
        if not issued and not refused:
            self.stdout.write(f"Nothing to bill in {options['period']}.")
        else:
            self.stdout.write(f"{issued} statements issued, {refused} refused.")
        if refused:
            raise CommandError(
                f"{refused} contracts could not be billed; nothing was written for them"
            )
