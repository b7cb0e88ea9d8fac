"""``{{ session.session_type|name }}``: a catalog item's name in the page's language."""

from __future__ import annotations

from django import template
from django.utils import translation

from successkit.catalog.models import Package, SessionType
from successkit.catalog.services import localized

register = template.Library()


@register.filter
def name(item: Package | SessionType | None) -> str:
    if item is None:
        return ""
    return localized(item, translation.get_language() or "en").name
