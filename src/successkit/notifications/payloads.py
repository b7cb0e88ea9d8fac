"""The ``data`` of a webhook: the object as the API shows it.

The shapes belong to the doors (each app's API module); the composition root
(``successkit.api``) registers them here, so this app never imports a door.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module
from typing import Any
from urllib.parse import urljoin

from django.conf import settings
from django.db import models
from django.http import HttpRequest
from ninja import Schema

Shape = Callable[[HttpRequest, Any], Schema]
_shapes: dict[str, Shape] = {}


def register_shape(subject: str, shape: Shape) -> None:
    """``subject`` is a model's ``app_label.modelname``; ``shape(request, obj)``."""
    _shapes[subject] = shape


class SiteRequest(HttpRequest):
    """A request standing for the site itself: absolute links point at
    ``SUCCESSKIT_SITE_URL`` (a worker has no incoming request to take them from)."""

    def build_absolute_uri(self, location: str | None = None) -> str:
        return urljoin(settings.SUCCESSKIT_SITE_URL + "/", (location or "/").lstrip("/"))


def shape(obj: models.Model) -> dict[str, object]:
    """The object as the API answers it, before JSON encoding (as ninja dumps it)."""
    subject = obj._meta.label_lower
    if subject not in _shapes:
        import_module(settings.ROOT_URLCONF)  # loading the doors registers their shapes
    return _shapes[subject](SiteRequest(), obj).model_dump()
