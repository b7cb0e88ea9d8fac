"""Schemathesis against the served OpenAPI document, as an admin and as a buyer contact:
for every operation, a bounded number of generated requests (valid ones, and ones that
break the schema), each answered without a server error, with a status the document
lists for that operation, in the documented media type, and with a body matching the
documented schema (for errors: the SPEC.md §7 shape and one of the status's codes).

Bounded: ``SUCCESSKIT_FUZZ_EXAMPLES`` examples per operation and mode (default 5), and a
time budget per caller (``SUCCESSKIT_FUZZ_SECONDS``, default 35 s) after which the
remaining operations get a single example each; deterministic (derandomized). Path ids
are those of objects the caller may see (``api_world``), so requests reach the routes'
own checks. The figures are printed (``-s``)."""

from __future__ import annotations

import os
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from successkit.accounts.services import issue_token
from successkit.conftest import ApiClient
from successkit.core.tests.api_world import PARAMETER, World, build_world

pytestmark = pytest.mark.django_db

EXAMPLES = int(os.environ.get("SUCCESSKIT_FUZZ_EXAMPLES", "5"))
BUDGET = float(os.environ.get("SUCCESSKIT_FUZZ_SECONDS", "35"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]


@pytest.fixture
def world(settings: Any, tmp_path: Any) -> World:
    settings.MEDIA_ROOT = tmp_path
    settings.ALLOWED_HOSTS = ["*"]
    return build_world(settings)


@contextmanager
def wsgi_in_the_test_transaction() -> Iterator[None]:
    """Django's WSGI handler closes the database connection around each request; the test
    client does not, and neither may this one (the test's transaction holds the world)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def describe(failure: BaseException) -> str:
    parts = getattr(failure, "exceptions", None) or [failure]
    return " | ".join(
        f"{type(part).__name__}: {getattr(part, 'title', '')} {str(part)[:400]}" for part in parts
    )


def fuzz(world: World, who: str) -> tuple[Counter[str], list[str]]:
    user = world.callers()[who]
    document = ApiClient().get("/api/v1/openapi.json").json()
    schema = schemathesis.openapi.from_dict(document)
    schema.app = WSGIHandler()
    figures: Counter[str] = Counter()
    failures: list[str] = []
    deadline = time.monotonic() + BUDGET

    def check(operation: Any) -> None:
        figures["operations"] += 1
        ids = world.path_ids(user)
        path_parameters = {name: ids[name] for name in PARAMETER.findall(operation.path)}
        examples = EXAMPLES if time.monotonic() < deadline else 1
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            strategy = operation.as_strategy(generation_mode=mode, path_parameters=path_parameters)

            @given(case=strategy)
            @settings(
                max_examples=examples,
                deadline=None,
                derandomize=True,
                database=None,
                phases=[Phase.explicit, Phase.generate],
                suppress_health_check=list(HealthCheck),
            )
            def run(case: Any) -> None:
                # A token of its own per request: some operations revoke the calling one.
                headers = {"Authorization": f"Bearer {issue_token(user)}"}
                case.headers = {**(case.headers or {}), **headers}
                if case.path_parameters and "token_id" in case.path_parameters:
                    case.path_parameters["token_id"] = world.path_ids(user)["token_id"]
                response = case.call()
                figures["cases"] += 1
                figures[f"status {response.status_code}"] += 1
                try:
                    case.validate_response(response, checks=CHECKS, headers=headers)
                except (Exception, BaseExceptionGroup) as failure:  # schemathesis's own kinds
                    mode = case.meta.generation.mode.value if case.meta else "?"
                    label = f"{operation.method.upper()} {operation.path} [{mode}]"
                    failures.append(f"{label} -> {response.status_code}: {describe(failure)}")

            try:
                run()
            except Unsatisfiable:
                figures["unsatisfiable"] += 1

    with wsgi_in_the_test_transaction():
        for result in schema.get_all_operations():
            check(result.ok())
    return figures, failures


@pytest.mark.parametrize("who", ["admin", "buyer"])
def test_the_api_answers_as_its_document_says(world: World, who: str) -> None:
    started = time.monotonic()
    figures, failures = fuzz(world, who)
    seconds = time.monotonic() - started
    print(
        f"\nschemathesis as {who}: {figures['operations']} operations, {figures['cases']} cases "
        f"in {seconds:.0f} s, {len(failures)} failures; "
        + ", ".join(f"{key}: {value}" for key, value in sorted(figures.items()) if "status" in key)
    )
    assert figures["operations"] >= 70
    assert figures["cases"] >= figures["operations"] * 2
    assert failures == [], "\n".join(failures[:20])
