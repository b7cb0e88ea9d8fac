"""``successkit demo [--contracts N [--seed S]]``: migrate, then create the demo data and
print how to sign in; with ``--contracts``, add a synthetic portfolio of N contracts
(``flows.synthetic``), once per seed."""

from __future__ import annotations

import time
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from successkit import demo
from successkit.flows import synthetic


class Command(BaseCommand):
    help = (
        "Create demo staff, buyers and contracts (idempotent) and print the credentials; "
        "--contracts N adds a deterministic synthetic portfolio of N contracts (once per seed)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--contracts", type=int, help="Add a synthetic portfolio of this many contracts"
        )
        parser.add_argument(
            "--seed", type=int, default=1, help="The synthetic portfolio's seed (default 1)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        count = options["contracts"]
        if count is not None and count < 1:
            raise CommandError("--contracts must be at least 1")
        call_command("migrate", interactive=False, verbosity=0)
        result = demo.build_demo()
        if not result.created:
            self.stdout.write("The demo data is already there.")
        self.stdout.write(f"Demo admin:  {demo.ADMIN_EMAIL} / {demo.ADMIN_PASSWORD}")
        staff = ", ".join(email for email, *_rest in demo.STAFF)
        self.stdout.write(f"Demo staff:  {staff} / {demo.STAFF_PASSWORD}")
        buyers = ", ".join(f"{email} ({language})" for email, language in demo.CONTACTS)
        self.stdout.write(f"Demo buyers: {buyers} / {demo.CONTACT_PASSWORD}")
        if count is not None:
            self._portfolio(count, options["seed"], options["verbosity"] > 0)

    def _portfolio(self, count: int, seed: int, progress: bool) -> None:
        began = time.perf_counter()
        portfolio = synthetic.build_portfolio(count, seed, progress=progress)
        if not portfolio.created:
            self.stdout.write(
                f"The synthetic portfolio of seed {seed} is already there "
                f"({portfolio.contracts} contracts); nothing was added."
            )
            return
        seconds = time.perf_counter() - began
        self.stdout.write(
            f"Synthetic portfolio of seed {seed}: {count} contracts in {seconds:.1f} s "
            f"({sum(portfolio.counts.values())} rows)."
        )
        self.stdout.write(
            f"Synthetic staff:  {synthetic.staff_email('csm', 1, seed)} and the like "
            f"(am, csm, engineer, trainer, support, finance) / {synthetic.STAFF_PASSWORD}"
        )
