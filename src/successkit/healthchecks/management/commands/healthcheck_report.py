"""``successkit healthcheck_report``: owed vs delivered vs missed health checks, per
representative and per package, and the checks due in the next 30 days with no date yet,
as plain-text tables."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.management.base import BaseCommand

from successkit.healthchecks import rules, services

COUNT_COLUMNS = ("owed", "delivered", "on time", "late", "scheduled", "unscheduled", "missed")


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> list[str]:
    """Left-aligned text columns, numbers right-aligned, under a rule."""
    cells = [[str(value) for value in row] for row in rows]
    widths = [max(len(h), *(len(row[i]) for row in cells)) for i, h in enumerate(headers)]
    numeric = [all(isinstance(row[i], int) for row in rows) for i in range(len(headers))]

    def line(values: Sequence[str]) -> str:
        return "  ".join(
            value.rjust(width) if is_number else value.ljust(width)
            for value, width, is_number in zip(values, widths, numeric, strict=True)
        ).rstrip()

    return [line(headers), line(["-" * width for width in widths]), *map(line, cells)]


def counts(tally: rules.Tally) -> list[int]:
    return [
        tally.owed,
        tally.completed,
        tally.completed_on_time,
        tally.completed_late,
        tally.scheduled,
        tally.due,
        tally.missed,
    ]


class Command(BaseCommand):
    help = (
        "Health-check compliance: owed, delivered, scheduled, unscheduled and missed per "
        "representative and per package, and the checks due in the next 30 days with no date."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        report = services.compliance(None)
        out: list[str] = ["Health checks by representative", ""]
        out += table(
            ("representative", *COUNT_COLUMNS),
            [(row.label, *counts(row.tally)) for row in report.by_representative]
            + [("total", *counts(report.total))],
        )
        out += ["", "Health checks by package", ""]
        out += table(
            ("package", *COUNT_COLUMNS),
            [(row.key, *counts(row.tally)) for row in report.by_package]
            + [("total", *counts(report.total))],
        )
        out += ["", f"Due in the next {rules.UPCOMING_DAYS} days with no date yet", ""]
        if report.needing_a_date:
            out += table(
                ("check", "organization", "package", "#", "period", "representative"),
                [
                    (
                        check.pk,
                        check.contract.organization.name,
                        check.contract.package.code,
                        check.number,
                        f"{check.period_start} to {check.period_end}",
                        check.contract.representative.name,
                    )
                    for check in report.needing_a_date
                ],
            )
        else:
            out.append("none")
        self.stdout.write("\n".join(out))
