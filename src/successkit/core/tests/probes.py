"""Requests built from the OpenAPI document itself, to see what each operation answers.

``minimal_body`` is a body the operation's schema accepts (the required fields only, with
ids of the world's objects); the shape probes send what the shared machinery refuses
whatever the route (no token, an unknown id, malformed JSON, a body too large or not
JSON, values of the wrong type, a reused Idempotency-Key)."""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.test.client import BOUNDARY, encode_multipart

from successkit.accounts.models import User
from successkit.core.api_errors import JSON_LIMIT, UPLOAD_LIMIT
from successkit.core.tests.api_world import World

Observed = dict[tuple[str, str], dict[int, set[str]]]


def resolve(schema: dict[str, Any], components: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = components[schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def example(
    name: str, schema: dict[str, Any], components: dict[str, Any], world: World, user: User
) -> Any:
    """A value ``schema`` accepts, for the field ``name``."""
    schema = resolve(schema, components)
    if "anyOf" in schema:
        options = [o for o in schema["anyOf"] if resolve(o, components).get("type") != "null"]
        return example(name, options[0], components, world, user)
    if "allOf" in schema:
        return example(name, schema["allOf"][0], components, world, user)
    if "enum" in schema:
        return schema["enum"][0]
    ids = world.path_ids(user)
    kind = schema.get("type")
    if name in ids or name.endswith("_id"):
        value = ids.get(name) or {
            "representative_id": str(world.contract.representative_id),
            "buyer_contact_id": str(world.contract.buyer_contact_id),
            "on_behalf_of_contact_id": str(world.contract.buyer_contact_id),
            "assignee_id": str(world.contract.representative_id),
        }.get(name, ids["contract_id"])
        return int(value) if kind == "integer" else value
    if kind == "object":
        # The required fields; all of them when none is (a PATCH changes something).
        wanted = schema.get("required") or list(schema.get("properties", {}))
        return {
            key: example(key, value, components, world, user)
            for key, value in schema.get("properties", {}).items()
            if key in wanted
        }
    if kind == "array":
        return []
    if kind == "boolean":
        return False
    if kind == "integer":
        return max(schema.get("minimum", 1), min(30, schema.get("maximum", 30)))
    if kind == "number":
        return 1
    soon = world.contract.today() + timedelta(days=9)
    zone = ZoneInfo(world.contract.organization.timezone)
    formats = {
        "date": soon.isoformat(),
        "date-time": datetime.combine(soon, time(11), tzinfo=zone).isoformat(),
        "email": "probe@example.com",
    }
    if schema.get("format") in formats:
        return formats[schema["format"]]
    if "pattern" in schema:
        return "150.00" if "0-9" in schema["pattern"] else "EUR"
    return {"timezone": "Europe/Madrid", "language": "en", "country": "ES"}.get(name, "probe")


def operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method, path, operation)
        for path, methods in document["paths"].items()
        for method, operation in methods.items()
    ]


def body_schema(operation: dict[str, Any]) -> tuple[str | None, dict[str, Any] | None]:
    content = operation.get("requestBody", {}).get("content", {})
    for media, spec in content.items():
        return media, spec.get("schema")
    return None, None


def minimal_body(
    operation: dict[str, Any], components: dict[str, Any], world: World, user: User
) -> Any:
    media, schema = body_schema(operation)
    if media != "application/json" or schema is None:
        return None
    return example("body", schema, components, world, user)


class Caller:
    """Sends one operation's requests as ``user`` (None: anonymous) and records answers."""

    def __init__(self, world: World, user: User | None, observed: Observed) -> None:
        from successkit.conftest import ApiClient

        self.world = world
        self.user = user
        self.api = ApiClient(user)
        self.client: Client = self.api.client
        self.observed = observed

    def send(
        self,
        method: str,
        path: str,
        url: str,
        body: bytes | None = None,
        media: str = "application/json",
        **extra: str,
    ) -> Any:
        kwargs: dict[str, Any] = {"headers": dict(self.api.headers)}
        if body is not None:
            kwargs.update(data=body, content_type=media)
        kwargs.update(extra)
        response = self.client.generic(method.upper(), url, **kwargs)
        code = ""
        if response.content and response.get("Content-Type", "").startswith("application/json"):
            payload = json.loads(response.content)
            if isinstance(payload, dict) and isinstance(payload.get("error"), dict):
                code = payload["error"].get("code", "")
        self.observed[(method, path)].setdefault(response.status_code, set()).add(code)
        return response

    def json(self, method: str, path: str, url: str, body: Any) -> Any:
        data = None if body is None and method in ("get", "delete") else json.dumps(body or {})
        return self.send(method, path, url, data.encode() if data else None)


def shape_probes(document: dict[str, Any], world: World) -> Observed:
    """What each operation answers to what no route should ever accept."""
    observed: Observed = defaultdict(dict)
    components = document["components"]["schemas"]
    anonymous = Caller(world, None, observed)
    for method, path, operation in operations(document):
        # A token of its own per operation: some probes revoke the calling token.
        admin = Caller(world, world.admin, observed)
        url = world.url(path, world.admin)
        writes = method in ("post", "put", "patch", "delete")
        media, schema = body_schema(operation)
        if media == "multipart/form-data":
            form = encode_multipart(BOUNDARY, {"title": "x", "file": _upload()})
            anonymous.send(
                method, path, url, form, media=f"multipart/form-data; boundary={BOUNDARY}"
            )
        else:
            anonymous.json(method, path, url, {} if writes else None)
        if "{" in path:
            unknown = _zero_ids(path) + minimal_query(operation, components, world)
            if media == "multipart/form-data":
                form = encode_multipart(BOUNDARY, {"title": "x", "file": _upload()})
                admin.send(
                    method, path, unknown, form, media=f"multipart/form-data; boundary={BOUNDARY}"
                )
            else:
                body = minimal_body(operation, components, world, world.admin)
                admin.json(method, path, unknown, body)
        if media == "application/json":
            admin.send(method, path, url, b"{nope")
            wrong = {
                key: [[None]]
                for key in resolve(schema or {}, components).get("properties", {"x": {}})
            }
            admin.json(method, path, url, wrong)
        if media == "multipart/form-data":
            admin.send(
                method, path, url, b"--nope\r\ngarbage", media="multipart/form-data; boundary="
            )
            admin.send(method, path, url, b"--x--", media="multipart/form-data; boundary=x")
        if writes:
            limit = UPLOAD_LIMIT if media == "multipart/form-data" else JSON_LIMIT
            admin.send(method, path, url, b"{}", CONTENT_LENGTH=str(limit + 1))
            admin.send(method, path, url, b"x", media="text/plain")
            admin.send(method, path, url, b'{"x": "a\\u0000b"}')
            if operation.get("security"):
                key = {"HTTP_IDEMPOTENCY_KEY": "k" * 300}
                admin.send(method, path, url, b"{}", **key)
                first = {"HTTP_IDEMPOTENCY_KEY": f"probe {method} {path}"}
                admin.send(method, path, url, b'{"first": 1}', **first)
                admin.send(method, path, url, b'{"second": 2}', **first)
        queries = [p for p in operation.get("parameters", []) if p["in"] == "query"]
        if queries:
            admin.send(method, path, url + "?" + "&".join(f"{p['name']}=%00x" for p in queries))
        if _is_page(operation, components):
            admin.send(method, path, url + "?limit=0")
    return observed


def minimal_query(operation: dict[str, Any], components: dict[str, Any], world: World) -> str:
    """The required query parameters, with values their schemas accept."""
    pairs = [
        f"{parameter['name']}="
        + str(example(parameter["name"], parameter["schema"], components, world, world.admin))
        for parameter in operation.get("parameters", [])
        if parameter["in"] == "query" and parameter.get("required")
    ]
    return "?" + "&".join(pairs) if pairs else ""


def _zero_ids(path: str) -> str:
    from successkit.core.tests.api_world import PARAMETER

    return PARAMETER.sub("0", path)


def _is_page(operation: dict[str, Any], components: dict[str, Any]) -> bool:
    success = operation["responses"].get("200", {})
    schema = success.get("content", {}).get("application/json", {}).get("schema", {})
    names = resolve(schema, components).get("properties", {}) if schema else {}
    return any(name == "next" or name.endswith("_next") for name in names)


def caller_probes(document: dict[str, Any], world: World) -> Observed:
    """What each operation answers each kind of caller, with a body its schema accepts."""
    observed: Observed = defaultdict(dict)
    components = document["components"]["schemas"]
    for user in world.callers().values():
        caller = Caller(world, user, observed)
        for method, path, operation in operations(document):
            if path.endswith("/auth/token") or path.endswith("/auth/tokens/{token_id}"):
                continue  # would sign the caller out
            body = minimal_body(operation, components, world, user)
            media, _schema = body_schema(operation)
            url = world.url(path, user) + minimal_query(operation, components, world)
            if media == "multipart/form-data":
                form = encode_multipart(BOUNDARY, {"title": "x", "file": _upload()})
                caller.send(
                    method, path, url, form, media=f"multipart/form-data; boundary={BOUNDARY}"
                )
                continue
            caller.json(method, path, url, body)
    return observed


def _upload() -> SimpleUploadedFile:
    return SimpleUploadedFile("guide.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")


def documented(operation: dict[str, Any]) -> dict[int, set[str]]:
    """An operation's documented error statuses and the codes each may carry."""
    found = {}
    for status, answer in operation["responses"].items():
        if int(status) < 400:
            continue
        schema = answer["content"]["application/json"]["schema"]
        codes = schema["allOf"][1]["properties"]["error"]["properties"]["code"]["enum"]
        found[int(status)] = set(codes)
    return found
