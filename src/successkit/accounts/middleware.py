"""Pages speak the signed-in user's language, and show a buyer contact's times in their
organization's time zone (API calls choose their language in the API auth)."""

from __future__ import annotations

from collections.abc import Callable
from zoneinfo import ZoneInfo

from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation


class UserLanguageMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and getattr(user, "language", None):
            translation.activate(user.language)
            request.LANGUAGE_CODE = user.language
            contact = getattr(user, "contact", None) if not user.is_staff else None
            if contact is not None:
                # A buyer sees times in their organization's time zone on every page.
                timezone.activate(ZoneInfo(contact.organization.timezone))
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
