"""The OpenAPI document says exactly which errors each operation answers (API.md: "must
describe every endpoint truthfully").

Two sources, merged into each operation's ``responses``:

- what follows from the operation's shape, answered by the shared machinery whatever the
  route: ``401 not_authenticated`` (bearer auth), ``404 not_found`` (an id in the path),
  ``422 validation_error`` (query parameters, a paged list's ``limit``/``offset``, a
  JSON body; ``core/bounds.py`` on any write), ``400`` (malformed JSON), ``413
  payload_too_large`` and ``415`` (a body that is too large or not JSON, on any write),
  ``422 idempotency_key_reused`` (any write with an ``Idempotency-Key``, documented as a
  header parameter);
- what the route itself refuses, declared beside it with ``core.schemas.errors(...)``
  (``403 permission_denied``, each ``409`` code, ``429 too_many_attempts``...).

Every error answer has the SPEC.md §7 shape (the ``Error`` schema); each status names the
codes it can carry as an ``enum``, so a client (and schemathesis) can check them.
"""

from __future__ import annotations

from typing import Any

from successkit.core.errors import SuccessKitError

REFUSALS_KEY = "x-refusals"
WRITE_METHODS = ("post", "put", "patch", "delete")
# Writes that are never replayed (core/idempotency.py).
NOT_IDEMPOTENT = ("/api/v1/auth/token",)
ERROR_SCHEMA = "Error"

# HTTP phrases of the error statuses this API uses.
_PHRASES = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    409: "Conflict",
    413: "Payload Too Large",
    415: "Unsupported Media Type",
    422: "Unprocessable Entity",
    429: "Too Many Requests",
}


def every_code() -> list[str]:
    """Every stable error code a SuccessKitError (of any app) carries."""
    from successkit.core import api_errors  # noqa: F401  (its refusals count too)

    codes: set[str] = set()
    pending: list[type[SuccessKitError]] = [SuccessKitError]
    while pending:
        kind = pending.pop()
        codes.add(kind.code)
        pending.extend(kind.__subclasses__())
    return sorted(codes)


def _error_schema() -> dict[str, Any]:
    return {
        "title": ERROR_SCHEMA,
        "type": "object",
        "description": 'SPEC.md §7: {"error": {"code", "message"}}, with the field at fault '
        "when one is",
        "required": ["error"],
        "properties": {
            "error": {
                "type": "object",
                "required": ["code", "message"],
                "properties": {
                    "code": {
                        "type": "string",
                        "enum": every_code(),
                        "description": "Stable machine-readable code (SPEC.md §7)",
                    },
                    "message": {
                        "type": "string",
                        "description": "Explanation in the caller's language",
                    },
                    "field": {"type": "string", "description": "The field at fault"},
                    "fields": {
                        "type": "array",
                        "description": "Every field that did not parse, and why",
                        "items": {
                            "type": "object",
                            "properties": {
                                "field": {"type": "string"},
                                "message": {"type": "string"},
                            },
                        },
                    },
                },
            }
        },
    }


def _shape_refusals(
    path: str, method: str, operation: dict[str, Any], components: dict[str, Any]
) -> dict[int, set[str]]:
    """The errors the shared machinery answers for an operation of this shape."""
    found: dict[int, set[str]] = {}

    def add(status: int, code: str) -> None:
        found.setdefault(status, set()).add(code)

    parameters = operation.get("parameters", [])
    if operation.get("security"):
        add(401, "not_authenticated")
    if any(parameter["in"] == "path" for parameter in parameters):
        add(404, "not_found")
    if any(parameter["in"] == "query" for parameter in parameters):
        add(422, "validation_error")
    body = operation.get("requestBody", {}).get("content", {})
    if "application/json" in body:
        add(400, "validation_error")
        add(422, "validation_error")
    if "multipart/form-data" in body:
        add(400, "validation_error")
        add(422, "validation_error")
    if method in WRITE_METHODS:
        add(413, "payload_too_large")
        add(415, "validation_error")
        add(422, "validation_error")
        if path not in NOT_IDEMPOTENT and operation.get("security"):
            add(422, "idempotency_key_reused")
    success = operation.get("responses", {}).get("200", {})
    schema = success.get("content", {}).get("application/json", {}).get("schema", {})
    answer = components.get(schema.get("$ref", "").rsplit("/", 1)[-1], {})
    if any(name == "next" or name.endswith("_next") for name in answer.get("properties", {})):
        add(422, "validation_error")  # a page: limit and offset (core/pagination.py)
    return found


def _idempotency_header() -> dict[str, Any]:
    return {
        "in": "header",
        "name": "Idempotency-Key",
        "required": False,
        "description": "Repeating the write with the same key and body returns the first "
        "answer and changes nothing more (24 hours, per user)",
        "schema": {"type": "string", "minLength": 1, "maxLength": 255},
    }


def exact_responses(document: dict[str, Any]) -> dict[str, Any]:
    """``document`` with each operation's error answers exactly as described above."""
    components = document.setdefault("components", {}).setdefault("schemas", {})
    components[ERROR_SCHEMA] = _error_schema()
    reference = {"$ref": f"#/components/schemas/{ERROR_SCHEMA}"}
    for path, operations in document.get("paths", {}).items():
        for method, operation in operations.items():
            # ninja keys the successes by int, openapi_extra by str: one key per status.
            responses = {str(s): answer for s, answer in operation.get("responses", {}).items()}
            operation["responses"] = responses
            declared = operation.pop(REFUSALS_KEY, {})
            refusals = _shape_refusals(path, method, operation, components)
            for status, codes in declared.items():
                refusals.setdefault(int(status), set()).update(codes)
            if method in WRITE_METHODS and path not in NOT_IDEMPOTENT and operation.get("security"):
                operation.setdefault("parameters", []).append(_idempotency_header())
            for status, codes in sorted(refusals.items()):
                names = sorted(codes)
                responses[str(status)] = {
                    "description": f"{_PHRASES.get(status, 'Error')}: " + ", ".join(names),
                    "content": {
                        "application/json": {
                            "schema": {
                                "allOf": [
                                    reference,
                                    {
                                        "type": "object",
                                        "properties": {
                                            "error": {
                                                "type": "object",
                                                "properties": {
                                                    "code": {"type": "string", "enum": names}
                                                },
                                            }
                                        },
                                    },
                                ]
                            }
                        }
                    },
                }
    components.pop("ErrorOut", None)
    components.pop("ErrorBody", None)
    return document
