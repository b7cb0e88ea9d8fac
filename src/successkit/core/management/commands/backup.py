"""``successkit backup FILE``: every row and every uploaded file, at one instant, while the
server keeps serving (``core/backup.py``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from successkit.core import backup


class Command(BaseCommand):
    help = "Write every row and every uploaded file to one backup file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        verbose = options["verbosity"] > 1
        summary = backup.backup(path, progress=self.stderr.write if verbose else lambda m: None)
        self.stdout.write(
            f"backed up {summary.rows} rows of {summary.tables} tables and {summary.files} "
            f"files to {path} in {summary.seconds:.1f} s"
        )
