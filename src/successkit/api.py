"""The HTTP API v1 (shared/API.md): one NinjaAPI, bearer-token auth, one error renderer."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils import translation
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import HttpBearer

from successkit.accounts.actors import Actor
from successkit.accounts.services import token_user
from successkit.core.errors import (
    InvalidFields,
    MalformedBody,
    NotAuthenticated,
    NotFound,
    SuccessKitError,
)
from successkit.core.field_errors import field_message
from successkit.core.http import error_response
from successkit.core.openapi import exact_responses


class BearerToken(HttpBearer):
    """``Authorization: Bearer <token>``; sets ``request.actor`` and the caller's language."""

    def authenticate(self, request: HttpRequest, token: str) -> Actor | None:
        user = token_user(request, token)
        if user is None:
            return None
        actor = Actor.of(user)
        # The audit trail attributes changes to request.user (core/audit.py), as for pages.
        request.user = user
        request.actor = actor  # type: ignore[attr-defined]
        translation.activate(user.language)
        request.LANGUAGE_CODE = user.language
        return actor


class SuccessKitApi(NinjaAPI):
    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> Any:
        document = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        return exact_responses(document)


api = SuccessKitApi(
    title="successkit API",
    version="1",
    description="Customer Success program for Oura for Business: contracts, entitlements, "
    "sessions, health checks, support and billing. Errors are "
    '`{"error": {"code", "message"}}` with the codes of SPEC.md §7.',
    auth=BearerToken(),
    urls_namespace="api-v1",
    openapi_url="/openapi.json",
    docs_url="/docs",
)


@api.exception_handler(SuccessKitError)
def _refusal(request: HttpRequest, error: SuccessKitError) -> HttpResponse:
    return error_response(error)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, error: AuthenticationError) -> HttpResponse:
    return error_response(NotAuthenticated())


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, error: Http404) -> HttpResponse:
    return error_response(NotFound())


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, error: HttpError) -> HttpResponse:
    if error.status_code == 400:
        return error_response(MalformedBody())
    return JsonResponse(
        {"error": {"code": "invalid_request", "message": str(error)}}, status=error.status_code
    )


@api.exception_handler(NinjaValidationError)
def _invalid(request: HttpRequest, error: NinjaValidationError) -> HttpResponse:
    return error_response(InvalidFields([_describe(problem) for problem in error.errors]))


def _describe(problem: dict[str, Any]) -> dict[str, str]:
    location = [str(part) for part in problem.get("loc", ())]
    # The path starts with where the value came from, then the view's parameter name.
    if location and location[0] in ("body", "query", "path", "form", "file", "header"):
        location = location[1:]
    if location and location[0] in ("payload", "query", "data"):
        location = location[1:]
    return {"field": ".".join(location), "message": field_message(problem)}


def _register_routers() -> None:
    from successkit.accounts.api import router as accounts_router
    from successkit.accounts.audit_api import router as audit_router
    from successkit.billing.api import router as billing_router
    from successkit.contracts.api import router as contracts_router
    from successkit.engagements.api import router as engagements_router
    from successkit.healthchecks.api import router as healthchecks_router
    from successkit.notifications.api import router as notifications_router
    from successkit.scheduling.api import router as scheduling_router
    from successkit.support.api import router as support_router

    api.add_router("/", accounts_router)
    api.add_router("/", contracts_router)
    api.add_router("/", engagements_router)
    api.add_router("/", healthchecks_router)
    api.add_router("/", scheduling_router)
    api.add_router("/", support_router)
    api.add_router("/", billing_router)
    api.add_router("/", notifications_router)
    api.add_router("/", audit_router)


def _register_webhook_shapes() -> None:
    """A webhook's ``data`` is the object as this API shows it."""
    from successkit.billing.api import statement_out
    from successkit.contracts.api import contract_out
    from successkit.engagements.api import session_out
    from successkit.healthchecks.api import health_check_out
    from successkit.notifications.payloads import register_shape
    from successkit.support.api import case_out

    register_shape("engagements.trainingsession", lambda request, obj: session_out(obj))
    register_shape("healthchecks.healthcheck", health_check_out)
    register_shape("support.case", lambda request, obj: case_out(obj))
    register_shape("billing.statement", statement_out)
    register_shape("contracts.contract", lambda request, obj: contract_out(obj))


_register_routers()
_register_webhook_shapes()
