"""Refusals met on a page render as a page with their code and message (the API renders
its own as JSON in ``successkit.api``)."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from successkit.core.errors import SuccessKitError


class RefusalPageMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, SuccessKitError) or request.path.startswith("/api/"):
            return None
        return render(
            request,
            "portal/refusal.html",
            {
                "code": exception.code,
                "message": exception.render_message(),
                "status": exception.status,
            },
            status=exception.status,
        )
