"""A statement as a document: CSV and PDF, in English or Spanish (English prevails).

Both exports read the issued statement only (its frozen lines), so they print the same
numbers whenever they are made. The PDF is drawn with ReportLab (pure Python, no system
libraries; the project's one PDF library, as for health-check reports) in the Vera fonts
it ships; money in it is formatted by Babel for the reader's language. The CSV keeps
plain decimals ("150.00") beside the currency so that it stays machine-readable in either
language; only its labels are translated.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, Spacer, Table, TableStyle

from successkit.billing.models import Statement, StatementLine
from successkit.billing.services import statement_lines
from successkit.catalog.services import governing_terms_url, localized
from successkit.contracts.rules import local_date
from successkit.core.documents import PREVAILS_NOTICE, TERMS_NOTICE, a4_pdf, markup, styles
from successkit.core.errors import ValidationFailed
from successkit.core.formats import format_day, format_money
from successkit.core.spreadsheet import SafeWriter
from successkit.engagements.models import BillableAcceptance, TrainingSession
from successkit.engagements.rules import SessionStatus

LANGUAGES = ("en", "es")
CSV_BOM = "\ufeff"  # lets spreadsheet programs recognise UTF-8 (accents in Spanish)

PRICING_NOTE = gettext_lazy(
    "Hours beyond the package are billed at the hourly rate in force on the day the service "
    "was delivered; each line is rounded half-up to the cent."
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
    terms_url: str = ""

    @property
    def contract(self) -> str:
        """The contract as its buyer knows it, by package and start (never changed once
        signed, so an issued statement reads the same later), not by internal number:
        ``Pro Lite, from Jan 1, 2026``."""
        with translation.override(self.language):
            return _("%(package)s, from %(start)s") % {
                "package": self.package,
                "start": format_day(self.statement.contract.start_date, self.language),
            }

    @property
    def translated(self) -> bool:
        return self.language != "en"

    @property
    def notes(self) -> list[str]:
        """The notes under the lines, in the document's language."""
        notes = [str(PRICING_NOTE)]
        if self.translated:
            notes.append(str(PREVAILS_NOTICE))
        if self.terms_url:
            notes.append(str(TERMS_NOTICE) % {"url": self.terms_url})
        return notes


def export_language(statement: Statement, requested: str | None) -> str:
    """The language asked for, or the buyer organization's."""
    language = requested or statement.contract.organization.language
    if language not in LANGUAGES:
        raise ValidationFailed(
            gettext_lazy("language must be en or es."), details={"field": "language"}
        )
    return language


def session_description(session: TrainingSession, language: str) -> str:
    """What a session's billable minutes are, for the buyer reading them, as a statement
    words its line (and as the contract page words a line not billed yet): the session's
    type, a no-show said so, and who accepted the minutes. Reads the session's type with
    its translations, its organization and its acceptances with their people."""
    with translation.override(language):
        name = localized(session.session_type, language).name
        if session.status == SessionStatus.NO_SHOW:
            text = _("%(type)s: no-show (the booked minutes are billed)") % {"type": name}
        else:
            text = name
        zone = session.contract.organization.timezone
        accepted = (_acceptance(a, zone, language) for a in session.acceptances.all())
        return "; ".join([text, *accepted])


def _description(line: StatementLine, language: str) -> str:
    """What a line bills, for the buyer reading it: built when the statement is shown (an
    issued line stores its numbers, not its words), in the reader's language, without the
    system's own numbers (the line's day has its own column)."""
    if line.session is not None:
        return session_description(line.session, language)
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


def _acceptance(acceptance: BillableAcceptance, timezone_name: str, language: str) -> str:
    """Who accepted billable minutes of the line's session (SPEC.md §2), in the document;
    the day in the buyer's time zone, written in the document's language."""
    values = {
        "who": acceptance.accepted_by.name,
        "minutes": acceptance.minutes,
        "day": format_day(local_date(acceptance.at, timezone_name), language),
    }
    if acceptance.on_behalf_of is not None:
        return _("accepted by %(who)s for %(buyer)s on %(day)s (%(minutes)s min)") % {
            **values,
            "buyer": acceptance.on_behalf_of.user.name,
        }
    return _("accepted by %(who)s on %(day)s (%(minutes)s min)") % values


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
            terms_url=governing_terms_url(contract.package.version),
        )


def _plain(amount: Decimal | None) -> str:
    return f"{amount:.2f}" if amount is not None else ""


def statement_csv(statement: Statement, language: str) -> str:
    document = statement_document(statement, language)
    out = io.StringIO()
    out.write(CSV_BOM)
    writer = SafeWriter(csv.writer(out, lineterminator="\r\n"))
    with translation.override(language):
        writer.writerows(
            [
                [_("Statement"), statement.code],
                [_("Issued on"), document.issued_on.isoformat()],
                [_("Billed to"), statement.billed_to],
                [
                    _("Contract"),
                    document.package,
                    statement.contract.start_date.isoformat(),
                ],
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
        for note in document.notes:
            writer.writerow([note])
    return out.getvalue()


def statement_pdf(statement: Statement, language: str) -> bytes:
    """The statement as an A4 PDF drawn with ReportLab (the lines table runs over as many
    pages as it needs, its header repeated)."""
    document = statement_document(statement, language)

    def money(amount: Decimal | None) -> str:
        return "" if amount is None else format_money(amount, statement.currency, language)

    def day(value: date | None) -> str:
        return "" if value is None else format_day(value, language)

    look = styles(9)
    body, number, label, label_number = look.body, look.number, look.label, look.label_number
    title, note = look.title, look.note

    with translation.override(language):
        facts = [
            (_("Issued on"), day(document.issued_on)),
            (_("Billed to"), statement.billed_to),
            (_("Contract"), document.contract),
            (_("Period"), f"{day(statement.period_start)} \u2013 {day(statement.period_end)}"),
            (_("Currency"), statement.currency),
        ]
        header = [
            Paragraph(markup(_("Line")), label),
            Paragraph(markup(_("Description")), label),
            Paragraph(markup(_("Delivered on")), label),
            Paragraph(markup(_("Minutes")), label_number),
            Paragraph(markup(_("Hourly rate")), label_number),
            Paragraph(markup(_("Amount")), label_number),
        ]
        total_label = _("Total")
        notes = document.notes

    rows = [header] + [
        [
            Paragraph(markup(line.position), body),
            Paragraph(markup(line.description), body),
            Paragraph(markup(day(line.delivered_on)), body),
            Paragraph(markup(line.minutes if line.minutes is not None else ""), number),
            Paragraph(markup(money(line.hourly_rate)), number),
            Paragraph(markup(money(line.amount)), number),
        ]
        for line in document.lines
    ]
    rows.append(
        [
            Paragraph(markup(total_label), label),
            "",
            "",
            "",
            "",
            Paragraph(markup(money(statement.total)), label_number),
        ]
    )
    rule = colors.HexColor("#dde2e8")
    ink = colors.HexColor("#1d2430")
    lines_style = TableStyle(
        [
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LINEBELOW", (0, 0), (-1, 0), 0.8, ink),
            ("LINEBELOW", (0, 1), (-1, -2), 0.25, rule),
            ("LINEABOVE", (0, -1), (-1, -1), 0.8, ink),
            ("SPAN", (0, -1), (4, -1)),
        ]
    )
    facts_style = TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")])
    story: list[Flowable] = [
        Paragraph(markup(document.title), title),
        Spacer(1, 3 * mm),
        Table(
            [
                [Paragraph(markup(name), label), Paragraph(markup(value), body)]
                for name, value in facts
            ],
            colWidths=[45 * mm, None],
            style=facts_style,
            hAlign="LEFT",
        ),
        Spacer(1, 6 * mm),
        Table(
            rows,
            colWidths=[15 * mm, None, 26 * mm, 21 * mm, 26 * mm, 28 * mm],
            style=lines_style,
            repeatRows=1,
        ),
    ]
    for text in notes:
        story += [Spacer(1, 5 * mm), Paragraph(markup(text), note)]

    return a4_pdf(story, title=document.title, language=language)
