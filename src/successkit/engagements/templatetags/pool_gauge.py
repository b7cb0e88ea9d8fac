"""``{% pool_gauge training %}``: the training pool as a bar (used, reserved, left) drawn
in inline SVG, with a text legend for screen readers and print."""

from __future__ import annotations

from typing import Any

from django import template

from successkit.engagements.services import TrainingEntitlement

register = template.Library()


def _share(part: int, whole: int) -> float:
    return round(100 * max(part, 0) / whole, 2) if whole else 0.0


@register.inclusion_tag("engagements/_gauge.html")
def pool_gauge(training: TrainingEntitlement, label: str = "") -> dict[str, Any]:
    whole = max(training.included_minutes, training.used_minutes + training.reserved_minutes)
    used = _share(training.used_minutes, whole)
    reserved = _share(training.reserved_minutes, whole)
    return {
        "training": training,
        "label": label,
        "used": used,
        "reserved_x": used,
        "reserved": reserved,
    }
