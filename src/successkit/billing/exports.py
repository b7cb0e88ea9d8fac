"""A statement as a document: CSV and PDF, in English or Spanish (English prevails).

Both exports read the issued statement only (its frozen lines), so they print the same
numbers whenever they are made. The PDF is an HTML template rendered by xhtml2pdf
(pure Python on ReportLab: no system libraries); money in it is formatted by Babel for
the reader's language. The CSV keeps plain decimals ("150.00") beside the currency so
that it stays machine-readable in either language; only its labels are translated.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from babel.dates import format_date
from babel.numbers import format_currency
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from xhtml2pdf import pisa

from successkit.billing import rules
from successkit.billing.models import Statement, StatementLine
from successkit.billing.services import statement_lines
from successkit.catalog.services import localized
from successkit.contracts.rules import local_date
from successkit.core.errors import ValidationFailed

LANGUAGES = ("en", "es")
CSV_BOM = "\ufeff"  # lets spreadsheet programs recognise UTF-8 (accents in Spanish)

PRICING_NOTE = gettext_lazy(
    "Hours beyond the package are billed at the hourly rate in force on the day the service "
    "was delivered; each line is rounded half-up to the cent."
)
PREVAILS_NOTICE = gettext_lazy(
    "In case of conflict between the English version and translations into other languages, "
    "the English version prevails, unless applicable local law requires otherwise."
)


@dataclass(frozen=True)
class DocumentLine:
    position: int
    description: str
    delivered_on: date | None
    minutes: int | None
    hourly_rate: Decimal | None
    amount: Decimal


@dataclass(frozen=True)
class StatementDocument:
    """Everything a statement shows, in one language."""

    statement: Statement
    language: str
    title: str
    issued_on: date
    package: str
    lines: list[DocumentLine]

    @property
    def translated(self) -> bool:
        return self.language != "en"


def export_language(statement: Statement, requested: str | None) -> str:
    """The language asked for, or the buyer organization's."""
    language = requested or statement.contract.organization.language
    if language not in LANGUAGES:
        raise ValidationFailed(
            gettext_lazy("language must be en or es."), details={"field": "language"}
        )
    return language


def _description(line: StatementLine, language: str) -> str:
    if line.session is not None:
        return _("%(type)s, session %(id)s") % {
            "type": localized(line.session.session_type, language).name,
            "id": line.session.pk,
        }
    assert line.adjustment is not None
    adjustment = line.adjustment
    if adjustment.corrects_line is not None:
        return _("Correction of %(number)s, line %(line)s: %(reason)s") % {
            "number": adjustment.corrects_statement.code,
            "line": adjustment.corrects_line.position,
            "reason": adjustment.reason,
        }
    return _("Correction of %(number)s: %(reason)s") % {
        "number": adjustment.corrects_statement.code,
        "reason": adjustment.reason,
    }


def statement_document(statement: Statement, language: str) -> StatementDocument:
    contract = statement.contract
    with translation.override(language):
        lines = [
            DocumentLine(
                position=line.position,
                description=_description(line, language),
                delivered_on=line.delivered_on,
                minutes=line.minutes,
                hourly_rate=line.hourly_rate,
                amount=line.amount,
            )
            for line in statement_lines(statement)
        ]
        return StatementDocument(
            statement=statement,
            language=language,
            title=_("Statement %(number)s") % {"number": statement.code},
            issued_on=local_date(statement.issued_at, contract.organization.timezone),
            package=localized(contract.package, language).name,
            lines=lines,
        )


def _plain(amount: Decimal | None) -> str:
    return f"{amount:.2f}" if amount is not None else ""


def statement_csv(statement: Statement, language: str) -> str:
    document = statement_document(statement, language)
    out = io.StringIO()
    out.write(CSV_BOM)
    writer = csv.writer(out, lineterminator="\r\n")
    with translation.override(language):
        writer.writerows(
            [
                [_("Statement"), statement.code],
                [_("Issued on"), document.issued_on.isoformat()],
                [_("Billed to"), statement.billed_to],
                [_("Contract"), statement.contract_id, document.package],
                [_("Period"), statement.period_start.isoformat(), statement.period_end.isoformat()],
                [_("Currency"), statement.currency],
                [],
                [
                    _("Line"),
                    _("Description"),
                    _("Delivered on"),
                    _("Minutes"),
                    _("Hourly rate"),
                    _("Amount"),
                ],
            ]
        )
        for line in document.lines:
            writer.writerow(
                [
                    line.position,
                    line.description,
                    line.delivered_on.isoformat() if line.delivered_on else "",
                    line.minutes if line.minutes is not None else "",
                    _plain(line.hourly_rate),
                    _plain(line.amount),
                ]
            )
        writer.writerow([_("Total"), "", "", "", "", _plain(statement.total)])
        writer.writerow([])
        writer.writerow([str(PRICING_NOTE)])
        if document.translated:
            writer.writerow([str(PREVAILS_NOTICE)])
    return out.getvalue()


def statement_pdf(statement: Statement, language: str) -> bytes:
    document = statement_document(statement, language)
    locale = rules.money_locale(language)

    def money(amount: Decimal | None) -> str:
        if amount is None:
            return ""
        return format_currency(amount, statement.currency, locale=locale)

    def day(value: date | None) -> str:
        return format_date(value, "medium", locale=locale) if value is not None else ""

    rows = [
        {
            "position": line.position,
            "description": line.description,
            "delivered_on": day(line.delivered_on),
            "minutes": line.minutes if line.minutes is not None else "",
            "hourly_rate": money(line.hourly_rate),
            "amount": format_currency(line.amount, statement.currency, locale=locale),
        }
        for line in document.lines
    ]
    with translation.override(language):
        html = render_to_string(
            "billing/statement_pdf.html",
            {
                "document": document,
                "statement": statement,
                "rows": rows,
                "issued_on": day(document.issued_on),
                "period_start": day(statement.period_start),
                "period_end": day(statement.period_end),
                "total": format_currency(statement.total, statement.currency, locale=locale),
                "pricing_note": str(PRICING_NOTE),
                "prevails_notice": str(PREVAILS_NOTICE) if document.translated else "",
            },
        )
    out = io.BytesIO()
    result = pisa.CreatePDF(html, dest=out, encoding="utf-8")
    if result.err:
        raise RuntimeError(f"the PDF of {statement.code} could not be rendered")
    return out.getvalue()
