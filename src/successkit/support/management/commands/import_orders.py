"""``successkit import_orders CONTRACT_ID FILE.csv``: a contract's orders from a CSV file.

One row per order line, with the header ``reference,sku,size,quantity`` and optionally
``colour,placed_on,shipped_on,received_on`` (dates ``YYYY-MM-DD``). Rows with the same
reference make one order and must agree on its dates. Every bad row is reported with its
line number and then nothing of the file is imported; the exit status is then non-zero.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation
from django.utils.translation import gettext as _
from tqdm import tqdm

from successkit.contracts.models import Contract
from successkit.core.errors import SuccessKitError
from successkit.support import services
from successkit.support.errors import OrderImportRejected


class Command(BaseCommand):
    help = "Import a contract's orders from a CSV file (all rows or none)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("contract_id", help="the contract's id")
        parser.add_argument("file", type=Path, help="a UTF-8 CSV file")
        parser.add_argument("--no-progress", action="store_true", help="hide the progress bar")
        parser.add_argument(
            "--language",
            default=settings.LANGUAGE_CODE,
            choices=[c for c, _n in settings.LANGUAGES],
        )

    def handle(self, *args: Any, **options: Any) -> None:
        with translation.override(options["language"]):
            self._import(options)

    def _import(self, options: dict[str, Any]) -> None:
        contract_id = options["contract_id"]
        contract = None
        if str(contract_id).isdecimal():
            contract = (
                Contract.objects.select_related("organization", "package")
                .filter(pk=int(contract_id))
                .first()
            )
        if contract is None:
            raise CommandError(_("Contract %(id)s does not exist.") % {"id": contract_id})
        rows = self._read(options["file"])
        stream = options.get("stderr") or sys.stderr

        def bar(label: str) -> Callable[[Sequence[services.ImportRow]], Iterable[Any]]:
            def progress(items: Sequence[services.ImportRow]) -> Iterable[services.ImportRow]:
                return tqdm(
                    items, desc=label, unit="row", file=stream, disable=options["no_progress"]
                )

            return progress

        try:
            orders = services.import_orders(
                None,
                contract,
                rows,
                progress=bar(_("checking rows")),
                staging_progress=bar(_("writing rows")),
            )
        except OrderImportRejected as refusal:
            for problem in refusal.problems:
                self.stderr.write(
                    _("line %(line)s: %(message)s")
                    % {"line": problem.line, "message": problem.message}
                )
            raise CommandError(refusal.render_message()) from None
        except SuccessKitError as refusal:
            raise CommandError(f"{refusal.code}: {refusal.render_message()}") from None
        self.stdout.write(
            _("Imported %(orders)s orders (%(lines)s lines) into contract %(contract)s.")
            % {"orders": orders, "lines": len(rows), "contract": contract.pk}
        )

    def _read(self, path: Path) -> list[services.ImportRow]:
        try:
            with path.open(encoding="utf-8-sig", newline="") as file:
                return services.read_order_rows(file)
        except OSError as error:
            raise CommandError(
                _("Cannot read %(path)s: %(reason)s.") % {"path": path, "reason": error.strerror}
            ) from None
        except UnicodeDecodeError:
            raise CommandError(_("%(path)s is not UTF-8 text.") % {"path": path}) from None
        except SuccessKitError as refusal:
            raise CommandError(refusal.render_message()) from None
