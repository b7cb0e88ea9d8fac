"""Cleaning free text from people and integrations, the one way every service does it.

Text is stripped; it may not hold a NUL byte or a lone surrogate (PostgreSQL cannot store
either, so SQLite must refuse them too: SPEC.md §8) and must fit its column. Each refusal
is ``validation_error`` naming the field.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from successkit.core.bounds import bad_text
from successkit.core.errors import ValidationFailed


def clean_optional_text(value: str | None, field: str, max_length: int | None = None) -> str:
    """``value`` stripped, possibly empty."""
    text = (value or "").strip()
    if bad_text(text):
        raise ValidationFailed(
            _("%(field)s contains a character that is not allowed."),
            details={"field": field},
            field=field,
        )
    if max_length is not None and len(text) > max_length:
        raise ValidationFailed(
            _("%(field)s must be at most %(max)s characters."),
            details={"field": field},
            field=field,
            max=max_length,
        )
    return text


def clean_text(value: str | None, field: str, max_length: int | None = None) -> str:
    """``value`` stripped, and not empty."""
    text = clean_optional_text(value, field, max_length)
    if not text:
        raise ValidationFailed(
            _("%(field)s must not be empty."), details={"field": field}, field=field
        )
    return text
