"""``{{ case|status_for:actor }}``: a case's status as its reader says it."""

from __future__ import annotations

from django import template

from successkit.accounts.actors import Actor
from successkit.support.models import Case, CaseStatus

register = template.Library()


@register.filter
def status_for(case: Case, actor: Actor | None) -> str:
    return CaseStatus.label_for(case.status, contact=actor is not None and actor.is_contact)
