"""A buyer contact's colleagues page: their organization's contacts only, and inviting a
colleague, who gets a mail with a link to choose their password (Django's own reset
machinery); a known address is refused and says so."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client

from successkit.accounts.models import Contact, User
from successkit.factories import PASSWORD, ContactFactory, StaffFactory

pytestmark = pytest.mark.django_db


def signed_in(user, language: str = "en") -> Client:
    user.language = language
    user.save()
    client = Client()
    assert client.post("/login/", {"username": user.email, "password": PASSWORD}).status_code == 302
    return client


def test_a_buyer_sees_only_their_organizations_contacts() -> None:
    me = ContactFactory(user__name="Elena Buyer")
    ContactFactory(organization=me.organization, user__name="Pablo Colleague")
    ContactFactory(user__name="Olga Outsider")
    html = signed_in(me.user).get("/colleagues/").content.decode()
    assert "Pablo Colleague" in html and "Elena Buyer" in html
    assert "Olga Outsider" not in html


def test_staff_have_no_colleagues_page() -> None:
    assert signed_in(StaffFactory()).get("/colleagues/").status_code == 404


def test_an_invited_colleague_gets_a_link_to_choose_a_password_and_signs_in() -> None:
    me = ContactFactory(user__name="Elena Buyer")
    client = signed_in(me.user, "es")
    done = client.post(
        "/colleagues/",
        {"name": "Marta Nueva", "email": "Marta@Clinic.test", "language": "es"},
        follow=True,
    )
    assert "Marta Nueva" in done.content.decode()
    invited = Contact.objects.get(user__email="marta@clinic.test")
    assert invited.organization_id == me.organization_id
    assert not invited.user.has_usable_password()
    (message,) = mail.outbox
    assert message.to == ["marta@clinic.test"]
    assert "Elena Buyer" in message.body and me.organization.name in message.body
    assert "Hola Marta Nueva" in message.body  # in the invitee's language
    link = re.search(r"http://testserver(/password-reset/\S+/)", message.body).group(1)

    visitor = Client()
    form = visitor.get(link, follow=True)
    assert form.status_code == 200
    chosen = visitor.post(
        form.redirect_chain[-1][0] if form.redirect_chain else link,
        {"new_password1": "a-long-new-Password-7", "new_password2": "a-long-new-Password-7"},
    )
    assert chosen.status_code == 302
    assert User.objects.get(email="marta@clinic.test").check_password("a-long-new-Password-7")
    assert Client().login(username="marta@clinic.test", password="a-long-new-Password-7")


def test_a_known_address_is_refused_clearly_and_nothing_is_sent() -> None:
    me = ContactFactory()
    colleague = ContactFactory(organization=me.organization)
    elsewhere = ContactFactory()
    client = signed_in(me.user)
    again = client.post(
        "/colleagues/", {"name": "X", "email": colleague.user.email.upper(), "language": "en"}
    )
    assert again.status_code == 409
    assert "is already one of your organization&#x27;s contacts" in again.content.decode()
    taken = client.post(
        "/colleagues/", {"name": "Y", "email": elsewhere.user.email, "language": "en"}
    )
    assert taken.status_code == 409
    assert "already exists" in taken.content.decode()
    assert Contact.objects.filter(organization=me.organization).count() == 2
    assert mail.outbox == []
