"""Content-Security-Policy on every page, API docs without a CDN, and CSV cells that a
spreadsheet cannot run as formulas."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from successkit.core.spreadsheet import safe_cell

pytestmark = pytest.mark.django_db


def policy_of(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {
        part.split()[0]: part.split()[1:] for part in (p.strip() for p in header.split(";")) if part
    }


@pytest.mark.parametrize("path", ["/login/", "/api/v1/docs", "/admin/login/", "/api/v1/health"])
def test_every_answer_has_a_policy_without_third_party_or_inline_script(path: str) -> None:
    response = Client().get(path)
    assert response.status_code == 200
    policy = policy_of(response)
    assert policy["script-src"] == ["'self'"]
    assert policy["default-src"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]


def test_the_api_docs_load_swagger_from_this_site_only() -> None:
    html = Client().get("/api/v1/docs").content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert any("swagger-ui-bundle.js" in source for source in sources)
    assert all(source.startswith("/") for source in sources), sources
    assert "cdn" not in html.lower()
    inline = re.findall(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", html)
    assert inline == []


def test_pages_have_no_inline_script_or_handler(admin_user) -> None:
    client = Client()
    client.force_login(admin_user)
    for path in ["/", "/account/tokens/", "/support/", "/billing/"]:
        html = client.get(path).content.decode()
        assert not re.search(r"\son[a-z]+=", html), path
        assert not re.search(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", html), path


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ('=HYPERLINK("http://evil")', '\'=HYPERLINK("http://evil")'),
        ("+1+cmd", "'+1+cmd"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcell", "'\tcell"),
        ("\rcell", "'\rcell"),
        ("-12.50", "-12.50"),
        ("Clínica Sol", "Clínica Sol"),
        (12, 12),
    ],
)
def test_csv_cells_that_start_like_a_formula_are_neutralised(value, shown) -> None:
    assert safe_cell(value) == shown
