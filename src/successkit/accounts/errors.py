"""Refusals of the accounts app (SPEC.md §7 codes)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from successkit.core.errors import NotAuthenticated, SuccessKitError


class EmailTaken(SuccessKitError):
    code = "email_taken"
    status = 409
    default_message = _("A user with this email already exists.")


class AlreadyColleague(EmailTaken):
    """An invitation of an address that is already a contact of the organization."""

    default_message = _("%(email)s is already one of your organization's contacts.")


class InvalidCredentials(NotAuthenticated):
    code = "invalid_credentials"
    default_message = _("The email or password is not correct.")
