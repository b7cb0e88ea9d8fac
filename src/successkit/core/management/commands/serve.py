"""``successkit serve``: bring the schema up to date, then serve pages and API with
gunicorn (threads, so one process answers concurrent requests)."""

from __future__ import annotations

import gc
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.db import connections
from gunicorn.app.base import BaseApplication

from successkit.wsgi import application


class _Server(BaseApplication):
    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        return application


class Command(BaseCommand):
    help = "Apply migrations and serve successkit (pages and API) with gunicorn."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--workers", type=int, default=2)
        parser.add_argument("--threads", type=int, default=8)
        parser.add_argument("--no-migrate", action="store_true", help="Do not apply migrations.")

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["no_migrate"]:
            call_command("migrate", interactive=False, verbosity=0)
        # The workers are forked from this process: none may inherit its connection (each
        # thread of each worker opens and keeps its own).
        connections.close_all()
        # The loaded application (some 150,000 objects) out of the cyclic collector's
        # sight, in this process and so in every worker forked from it: otherwise each
        # full collection walks all of them, 60-70 ms that fell on one request in eight
        # of the cockpit at 10,000 contracts (its p95).
        gc.collect()
        gc.freeze()
        bind = f"[{options['host']}]" if ":" in options["host"] else options["host"]
        self.stdout.write(f"successkit listening on http://{bind}:{options['port']}/")
        _Server(
            {
                "bind": f"{bind}:{options['port']}",
                "workers": options["workers"],
                "threads": options["threads"],
                "worker_class": "gthread",
                "accesslog": "-",
                # gunicorn's usual line, then how long the request took (watch its p95).
                "access_log_format": '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" '
                '"%(a)s" %(M)sms',
                "errorlog": "-",
                "timeout": 60,
            }
        ).run()
