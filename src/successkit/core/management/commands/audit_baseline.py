"""``successkit audit_baseline``: a "created" row in the audit trail for every audited row
that has none yet (rows older than the audit trail). Run once after upgrading; running it
again adds nothing."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from successkit.core import audit


class Command(BaseCommand):
    help = "Give every audited row without history a baseline row with its current values."

    def handle(self, *args: Any, **options: Any) -> None:
        added = audit.baseline()
        for label, count in added.items():
            self.stdout.write(f"{label}: {count} baseline rows")
