"""Every API error is JSON in the SPEC.md §7 shape: malformed multipart, bodies over the
limit, bodies that are not JSON, unknown paths, wrong methods and server errors."""

from __future__ import annotations

import pytest
from django.test import Client

from successkit.accounts.models import Organization
from successkit.conftest import ApiClient
from successkit.factories import StaffFactory

pytestmark = pytest.mark.django_db


def error_of(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"}
    assert body["error"]["code"] == code
    assert body["error"]["message"]
    return body["error"]


ORGANIZATION = {"name": "Sol", "country": "ES", "timezone": "Europe/Madrid", "language": "es"}


def test_a_json_body_over_one_megabyte_is_413(admin_api: ApiClient) -> None:
    big = {**ORGANIZATION, "name": "x" * (1024 * 1024)}
    error_of(admin_api.post("organizations", big), 413, "payload_too_large")
    assert Organization.objects.count() == 0


def test_an_upload_over_twenty_megabytes_is_413(admin_api: ApiClient) -> None:
    response = admin_api.client.post(
        "/api/v1/sessions/1/materials/file",
        data=b"x" * (20 * 1024 * 1024 + 1),
        content_type="multipart/form-data; boundary=b",
        headers=admin_api.headers,
    )
    error_of(response, 413, "payload_too_large")


def test_a_body_sent_as_text_plain_is_refused_not_parsed(admin_api: ApiClient) -> None:
    import json

    response = admin_api.client.post(
        "/api/v1/organizations",
        data=json.dumps(ORGANIZATION),
        content_type="text/plain",
        headers=admin_api.headers,
    )
    error = error_of(response, 415, "validation_error")
    assert error["field"] == "Content-Type"
    assert Organization.objects.count() == 0


def test_a_malformed_multipart_body_is_400(admin_api: ApiClient) -> None:
    response = admin_api.client.post(
        "/api/v1/sessions/1/materials/file",
        data=b"--nope\r\ngarbage",
        content_type="multipart/form-data; boundary=",
        headers=admin_api.headers,
    )
    assert response.status_code in (400, 404, 422)
    assert response.json()["error"]["code"] in ("validation_error", "not_found")


def test_unknown_api_paths_are_json_404() -> None:
    error_of(Client().get("/api/v1/no-such-thing"), 404, "not_found")
    error_of(Client().post("/api/nothing/here", {}, "application/json"), 404, "not_found")


def test_a_wrong_method_is_json_405(admin_api: ApiClient) -> None:
    response = admin_api.client.put("/api/v1/organizations", headers=admin_api.headers)
    error_of(response, 405, "method_not_allowed")


def test_a_server_error_is_generic_json_without_a_traceback(admin_api, monkeypatch) -> None:
    from successkit.accounts import services

    def broken(*args, **kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(services, "create_organization", broken)
    client = Client(raise_request_exception=False)
    response = client.post(
        "/api/v1/organizations",
        ORGANIZATION,
        content_type="application/json",
        headers=admin_api.headers,
    )
    error = error_of(response, 500, "server_error")
    assert "secret" not in response.content.decode()
    assert "Traceback" not in response.content.decode()
    assert error["message"]


def test_errors_before_the_apis_auth_speak_the_token_holders_language() -> None:
    """An unknown path or a refused body is answered before the API reads the token; the
    answer still speaks its holder's language, as every other answer does."""
    spanish = ApiClient(StaffFactory(language="es"))
    english = ApiClient(StaffFactory(language="en"))
    assert spanish.get("no-such-thing").json()["error"]["message"] == "No encontrado."
    assert english.get("no-such-thing").json()["error"]["message"] == "Not found."
    refused = spanish.client.post(
        "/api/v1/organizations",
        data="{}",
        content_type="text/plain",
        headers={**spanish.headers, "Accept-Language": "en"},
    )
    assert refused.json()["error"]["message"] == "Envía el cuerpo como application/json."
    wrong_method = spanish.client.put("/api/v1/health", headers=spanish.headers)
    assert wrong_method.json()["error"]["message"] == "Este método no está permitido en esta ruta."


def test_without_a_working_token_accept_language_decides() -> None:
    headers = {"Authorization": "Bearer not-a-token", "Accept-Language": "es"}
    assert Client().get("/api/v1/no-such-thing", headers=headers).json()["error"]["message"] == (
        "No encontrado."
    )
    english = Client().get("/api/v1/no-such-thing", headers={"Accept-Language": "en"})
    assert english.json()["error"]["message"] == "Not found."
