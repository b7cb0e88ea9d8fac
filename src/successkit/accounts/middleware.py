"""Pages speak the signed-in user's language and show times in their time zone: a buyer
contact's organization's zone, a staff member's own (as the app that keeps it registers,
``backends.staff_zones_from``; the server's default when they set none). API calls choose
their language in the API auth; their datetimes carry their offset. The language is also
kept in Django's language cookie, so that the pages after signing out (the sign-in page)
still speak it."""

from __future__ import annotations

from collections.abc import Callable
from zoneinfo import ZoneInfo

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation

from successkit.accounts.backends import staff_zone
from successkit.accounts.models import User


def page_timezone(user: User) -> str | None:
    """The zone of ``user``'s pages, None for the server's default. Read from the rows
    loaded with the user (``backends.PAGE_USER_RELATED``): no query of its own."""
    if not user.is_staff:
        contact = getattr(user, "contact", None)
        return contact.organization.timezone if contact is not None else None
    return staff_zone(user)


class UserLanguageMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        language = None
        if user is not None and user.is_authenticated and getattr(user, "language", None):
            language = user.language
            translation.activate(language)
            request.LANGUAGE_CODE = language
            zone = page_timezone(user)
            if zone is not None:
                timezone.activate(ZoneInfo(zone))
        try:
            response = self.get_response(request)
        finally:
            timezone.deactivate()
        if language and request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME) != language:
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                language,
                max_age=settings.LANGUAGE_COOKIE_AGE,
                path=settings.LANGUAGE_COOKIE_PATH,
                domain=settings.LANGUAGE_COOKIE_DOMAIN,
                secure=settings.LANGUAGE_COOKIE_SECURE,
                httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
                samesite=settings.LANGUAGE_COOKIE_SAMESITE,
            )
        return response
