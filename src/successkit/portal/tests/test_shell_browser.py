"""The shell, in Chromium at desktop and phone width: sign in, the language switch saved on
the profile, messages announced, the not-found page in the reader's language."""

from __future__ import annotations

import re

from django.utils import timezone
from playwright.sync_api import expect

from successkit.accounts.models import ApiToken, User
from successkit.accounts.services import issue_token
from successkit.factories import PASSWORD, ContractFactory
from successkit.portal.tests.browser import browser_marks, chromium, look, page, sign_in

pytestmark = browser_marks
__all__ = ["chromium", "page"]


def test_a_buyer_signs_in_switches_language_and_meets_a_missing_page(page) -> None:
    contract = ContractFactory(organization__language="es", organization__name="Clínica Sol")
    user = contract.buyer_contact.user
    user.language = "es"
    user.save()

    page.goto("/login/")
    look(page, "sign-in")
    page.get_by_role("link", name=re.compile("password", re.I)).click()
    look(page, "password-reset")

    sign_in(page, user.email, PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("Contratos")
    look(page, "buyer-home-es")

    page.get_by_role("link", name=user.name).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Tu perfil")
    page.get_by_label("Idioma de tus páginas, mensajes y documentos").select_option("en")
    page.get_by_role("button", name="Guardar idioma").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your profile")
    assert User.objects.get(pk=user.pk).language == "en"
    look(page, "profile")

    # The header's switch, with JavaScript: changing the select is enough.
    page.get_by_label("Language").first.select_option("es")
    expect(page.get_by_role("heading", level=1)).to_have_text("Tu perfil")
    assert User.objects.get(pk=user.pk).language == "es"

    response = page.goto(f"/contracts/{contract.pk + 1000}/")
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("No encontrado")
    assert "not_found" not in page.locator("body").inner_text()
    look(page, "not-found-es")


def test_a_buyer_sees_and_revokes_api_tokens_without_sideways_scrolling(page) -> None:
    contract = ContractFactory(organization__language="en")
    user = contract.buyer_contact.user
    user.language = "en"
    user.save()
    issue_token(user)
    # A token in use, as after a script's first call: every column holds a date and time.
    ApiToken.objects.filter(user=user).update(last_used_at=timezone.now())
    sign_in(page, user.email, PASSWORD)
    page.goto("/account/tokens/")
    expect(page.get_by_role("heading", level=1)).to_have_text("API tokens")
    look(page, "api-tokens")  # fails at phone width if the table pushes the page sideways
    page.get_by_role("button", name=re.compile("Revoke token")).click()
    expect(page.get_by_text("You have no API tokens.")).to_be_visible()
