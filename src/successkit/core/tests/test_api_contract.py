"""The stable core of API v1 (shared/API.md) is all there, and the OpenAPI document
served at /api/v1/openapi.json describes it."""

from __future__ import annotations

import pytest

from successkit.conftest import ApiClient

pytestmark = pytest.mark.django_db

API_MD = [
    ("post", "/api/v1/auth/token"),
    ("post", "/api/v1/staff"),
    ("post", "/api/v1/organizations"),
    ("post", "/api/v1/organizations/{organization_id}/contacts"),
    ("post", "/api/v1/contracts"),
    ("get", "/api/v1/contracts/{contract_id}"),
    ("get", "/api/v1/contracts/{contract_id}/entitlements"),
    ("post", "/api/v1/contracts/{contract_id}/sessions"),
    ("get", "/api/v1/contracts/{contract_id}/sessions"),
    ("patch", "/api/v1/sessions/{session_id}"),
    ("post", "/api/v1/sessions/{session_id}/complete"),
    ("post", "/api/v1/sessions/{session_id}/cancel"),
    ("post", "/api/v1/sessions/{session_id}/no-show"),
    ("get", "/api/v1/contracts/{contract_id}/health-checks"),
    ("post", "/api/v1/health-checks/{check_id}/complete"),
    ("post", "/api/v1/contracts/{contract_id}/orders"),
    ("patch", "/api/v1/orders/{order_id}"),
    ("post", "/api/v1/contracts/{contract_id}/cases"),
    ("post", "/api/v1/rates"),
    ("get", "/api/v1/contracts/{contract_id}/billing"),
]


def test_every_endpoint_of_api_md_is_in_the_openapi_document() -> None:
    document = ApiClient().get("/api/v1/openapi.json").json()
    assert document["openapi"].startswith("3.")
    missing = [(m, p) for m, p in API_MD if m not in document["paths"].get(p, {})]
    assert missing == []


def test_every_operation_documents_its_error_shape_and_bearer_auth() -> None:
    document = ApiClient().get("/api/v1/openapi.json").json()
    assert document["components"]["securitySchemes"]["BearerToken"]["scheme"] == "bearer"
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            if path in ("/api/v1/health", "/api/v1/materials/{material_id}/file") or path.endswith(
                ("/csv", "/pdf")
            ):
                continue
            assert "404" in operation["responses"] or "422" in operation["responses"], (
                method,
                path,
            )
