"""Currencies (ISO 4217), shared by contracts and the rate card."""

from __future__ import annotations

from functools import cache

from babel.numbers import list_currencies
from django.utils.translation import gettext_lazy as _

from successkit.core.errors import ValidationFailed


@cache
def _currencies() -> frozenset[str]:
    return frozenset(list_currencies())


def currencies() -> list[str]:
    """Every ISO 4217 code, sorted."""
    return sorted(_currencies())


def clean_currency(value: str) -> str:
    code = value.strip().upper()
    if code not in _currencies():
        raise ValidationFailed(
            _("%(value)s is not an ISO 4217 currency code."),
            details={"field": "currency"},
            value=value,
        )
    return code
