"""The shell every page shares: language switch, profile, password reset by mail, the
not-found page in the reader's language."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client

from successkit.accounts.models import User
from successkit.factories import PASSWORD, ContractFactory, StaffFactory

pytestmark = pytest.mark.django_db


def test_the_language_switch_saves_a_signed_in_users_choice() -> None:
    user = StaffFactory(language="en")
    client = Client()
    client.force_login(user)
    response = client.post("/language/", {"language": "es", "next": "/profile/"})
    assert response.status_code == 302
    assert User.objects.get(pk=user.pk).language == "es"
    assert "Tu perfil" in client.get("/profile/").content.decode()


def test_a_visitor_switches_language_by_cookie() -> None:
    client = Client()
    client.post("/language/", {"language": "es", "next": "/login/"})
    assert "Iniciar sesión" in client.get("/login/").content.decode()


def test_signing_out_leaves_the_sign_in_page_in_the_users_language() -> None:
    """Elena reads Spanish; after signing out (in a browser that asks for English) the
    sign-in page still speaks Spanish, not the browser's default."""
    contract = ContractFactory()
    user = contract.buyer_contact.user
    user.language = "es"
    user.save()
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    assert client.login(username=user.email, password=PASSWORD)
    assert client.get("/").status_code == 200

    after = client.post("/logout/", follow=True)

    assert after.redirect_chain[-1][0] == "/login/"
    assert '<html lang="es">' in after.content.decode()
    assert "Iniciar sesión" in after.content.decode()


def test_an_unknown_language_is_refused_and_changes_nothing() -> None:
    user = StaffFactory(language="en")
    client = Client()
    client.force_login(user)
    client.post("/language/", {"language": "xx", "next": "/profile/"})
    assert User.objects.get(pk=user.pk).language == "en"


def test_password_reset_sends_a_link_that_sets_a_new_password() -> None:
    user = StaffFactory(language="en")
    client = Client()
    client.post("/password-reset/", {"email": user.email})
    assert len(mail.outbox) == 1
    link = next(line for line in mail.outbox[0].body.splitlines() if "/password-reset/" in line)
    path = link.split("://", 1)[1].split("/", 1)[1]
    form = client.get("/" + path, follow=True)
    target = form.redirect_chain[-1][0] if form.redirect_chain else "/" + path
    done = client.post(
        target,
        {
            "new_password1": "a-much-better-secret-2026",
            "new_password2": "a-much-better-secret-2026",
        },
    )
    assert done.status_code == 302
    assert User.objects.get(pk=user.pk).check_password("a-much-better-secret-2026")


def test_a_missing_page_is_in_the_readers_language_without_codes() -> None:
    contract = ContractFactory()
    user = contract.buyer_contact.user
    user.language = "es"
    user.save()
    client = Client()
    client.force_login(user)
    response = client.get(f"/contracts/{contract.pk + 1000}/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "No encontrado" in page
    assert ">not_found<" not in page
