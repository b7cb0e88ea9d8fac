"""``successkit demo``: migrate, then create the demo data and print how to sign in."""

from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand

from successkit import demo


class Command(BaseCommand):
    help = "Create demo staff, buyers and contracts (idempotent) and print the credentials."

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        result = demo.build_demo()
        if not result.created:
            self.stdout.write("The demo data is already there.")
        self.stdout.write(f"Demo admin:  {demo.ADMIN_EMAIL} / {demo.ADMIN_PASSWORD}")
        staff = ", ".join(email for email, *_rest in demo.STAFF)
        self.stdout.write(f"Demo staff:  {staff} / {demo.STAFF_PASSWORD}")
        buyers = ", ".join(f"{email} ({language})" for email, language in demo.CONTACTS)
        self.stdout.write(f"Demo buyers: {buyers} / {demo.CONTACT_PASSWORD}")
