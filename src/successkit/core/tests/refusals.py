"""A form refused on a page comes back to that page (Post/Redirect/Get): the POST answers
303 to the page's own address, and the page's next GET draws the form as it was sent."""

from __future__ import annotations

from django.http import HttpResponse
from django.test import Client


def shown_after(client: Client, refused: HttpResponse, page: str, anchor: str = "") -> str:
    """The page a refused form was sent back to, as its next GET draws it: the POST
    answered 303 to ``page`` (at ``anchor``), never a page drawn at the form's address."""
    assert refused.status_code == 303, refused.content[:300]
    assert refused["Location"] == (f"{page}#{anchor}" if anchor else page)
    shown = client.get(page)
    assert shown.status_code == 200
    return shown.content.decode()
