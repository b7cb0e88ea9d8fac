"""Rendering of refusals as HTTP responses, shared by the API and the middleware."""

from __future__ import annotations

from django.http import JsonResponse

from successkit.core.errors import SuccessKitError


def error_response(error: SuccessKitError) -> JsonResponse:
    return JsonResponse({"error": error.as_dict()}, status=error.status)
