"""Pages speak the signed-in user's language, and show a buyer contact's times in their
organization's time zone (API calls choose their language in the API auth). The language
is also kept in Django's language cookie, so that the pages after signing out (the sign-in
page) still speak it."""

from __future__ import annotations

from collections.abc import Callable
from zoneinfo import ZoneInfo

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation


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
            contact = getattr(user, "contact", None) if not user.is_staff else None
            if contact is not None:
                # A buyer sees times in their organization's time zone on every page.
                timezone.activate(ZoneInfo(contact.organization.timezone))
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
