from __future__ import annotations

import pytest

from successkit.conftest import ApiClient

pytestmark = pytest.mark.django_db


def test_fields_that_do_not_parse_are_named(admin_api: ApiClient) -> None:
    response = admin_api.post("organizations", {"name": 3, "country": "ES"})
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert sorted(f["field"] for f in error["fields"]) == ["language", "name", "timezone"]
    assert error["message"] == "The request is not valid: check language, name, timezone."


def test_a_query_parameter_that_does_not_parse_is_named(admin_api: ApiClient) -> None:
    from successkit.factories import ContractFactory

    contract = ContractFactory()
    error = admin_api.get(f"contracts/{contract.pk}/entitlements?as_of=soon").json()["error"]
    assert [f["field"] for f in error["fields"]] == ["as_of"]


def test_a_body_that_is_not_json_is_a_validation_error(admin_api: ApiClient) -> None:
    response = admin_api.client.post(
        "/api/v1/organizations",
        data="{nope",
        content_type="application/json",
        headers=admin_api.headers,
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "validation_error"


def test_unknown_api_paths_are_404(admin_api: ApiClient) -> None:
    response = admin_api.get("no-such-thing")
    assert response.status_code == 404


def test_a_lazy_plural_message_renders_its_form_from_the_parameters() -> None:
    from django.utils.translation import ngettext_lazy

    from successkit.core.errors import InvalidState

    message = ngettext_lazy("%(count)s session is late.", "%(count)s sessions are late.", "count")
    assert InvalidState(message, count=1).render_message() == "1 session is late."
    assert InvalidState(message, count=3).render_message() == "3 sessions are late."


def test_a_refusal_writes_its_days_in_the_callers_language() -> None:
    from datetime import date

    from django.utils import translation

    from successkit.core.errors import InvalidState

    refusal = InvalidState("from %(start)s, %(number)s times", start=date(2026, 9, 3), number=2)
    with translation.override("en"):
        assert refusal.render_message() == "from Sep 3, 2026, 2 times"
    with translation.override("es"):
        assert refusal.render_message() == "from 3 sept 2026, 2 times"


def test_what_is_wrong_with_each_field_is_said_in_the_callers_language() -> None:
    from successkit.accounts.roles import Role
    from successkit.factories import StaffFactory

    body = {"name": 3, "country": "ES", "language": "es"}
    english = ApiClient(StaffFactory(roles=[Role.ADMIN])).post("organizations", body)
    spanish = ApiClient(StaffFactory(roles=[Role.ADMIN], language="es")).post("organizations", body)
    assert english.status_code == spanish.status_code == 422

    def said(response: object) -> dict[str, str]:
        fields = response.json()["error"]["fields"]  # type: ignore[attr-defined]
        return {field["field"]: field["message"] for field in fields}

    assert said(english) == {
        "name": "Give a text (a JSON string).",
        "timezone": "This field is required.",
    }
    assert said(spanish) == {
        "name": "Indica un texto (una cadena JSON).",
        "timezone": "Este campo es obligatorio.",
    }


def test_an_amount_out_of_range_says_which_range_in_spanish() -> None:
    from successkit.accounts.roles import Role
    from successkit.factories import StaffFactory

    finance = ApiClient(StaffFactory(roles=[Role.FINANCE], language="es"))
    body = {"currency": "EUR", "hourly_rate": "0.00", "effective_from": "2026-12-01"}
    error = finance.post("rates", body).json()["error"]
    assert error["fields"] == [
        {
            "field": "hourly_rate",
            "message": "Indica un importe positivo menor que 100000.00.",
        }
    ]
