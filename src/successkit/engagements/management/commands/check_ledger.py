"""``successkit check_ledger``: rebuild every pool balance from its ledger and compare."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand

from successkit.engagements.models import TrainingPool
from successkit.engagements.services import ledger_mismatches


class Command(BaseCommand):
    help = "Prove that every training pool's balance equals the sum of its ledger entries."

    def handle(self, *args: Any, **options: Any) -> None:
        mismatches = ledger_mismatches()
        for mismatch in mismatches:
            self.stderr.write(
                f"contract {mismatch.contract_id}: balance reserved/used {mismatch.balance} "
                f"!= ledger {mismatch.ledger}"
            )
        if mismatches:
            sys.exit(1)
        self.stdout.write(f"{TrainingPool.objects.count()} pools agree with their ledger.")
