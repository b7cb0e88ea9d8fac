"""Every contract page of the demo renders for its representative, an admin and its buyer
(orders, cases, timeline, billing lines with whatever the demo holds)."""

from __future__ import annotations

import pytest
from django.test import Client

from successkit import demo
from successkit.accounts.models import User

pytestmark = pytest.mark.django_db


def test_every_demo_contract_page_renders_for_staff_and_buyer(settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path
    built = demo.build_demo()
    for contract in built.contracts:
        readers = [built.admin, contract.representative, contract.buyer_contact.user]
        for user in readers:
            client = Client()
            client.force_login(User.objects.get(pk=user.pk))
            page = client.get(f"/contracts/{contract.pk}/")
            assert page.status_code == 200, (contract.pk, user.email)
            html = page.content.decode()
            assert 'id="orders"' in html and 'id="timeline"' in html
            assert ('id="billing"' in html) == user.is_staff
