"""Refusals of the accounts app (SPEC.md §7 codes)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from successkit.core.errors import NotAuthenticated, SuccessKitError


class EmailTaken(SuccessKitError):
    code = "email_taken"
    status = 409
    default_message = _("A user with this email already exists.")


class InvalidCredentials(NotAuthenticated):
    code = "invalid_credentials"
    default_message = _("The email or password is not correct.")
