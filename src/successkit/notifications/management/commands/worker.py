"""``successkit worker``: runs the background jobs (deliveries of mail and webhooks) and the
daily sweeps (reminders). ``--once`` runs what is due now and exits."""

from __future__ import annotations

import logging
import time
from argparse import ArgumentParser
from importlib import import_module
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils.crypto import get_random_string
from django_tasks_db.management.commands.db_worker import Worker

from successkit.notifications import housekeeping
from successkit.notifications.sweeps import run_due_sweeps


class Command(BaseCommand):
    help = "Run the background jobs: mail and webhook deliveries, reminders, daily sweeps."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--once", action="store_true", help="Run what is due now, then exit.")
        parser.add_argument(
            "--interval",
            type=float,
            default=0.5,
            help="Seconds to wait when there is nothing to do (default 0.5).",
        )
        parser.add_argument("--no-sweeps", action="store_true", help="Deliveries only.")
        parser.add_argument("--worker-id", default="", help="Unique name of this worker.")

    def handle(self, *args: Any, **options: Any) -> None:
        import_module(settings.ROOT_URLCONF)  # the doors register the webhook payload shapes
        if options["verbosity"] >= 2:
            logging.getLogger("django_tasks_db").setLevel(logging.INFO)
        worker = Worker(
            queue_names=["default"],
            interval=0.05,
            batch=True,
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id=options["worker_id"] or get_random_string(32),
            excluded_queue_names=[],
        )
        sweeps = not options["no_sweeps"]
        if options["once"]:
            if sweeps:
                self._sweep()
            housekeeping.requeue_stalled()
            housekeeping.recover_stuck()
            worker.run()
            return
        worker.configure_signals()
        last_sweep = last_housekeeping = 0.0
        while worker.running:
            if sweeps and time.monotonic() - last_sweep >= 30:
                self._sweep()
                last_sweep = time.monotonic()
            if time.monotonic() - last_housekeeping >= housekeeping.STALLED_AFTER.total_seconds():
                housekeeping.requeue_stalled()
                housekeeping.recover_stuck()
                last_housekeeping = time.monotonic()
            worker.run()
            time.sleep(options["interval"])

    def _sweep(self) -> None:
        for name, count in run_due_sweeps().items():
            self.stdout.write(f"sweep {name}: {count}")
