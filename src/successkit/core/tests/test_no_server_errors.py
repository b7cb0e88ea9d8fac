"""Bad input never gets a 500: every API operation, called by an admin with hostile bodies
and ids, answers 2xx or a 4xx in the error shape."""

from __future__ import annotations

import pytest

from successkit import demo
from successkit.api import api
from successkit.conftest import ApiClient

pytestmark = pytest.mark.django_db

HOSTILE_VALUES = [
    *[None, "", "x" * 5000, -1, 0, 10**20, 1.5, "\x00", [], {}, True, "2026-02-30"],
    # SPEC §8 edges: a number as text, an instant without offset or beyond 2100, a lone
    # surrogate, money with three decimals, a huge exponent.
    *["5", "2026-01-01T10:00", "2101-01-01T00:00:00+00:00", "x\ud800y", "1.005", 1e300],
]
HOSTILE_IDS = ["0", "-1", "99999999999999999999", "abc", "1.5"]


def hostile_bodies(schema_ref: dict | None, components: dict) -> list[object]:
    bodies: list[object] = [None, [], "text", 12]
    if not schema_ref:
        return bodies
    name = schema_ref.get("$ref", "").rsplit("/", 1)[-1]
    fields = components.get(name, {}).get("properties", {})
    for field in fields:
        for value in HOSTILE_VALUES:
            bodies.append({field: value})
    bodies.append(dict.fromkeys(fields, "x"))
    return bodies


def test_hostile_input_never_gets_a_server_error(settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path
    built = demo.build_demo()
    client = ApiClient(built.admin)
    document = api.get_openapi_schema()
    components = document["components"]["schemas"]
    failures = []
    sent = 0
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            if path.endswith("/materials/file"):
                continue
            ids = [*HOSTILE_IDS, "1"] if "{" in path else [""]
            for object_id in ids:
                url = path
                if "{" in path:
                    url = path.split("{")[0] + object_id + path.split("}", 1)[1]
                schema = (
                    operation.get("requestBody", {})
                    .get("content", {})
                    .get("application/json", {})
                    .get("schema")
                )
                bodies = (
                    hostile_bodies(schema, components)
                    if method in ("post", "patch", "put")
                    else [None]
                )
                for body in bodies:
                    if body is None and method in ("post", "patch", "put"):
                        response = client.client.generic(
                            method.upper(),
                            url,
                            b"{nope",
                            content_type="application/json",
                            headers=client.headers,
                        )
                    elif method in ("post", "patch", "put"):
                        response = getattr(client, method)(url, body)
                    else:
                        response = getattr(client, method)(url)
                    sent += 1
                    if response.status_code >= 500:
                        failures.append(
                            (method, url, body if not isinstance(body, str) else body[:20])
                        )
                    elif (
                        response.status_code >= 400
                        and response["Content-Type"] == "application/json"
                    ):
                        assert "code" in response.json()["error"], (method, url)
    assert failures == []
    assert sent > 2500  # the hostile bodies really reached every operation
