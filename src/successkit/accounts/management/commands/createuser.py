"""``successkit createuser --email E --password P --role admin``:
a staff user, created non-interactively.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from successkit.accounts import services
from successkit.accounts.roles import Role
from successkit.core.errors import SuccessKitError


class Command(BaseCommand):
    help = "Create a staff user (repeat --role for several roles)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--email", required=True)
        parser.add_argument("--password", required=True)
        parser.add_argument("--role", action="append", required=True, choices=Role.values)
        parser.add_argument("--name", default="")
        parser.add_argument("--language", default="en")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            user = services.create_staff(
                None,
                email=options["email"],
                name=options["name"] or options["email"].split("@")[0],
                roles=options["role"],
                password=options["password"],
                language=options["language"],
            )
        except SuccessKitError as refusal:
            raise CommandError(f"{refusal.code}: {refusal.render_message()}") from None
        self.stdout.write(
            f"created {user.email} ({', '.join(sorted(user.role_codes))}) id={user.pk}"
        )
