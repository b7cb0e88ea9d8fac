"""The OpenAPI document served at /api/v1/openapi.json is exact (API.md: "must describe
every endpoint truthfully"):

- every call API.md lists is in it, with the refusals API.md names for it;
- every error status it documents for an operation is produced by some request, and every
  request sent here gets only documented statuses, with a code the document lists for
  that status (the shape probes, each kind of caller with a body the schema accepts, and
  one scenario per domain refusal);
- code-valued fields (statuses, types, roles, currencies...) are enums.

API.md is the repository's copy of the contract (docs/API.md)."""

from __future__ import annotations

import json
import re
from collections import defaultdict
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings

from successkit.accounts.models import User
from successkit.accounts.roles import Role
from successkit.core.openapi import every_code
from successkit.core.tests import probes
from successkit.core.tests.api_world import World, build_world

pytestmark = pytest.mark.django_db

API_MD = Path(__file__).resolve().parents[4] / "docs" / "API.md"
CALL = re.compile(r"`(GET|POST|PUT|PATCH|DELETE) (/api/v1/[^`?\s]*)")
REFUSAL = re.compile(r"`(4\d\d) (\w+)`")


def normalized(path: str) -> str:
    return re.sub(r"\{\w+\}", "{}", path)


def served() -> dict[str, Any]:
    from successkit.conftest import ApiClient

    response = ApiClient().get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.json()


def api_md_calls() -> dict[tuple[str, str], set[tuple[int, str]]]:
    """API.md's calls and the refusals named beside each (in its table row or sentence)."""
    calls: dict[tuple[str, str], set[tuple[int, str]]] = {}
    for line in API_MD.read_text().splitlines():
        found = CALL.findall(line)
        for method, path in found:
            refusals = {(int(s), code) for s, code in REFUSAL.findall(line)}
            key = (method.lower(), normalized(path))
            calls.setdefault(key, set()).update(refusals if len(found) == 1 else set())
    return calls


def test_every_call_of_api_md_is_documented_with_the_refusals_it_names() -> None:
    document = served()
    assert document["openapi"].startswith("3.")
    paths = {normalized(path): operations for path, operations in document["paths"].items()}
    calls = api_md_calls()
    assert len(calls) >= 30  # the parser read the tables, not nothing
    missing = [call for call in calls if call[0] not in paths.get(call[1], {})]
    assert missing == []
    for (method, path), refusals in calls.items():
        documented = probes.documented(paths[path][method])
        for status, code in refusals:
            assert code in documented.get(status, set()), (method, path, status, code)
    # API.md "Operations": too many failed sign-ins answer 429 too_many_attempts.
    token = probes.documented(paths["/api/v1/auth/token"]["post"])
    assert "too_many_attempts" in token[429]


def test_every_error_answer_has_the_spec_shape_and_known_codes() -> None:
    document = served()
    known = set(every_code())
    error = document["components"]["schemas"]["Error"]
    assert error["required"] == ["error"]
    assert set(error["properties"]["error"]["required"]) == {"code", "message"}
    assert set(error["properties"]["error"]["properties"]["code"]["enum"]) == known
    for _method, path, operation in probes.operations(document):
        for status, codes in probes.documented(operation).items():
            assert codes and codes <= known, (path, status, codes - known)
    assert document["components"]["securitySchemes"]["BearerToken"]["scheme"] == "bearer"


def test_no_two_api_schemas_share_a_name() -> None:
    """The document names each schema by its class name: two classes of one name would be
    documented as one (a session completion documented with the health-check body, a
    buyer contact with the entitlements' vendor contact)."""
    from ninja import Schema

    from successkit import api  # noqa: F401  (every router imported)

    pending, seen = [Schema], defaultdict(set)
    while pending:
        kind = pending.pop()
        pending.extend(kind.__subclasses__())
        module = kind.__module__
        if module.startswith("successkit.") and ".tests." not in module:
            seen[kind.__name__].add(f"{module}.{kind.__qualname__}")
    assert len(seen) > 50
    assert {name: places for name, places in seen.items() if len(places) > 1} == {}


CODE_FIELDS = {
    "status",
    "type",
    "queue",
    "kind",
    "author_kind",
    "roles",
    "currency",
    "package",
    "overall_status",
    "language",
    "platforms",
    "cancelled_by",
    "events",
    "action",
    "phase",
}


def test_code_valued_fields_are_enums() -> None:
    """Statuses, types, queues, roles, currencies, packages, platforms, languages... name
    their values, in requests and answers alike."""
    document = served()
    components = document["components"]["schemas"]
    without = []
    for name, schema in components.items():
        for field, spec in schema.get("properties", {}).items():
            if field not in CODE_FIELDS or name == "Error":
                continue
            spec = probes.resolve(spec, components)
            options = [probes.resolve(o, components) for o in spec.get("anyOf", [spec])]
            options = [o.get("items", o) for o in options if o.get("type") != "null"]
            if not all("enum" in probes.resolve(o, components) for o in options):
                without.append(f"{name}.{field}")
    assert without == []


@pytest.fixture
def world(settings, tmp_path) -> World:
    settings.MEDIA_ROOT = tmp_path
    return build_world(settings)


def scenarios(world: World, observed: probes.Observed) -> None:
    """One request per refusal no probe reaches: each needs a state of the world."""
    from successkit.conftest import ApiClient

    def as_(user: User | None) -> probes.Caller:
        return probes.Caller(world, user, observed)

    admin, buyer = as_(world.admin), as_(world.buyer)
    contract = world.contract

    def call(caller: probes.Caller, method: str, path: str, body: Any = None, **ids_: str):
        url = world.url(path, caller.user or world.admin)
        for name, value in ids_.items():
            url = url.replace(world.path_ids(caller.user or world.admin)[name], value)
        return caller.json(method, path, url, body)

    # Sign-in: a wrong password, then the account locked.
    anonymous = as_(None)
    wrong = {"email": world.buyer.email, "password": "not-the-password"}
    for _attempt in range(django_settings.AXES_FAILURE_LIMIT + 1):
        call(anonymous, "post", "/api/v1/auth/token", wrong)
    # An address that is taken.
    call(
        admin,
        "post",
        "/api/v1/staff",
        {"email": world.admin.email, "name": "Twin", "roles": ["csm"], "password": "x" * 12},
    )
    call(
        admin,
        "post",
        "/api/v1/organizations/{organization_id}/contacts",
        {"email": world.buyer.email, "name": "Twin", "language": "en", "password": "x" * 12},
    )
    # The term cannot end before a booked session; a buyer cannot change it at all.
    call(
        buyer,
        "patch",
        "/api/v1/contracts/{contract_id}",
        {"end_date": contract.today().isoformat()},
    )
    call(
        admin,
        "patch",
        "/api/v1/contracts/{contract_id}",
        {"end_date": contract.today().isoformat()},
    )
    # A second kickoff; materials on a kickoff (it carries none).
    later = contract.today() + timedelta(days=20)
    call(
        admin,
        "post",
        "/api/v1/contracts/{contract_id}/sessions",
        {
            "type": "kickoff",
            "starts_at": f"{later.isoformat()}T10:00:00-05:00",
            "duration_minutes": 30,
        },
    )
    kickoff = str(contract.sessions.filter(session_type__code="kickoff").order_by("pk").first().pk)
    call(
        admin,
        "post",
        "/api/v1/sessions/{session_id}/materials",
        {"title": "Deck", "url": "https://example.com/deck.pdf"},
        session_id=kickoff,
    )
    form = probes.encode_multipart(probes.BOUNDARY, {"title": "Deck", "file": probes._upload()})
    admin.send(
        "post",
        "/api/v1/sessions/{session_id}/materials/file",
        f"/api/v1/sessions/{kickoff}/materials/file",
        form,
        media=f"multipart/form-data; boundary={probes.BOUNDARY}",
    )
    # Someone else's working hours.
    csm, engineer = world.staff[Role.CSM], world.staff[Role.CS_ENGINEER]
    as_(csm).json(
        "put",
        "/api/v1/staff/{staff_id}/availability",
        f"/api/v1/staff/{engineer.pk}/availability",
        {"timezone": "Europe/Madrid", "weekly": [], "time_off": []},
    )
    # An order reference used twice; a return of an order not received yet.
    call(
        admin,
        "post",
        "/api/v1/contracts/{contract_id}/orders",
        {"reference": "PO-WORLD", "items": [{"sku": "RING4", "size": 9, "quantity": 1}]},
    )
    pending = ApiClient(world.admin).post(
        f"contracts/{contract.pk}/orders",
        {"reference": "PO-PENDING", "items": [{"sku": "RING4", "size": 9, "quantity": 1}]},
    )
    assert pending.status_code == 201, pending.json()
    line = pending.json()["items"][0]["id"]
    call(
        buyer,
        "post",
        "/api/v1/contracts/{contract_id}/cases",
        {
            "type": "return",
            "subject": "Too small",
            "order_id": pending.json()["id"],
            "lines": [{"order_line_id": line, "quantity": 1}],
        },
    )
    # A closed case takes no message, no other status, no escalation.
    call(admin, "post", "/api/v1/cases/{case_id}/status", {"status": "closed"})
    call(admin, "post", "/api/v1/cases/{case_id}/messages", {"body": "Anyone?"})
    call(admin, "post", "/api/v1/cases/{case_id}/assign", {"assignee_id": None})
    call(admin, "post", "/api/v1/cases/{case_id}/status", {"status": "closed"})
    call(
        admin,
        "post",
        "/api/v1/cases/{case_id}/escalate",
        {"reason": "Urgent", "queue": "technical_support"},
    )


def test_every_documented_error_is_produced_and_every_answer_is_documented(world) -> None:
    document = served()
    observed: probes.Observed = defaultdict(dict)
    for found in (probes.shape_probes(document, world), probes.caller_probes(document, world)):
        for key, statuses in found.items():
            for status, codes in statuses.items():
                observed[key].setdefault(status, set()).update(codes)
    scenarios(world, observed)
    unproduced, undocumented, server_errors = [], [], []
    sent = sum(len(statuses) for statuses in observed.values())
    for method, path, operation in probes.operations(document):
        documented = probes.documented(operation)
        answered = observed.get((method, path), {})
        for status in documented:
            if status not in answered:
                unproduced.append(f"{method.upper()} {path} {status}")
        for status, codes in answered.items():
            if status >= 500:
                server_errors.append(f"{method.upper()} {path} {status}")
            elif status >= 400 and not codes <= documented.get(status, set()):
                extra = sorted(codes - documented.get(status, set()))
                undocumented.append(f"{method.upper()} {path} {status} {extra}")
            elif status < 400 and str(status) not in operation["responses"]:
                undocumented.append(f"{method.upper()} {path} {status}")
    assert server_errors == []
    assert undocumented == []
    assert unproduced == []
    assert sent > 300
    json.dumps(document)  # the document serializes as served
