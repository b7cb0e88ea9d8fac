"""A completed health check as a one-page report, in the organization's language.

``build_report`` gathers every text of the report (labels translated, dates formatted)
once; the HTML page and the PDF both render that same value, so they never disagree.
The PDF is drawn with ReportLab (pure Python, no system libraries) in the Bitstream Vera
fonts it ships, and shrunk to fit one A4 page whatever the length of the texts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.utils import translation
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import (
    Paragraph,
    Spacer,
    Table,
)

from successkit.catalog.services import governing_terms_url, localized
from successkit.core.documents import (
    GRID,
    PREVAILS_NOTICE,
    TERMS_NOTICE,
    a4_pdf,
    markup,
    styles,
)
from successkit.core.formats import format_day
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
    return format_day(day, width="long")


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
            prevails_notice=None if language == "en" else str(PREVAILS_NOTICE),
            terms_notice=str(TERMS_NOTICE) % {"url": governing_terms_url(contract.package.version)},
        )


# --- PDF ----------------------------------------------------------------------------------


def render_pdf(report: HealthCheckReport) -> bytes:
    look = styles(10)
    body, small, label, heading, title = look.body, look.note, look.label, look.heading, look.title
    status = ParagraphStyle("status", parent=label, textColor=colors.HexColor(report.status_colour))

    facts = [
        [
            Paragraph(markup(name), label),
            Paragraph(markup(value), status if index == len(report.facts) - 1 else body),
        ]
        for index, (name, value) in enumerate(report.facts)
    ]
    grid = GRID
    story: list = [
        Paragraph(markup(report.title), title),
        Spacer(1, 4 * mm),
        Table(facts, colWidths=[45 * mm, None], style=grid),
        Spacer(1, 6 * mm),
        Paragraph(markup(report.summary_heading), heading),
        Paragraph(markup(report.summary), body),
        Spacer(1, 6 * mm),
        Paragraph(markup(report.actions_heading), heading),
    ]
    if report.actions:
        rows = [[Paragraph(markup(name), label) for name in report.action_columns]]
        rows += [[Paragraph(markup(cell), body) for cell in row] for row in report.actions]
        story.append(Table(rows, colWidths=[None, 45 * mm, 42 * mm], style=grid, repeatRows=1))
    else:
        story.append(Paragraph(markup(report.no_actions), body))
    if report.prevails_notice:
        story += [Spacer(1, 8 * mm), Paragraph(markup(report.prevails_notice), small)]
    if report.terms_notice:
        story += [Spacer(1, 2 * mm), Paragraph(markup(report.terms_notice), small)]

    return a4_pdf(story, title=report.title, language=report.language, one_page=True)
