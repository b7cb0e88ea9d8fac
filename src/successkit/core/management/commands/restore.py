"""``successkit restore FILE``: load a backup into an empty SQLite or PostgreSQL database
(``core/backup.py``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from successkit.core import backup


class Command(BaseCommand):
    help = "Load a backup file into an empty database (SQLite or PostgreSQL)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        verbose = options["verbosity"] > 1
        try:
            summary = backup.restore(
                path, progress=self.stderr.write if verbose else lambda m: None
            )
        except backup.BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            f"restored {summary.rows} rows of {summary.tables} tables and {summary.files} "
            f"files from {path} in {summary.seconds:.1f} s"
        )
