"""A completed health check as a one-page report, in the organization's language.

``build_report`` gathers every text of the report (labels translated, dates formatted)
once; the HTML page and the PDF both render that same value, so they never disagree.
The PDF is drawn with ReportLab (pure Python, no system libraries) in the Bitstream Vera
fonts it ships, and shrunk to fit one A4 page whatever the length of the texts.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date
from xml.sax.saxutils import escape

from django.utils import formats, translation
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import (
    KeepInFrame,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from successkit.catalog.services import governing_terms_url, localized
from successkit.healthchecks.models import HealthCheck, OverallStatus

STATUS_COLOURS: dict[str, str] = {
    OverallStatus.GREEN.value: "#1f6b36",
    OverallStatus.AMBER.value: "#a06000",
    OverallStatus.RED.value: "#a3262a",
}


@dataclass(frozen=True)
class HealthCheckReport:
    language: str
    title: str
    organization: str
    facts: list[tuple[str, str]]
    overall_status: str
    overall_status_label: str
    summary_heading: str
    summary: str
    actions_heading: str
    action_columns: tuple[str, str, str]
    actions: list[tuple[str, str, str]]
    no_actions: str
    prevails_notice: str | None
    terms_notice: str = ""

    @property
    def status_colour(self) -> str:
        return STATUS_COLOURS.get(self.overall_status, "#5b6573")


def _day(day: date) -> str:
    return formats.date_format(day, "DATE_FORMAT")


def build_report(check: HealthCheck) -> HealthCheckReport:
    """The report of a completed ``check``, every text in its organization's language."""
    contract = check.contract
    language = contract.organization.language
    with translation.override(language):
        owed = contract.health_checks.count()
        status_label = (
            OverallStatus(check.overall_status).label if check.overall_status else _("not rated")
        )
        facts = [
            (_("Organization"), contract.organization.name),
            (_("Package"), localized(contract.package, language).name),
            (
                _("Period"),
                _("%(start)s to %(end)s")
                % {"start": _day(check.period_start), "end": _day(check.period_end)},
            ),
            (_("Held on"), _day(check.held_on) if check.held_on else "—"),
            (_("Held by"), check.staff.name if check.staff else "—"),
            (_("Attendees"), ", ".join(check.attendees) or "—"),
            (_("Overall status"), str(status_label)),
        ]
        return HealthCheckReport(
            language=language,
            title=_("Project health check %(number)s of %(count)s")
            % {"number": check.number, "count": owed},
            organization=contract.organization.name,
            facts=facts,
            overall_status=check.overall_status,
            overall_status_label=str(status_label),
            summary_heading=_("Summary"),
            summary=check.summary,
            actions_heading=_("Action items"),
            action_columns=(_("Action"), _("Owner"), _("Due")),
            actions=[
                (item.description, item.owner, _day(item.due_on))
                for item in check.action_items.all()
            ],
            no_actions=_("No action items."),
            prevails_notice=None
            if language == "en"
            else _(
                "This is a translation. In case of conflict between the English version and "
                "a translation, the English version prevails, unless applicable local law "
                "requires otherwise."
            ),
            terms_notice=_("Governing terms (English): %(url)s")
            % {"url": governing_terms_url(contract.package.version)},
        )


# --- PDF ----------------------------------------------------------------------------------

_FONTS_READY = False


def _fonts() -> tuple[str, str]:
    global _FONTS_READY
    if not _FONTS_READY:
        pdfmetrics.registerFont(TTFont("Vera", "Vera.ttf"))
        pdfmetrics.registerFont(TTFont("VeraBd", "VeraBd.ttf"))
        _FONTS_READY = True
    return "Vera", "VeraBd"


def _text(value: str) -> str:
    """User text as ReportLab paragraph markup: escaped, line breaks kept."""
    return escape(value).replace("\n", "<br/>")


def render_pdf(report: HealthCheckReport) -> bytes:
    regular, bold = _fonts()
    body = ParagraphStyle("body", fontName=regular, fontSize=10, leading=14)
    small = ParagraphStyle("small", parent=body, fontSize=8, leading=10, textColor="#5b6573")
    label = ParagraphStyle("label", parent=body, fontName=bold)
    heading = ParagraphStyle("heading", parent=body, fontName=bold, fontSize=13, leading=18)
    title = ParagraphStyle("title", parent=body, fontName=bold, fontSize=18, leading=24)
    status = ParagraphStyle("status", parent=label, textColor=colors.HexColor(report.status_colour))

    facts = [
        [
            Paragraph(_text(name), label),
            Paragraph(_text(value), status if index == len(report.facts) - 1 else body),
        ]
        for index, (name, value) in enumerate(report.facts)
    ]
    grid = TableStyle(
        [
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.HexColor("#dde2e8")),
        ]
    )
    story: list = [
        Paragraph(_text(report.title), title),
        Spacer(1, 4 * mm),
        Table(facts, colWidths=[45 * mm, None], style=grid),
        Spacer(1, 6 * mm),
        Paragraph(_text(report.summary_heading), heading),
        Paragraph(_text(report.summary), body),
        Spacer(1, 6 * mm),
        Paragraph(_text(report.actions_heading), heading),
    ]
    if report.actions:
        rows = [[Paragraph(_text(name), label) for name in report.action_columns]]
        rows += [[Paragraph(_text(cell), body) for cell in row] for row in report.actions]
        story.append(Table(rows, colWidths=[None, 45 * mm, 42 * mm], style=grid, repeatRows=1))
    else:
        story.append(Paragraph(_text(report.no_actions), body))
    if report.prevails_notice:
        story += [Spacer(1, 8 * mm), Paragraph(_text(report.prevails_notice), small)]
    if report.terms_notice:
        story += [Spacer(1, 2 * mm), Paragraph(_text(report.terms_notice), small)]

    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
        title=report.title,
        author="successkit",
        lang=report.language,
    )
    # One page, always: content that would overflow is shrunk to fit the frame.
    document.build([KeepInFrame(document.width, document.height, story, mode="shrink")])
    return buffer.getvalue()
