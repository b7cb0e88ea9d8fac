"""What every page action shares: one service call whose refusal or success becomes the
message the person sees next (the pages' counterpart of the API's error renderer)."""

from __future__ import annotations

from collections.abc import Callable

from django import forms
from django.contrib import messages
from django.http import HttpRequest

from successkit.core.errors import SuccessKitError


def act(request: HttpRequest, call: Callable[[], object], *, done: str) -> bool:
    """Run ``call``; a refusal becomes an error message, success the message ``done``.
    True when the call went through."""
    try:
        call()
    except SuccessKitError as refusal:
        messages.error(request, refusal.render_message())
        return False
    messages.success(request, done)
    return True


def form_refused(request: HttpRequest, form: forms.Form) -> None:
    """A form that does not validate: each error becomes a message naming its field."""
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}: {error}" if label else str(error))
