"""``successkit check_billed``: every session's ``billed`` flag against its statement
lines (the flag the unbilled lines are read by)."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand

from successkit.billing.services import billed_mismatches


class Command(BaseCommand):
    help = "Prove that a session is marked billed exactly when a statement line bills it."

    def handle(self, *args: Any, **options: Any) -> None:
        sessions = billed_mismatches()
        for session in sessions:
            self.stderr.write(f"session {session}: billed flag disagrees with its statement lines")
        if sessions:
            sys.exit(1)
        self.stdout.write("Every session is marked billed exactly when a statement bills it.")
