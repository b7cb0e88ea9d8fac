"""The one PDF setup every document shares (statements, health-check reports).

ReportLab (pure Python, no system libraries) draws A4 pages in the Bitstream Vera fonts
it ships (every Spanish letter and the euro sign). A translated document carries one
notice that English prevails, and names the governing English terms — the same wording
on every document, page and message.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from xml.sax.saxutils import escape

from django.utils.translation import gettext_lazy as _
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Flowable, SimpleDocTemplate, TableStyle

PREVAILS_NOTICE = _(
    "In case of conflict between the English version and translations into other languages, "
    "the English version prevails, unless applicable local law requires otherwise."
)
TERMS_NOTICE = _("Governing terms (English): %(url)s")

ACCENT = "#2f5d8a"
MUTED = "#5b6573"
RULE = "#dde2e8"
GRID = TableStyle(
    [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.HexColor(RULE)),
    ]
)

_fonts_registered = False


def _fonts() -> tuple[str, str]:
    global _fonts_registered
    if not _fonts_registered:
        pdfmetrics.registerFont(TTFont("Vera", "Vera.ttf"))
        pdfmetrics.registerFont(TTFont("VeraBd", "VeraBd.ttf"))
        _fonts_registered = True
    return "Vera", "VeraBd"


@dataclass(frozen=True)
class Styles:
    body: ParagraphStyle
    number: ParagraphStyle
    label: ParagraphStyle
    label_number: ParagraphStyle
    heading: ParagraphStyle
    title: ParagraphStyle
    note: ParagraphStyle


def styles(size: float = 10) -> Styles:
    """The paragraph styles of a document whose body text is ``size`` points."""
    regular, bold = _fonts()
    body = ParagraphStyle("body", fontName=regular, fontSize=size, leading=size * 1.4)
    label = ParagraphStyle("label", parent=body, fontName=bold)
    return Styles(
        body=body,
        number=ParagraphStyle("number", parent=body, alignment=TA_RIGHT),
        label=label,
        label_number=ParagraphStyle("label_number", parent=label, alignment=TA_RIGHT),
        heading=ParagraphStyle(
            "heading", parent=body, fontName=bold, fontSize=size + 3, leading=(size + 3) * 1.4
        ),
        title=ParagraphStyle(
            "title",
            parent=body,
            fontName=bold,
            fontSize=size + 8,
            leading=(size + 8) * 1.35,
            textColor=ACCENT,
        ),
        note=ParagraphStyle("note", parent=body, fontSize=8, leading=10, textColor=MUTED),
    )


def markup(value: object) -> str:
    """Any value as ReportLab paragraph markup: user text escaped, line breaks kept."""
    return escape(str(value)).replace("\n", "<br/>")


def a4_pdf(story: list[Flowable], *, title: str, language: str, one_page: bool = False) -> bytes:
    """The story drawn on A4 pages with the house margins; ``one_page`` shrinks whatever
    would overflow so the document is always a single page."""
    from reportlab.platypus import KeepInFrame

    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
        title=title,
        author="successkit",
        lang=language,
    )
    if one_page:
        story = [KeepInFrame(document.width, document.height, story, mode="shrink")]
    document.build(story)
    return buffer.getvalue()
