"""``{{ amount|money:currency }}``: money formatted by Babel for the page's language."""

from __future__ import annotations

from decimal import Decimal

from babel.numbers import format_currency
from django import template
from django.utils import translation

from successkit.billing import rules

register = template.Library()


@register.filter
def money(amount: Decimal | None, currency: str) -> str:
    if amount is None:
        return ""
    locale = rules.money_locale(translation.get_language() or "en")
    return format_currency(amount, currency, locale=locale)
