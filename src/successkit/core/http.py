"""Rendering of refusals as HTTP responses, shared by the API and the middleware."""

from __future__ import annotations

from django.http import JsonResponse

from successkit.core.errors import SuccessKitError


def error_response(error: SuccessKitError) -> JsonResponse:
    response = JsonResponse({"error": error.as_dict()}, status=error.status)
    retry_after = getattr(error, "retry_after", None)
    if retry_after is not None:
        response["Retry-After"] = str(retry_after)
    return response
