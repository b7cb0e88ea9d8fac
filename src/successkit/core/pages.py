"""What every page action shares: one service call whose refusal or success becomes the
message the person sees next (the pages' counterpart of the API's error renderer), and a
refused form kept for the page it came from (Post/Redirect/Get)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict

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


# The session's one slot for a refused form: a newer refusal takes the place of an older one.
REFUSED_FORM = "successkit.refused_form"
# What is kept of each value typed (the longest field, a report's summary, takes 10,000):
# a hostile post does not grow the session row beyond it.
KEPT_CHARACTERS = 20_000


@dataclass(frozen=True)
class RefusedForm:
    """A form refused on a page, as its page draws it again: which form (``kind``), whose
    it is (``of``: a session, a health check; None for the page's own), what was typed,
    and what the form itself says of the refusal (the messages carry the rest)."""

    kind: str
    of: int | None
    typed: QueryDict
    refusal: str = ""
    details: dict[str, Any] = field(default_factory=dict)


def see_other(url: str) -> HttpResponse:
    """303 See Other: the browser GETs ``url``, and reloading it posts nothing again."""
    response = HttpResponseRedirect(url)
    response.status_code = 303
    return response


def refused(
    request: HttpRequest,
    page: str,
    kind: str,
    *,
    fields: Iterable[str],
    of: int | None = None,
    refusal: str = "",
    details: dict[str, Any] | None = None,
    anchor: str = "",
) -> HttpResponse:
    """Back to ``page`` (the address the form sits on) after a refused form: what was
    typed into its ``fields`` is kept for that page's next GET by the same person, who
    is sent there with a 303, so the address is the page's and a reload posts nothing."""
    request.session[REFUSED_FORM] = {
        "page": page,
        "user": request.user.pk,
        "kind": kind,
        "of": of,
        "typed": {
            name: [value[:KEPT_CHARACTERS] for value in request.POST.getlist(name)]
            for name in fields
            if name in request.POST
        },
        "refusal": str(refusal),
        "details": details or {},
    }
    return see_other(f"{page}#{anchor}" if anchor else page)


def refused_form(request: HttpRequest, page: str) -> RefusedForm | None:
    """The form refused on ``page`` just before, shown once: any GET of a page that draws
    refused forms takes it away, and one kept for another page or another person is
    forgotten, never shown."""
    if request.method != "GET":
        return None
    kept = request.session.pop(REFUSED_FORM, None)
    if not isinstance(kept, dict) or kept.get("page") != page:
        return None
    if kept.get("user") != request.user.pk:
        return None
    typed = QueryDict(mutable=True)
    for name, values in kept["typed"].items():
        typed.setlist(name, values)
    return RefusedForm(kept["kind"], kept["of"], typed, kept["refusal"], kept["details"])
