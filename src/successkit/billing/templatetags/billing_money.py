"""``{{ amount|money:currency }}``: money formatted by Babel for the page's language."""

from __future__ import annotations

from decimal import Decimal

from django import template

from successkit.core.formats import format_money

register = template.Library()


@register.filter
def money(amount: Decimal | None, currency: str) -> str:
    if amount is None:
        return ""
    return format_money(amount, currency)
