"""Every API answer that is an error has the SPEC.md §7 shape, whoever produced it.

``RequestBodyGuard`` (early in the chain) refuses, before anything reads them, API bodies
over their limit (``413 payload_too_large``: JSON at most 1 MB, uploads 20 MB) and bodies
that are not JSON (``415 validation_error`` naming ``Content-Type``; multipart only for
upload endpoints), so nothing parses a text/plain body as if it were JSON.

It also holds every JSON body to the bounds that do not depend on the field (SPEC.md §8,
``core/bounds.py``): no NUL byte or lone surrogate in any text, no number beyond what
both databases store, no date or instant outside 2000-01-01..2100-12-31 - a
``422 validation_error`` naming the field, the same on SQLite and PostgreSQL.

``ApiErrorShape`` (outermost) turns any other non-JSON error under ``/api/`` - Django's 404
for an unknown path, a 405, a 400 for a malformed multipart body, the 500 of an unhandled
exception - into the same JSON shape, with a generic message (never a traceback; the
exception itself is logged by Django as usual).

Both answer in the language of the bearer token's holder, as the API does once its auth
has run (``settings.SUCCESSKIT_CALLER_LANGUAGE``): a Spanish integration reads "No
encontrado." for an unknown path too. Without a token that works, Accept-Language decides.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from successkit.core import bounds
from successkit.core.errors import (
    MalformedBody,
    NotFound,
    PayloadTooLarge,
    SuccessKitError,
    ValidationFailed,
)
from successkit.core.http import error_response

API_PREFIX = "/api/"
JSON_LIMIT = 1024 * 1024
UPLOAD_LIMIT = 20 * 1024 * 1024
# Upload endpoints (multipart/form-data) end with this segment.
UPLOAD_SUFFIX = "/file"
BODY_METHODS = {"POST", "PUT", "PATCH", "DELETE"}

logger = logging.getLogger(__name__)


class MethodNotAllowed(SuccessKitError):
    code = "method_not_allowed"
    status = 405
    default_message = _("This method is not allowed on this path.")


class UnsupportedMediaType(ValidationFailed):
    status = 415
    default_message = _("Send the body as %(expected)s.")


class ServerError(SuccessKitError):
    code = "server_error"
    status = 500
    default_message = _("Something went wrong on our side; nothing was changed. Try again later.")


def _callers_language(request: HttpRequest) -> str | None:
    # Who holds a token is the accounts app's business; core only asks.
    language_of: Callable[[HttpRequest], str | None] = import_string(
        settings.SUCCESSKIT_CALLER_LANGUAGE
    )
    try:
        return language_of(request)
    except Exception:
        # An error answer must never fail in turn (the database may be what failed).
        logger.warning("the caller's language could not be read", exc_info=True)
        return None


def answer(request: HttpRequest, error: SuccessKitError) -> HttpResponse:
    """``error`` in the JSON shape, in the caller's language."""
    language = _callers_language(request)
    if language is None:
        return error_response(error)
    with translation.override(language):
        return error_response(error)


def _limit_label(limit: int) -> str:
    return f"{limit // (1024 * 1024)} MB"


class RequestBodyGuard:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith(API_PREFIX) and request.method in BODY_METHODS:
            refusal = self.refusal(request)
            if refusal is not None:
                return answer(request, refusal)
        return self.get_response(request)

    @staticmethod
    def refusal(request: HttpRequest) -> SuccessKitError | None:
        upload = request.path.rstrip("/").endswith(UPLOAD_SUFFIX)
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return MalformedBody(_("Content-Length is not a number."))
        limit = UPLOAD_LIMIT if upload else JSON_LIMIT
        if length > limit:
            return PayloadTooLarge(limit=_limit_label(limit))
        if length == 0:
            return None
        media_type = (request.content_type or "").lower()
        expected = "multipart/form-data" if upload else "application/json"
        if media_type != expected:
            return UnsupportedMediaType(details={"field": "Content-Type"}, expected=expected)
        if not upload:
            return bounds.refusal_in_body(request.body)
        return None


# Django's own answers without a body of ours, by status.
_BY_STATUS: dict[int, Callable[[], SuccessKitError]] = {
    400: lambda: MalformedBody(_("The request body is not valid.")),
    404: NotFound,
    405: MethodNotAllowed,
    413: lambda: PayloadTooLarge(limit=_limit_label(JSON_LIMIT)),
}


class ApiErrorShape:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            not request.path.startswith(API_PREFIX)
            or response.status_code < 400
            or response.get("Content-Type", "").startswith("application/json")
        ):
            return response
        make = _BY_STATUS.get(response.status_code)
        if make is not None:
            shaped = answer(request, make())
        elif response.status_code >= 500:
            shaped = answer(request, ServerError())
        else:
            return response
        for header in ("Allow", "Retry-After"):
            if header in response:
                shaped[header] = response[header]
        return shaped
