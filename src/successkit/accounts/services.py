"""Operations on people and organizations: staff, buyer organizations and contacts, tokens."""

from __future__ import annotations

import hashlib
import secrets
import zoneinfo
from collections.abc import Iterable
from datetime import timedelta
from functools import cache

from babel import Locale
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from successkit.accounts.actors import Actor
from successkit.accounts.models import ApiToken, Contact, Language, Organization, StaffRole, User
from successkit.accounts.roles import ACCOUNT_ROLES, Role
from successkit.core.errors import NotAuthenticated, SuccessKitError, ValidationFailed

TOKEN_PREFIX = "sk_"
LAST_USED_RESOLUTION = timedelta(minutes=1)


class EmailTaken(SuccessKitError):
    code = "email_taken"
    status = 409
    default_message = _("A user with this email already exists.")


class InvalidCredentials(NotAuthenticated):
    code = "invalid_credentials"
    default_message = _("The email or password is not correct.")


# --- validation -------------------------------------------------------------------------


@cache
def _countries() -> frozenset[str]:
    codes = [str(code) for code in Locale("en").territories]
    return frozenset(code for code in codes if len(code) == 2 and code.isalpha())


def clean_country(value: str) -> str:
    code = value.strip().upper()
    if code not in _countries():
        raise ValidationFailed(
            _("%(value)s is not an ISO 3166 country code."),
            details={"field": "country"},
            value=value,
        )
    return code


def clean_timezone(value: str) -> str:
    if value not in zoneinfo.available_timezones():
        raise ValidationFailed(
            _("%(value)s is not an IANA time zone."), details={"field": "timezone"}, value=value
        )
    return value


def clean_language(value: str) -> str:
    if value not in Language.values:
        raise ValidationFailed(
            _("Language must be one of: %(choices)s."),
            details={"field": "language"},
            choices=", ".join(Language.values),
        )
    return value


def set_preferred_language(user: User, language: str) -> None:
    """The language every page and message speaks to this user (profile, header switch)."""
    user.language = clean_language(language)
    user.save(update_fields=["language"])


def clean_email(value: str) -> str:
    email = value.strip().lower()
    try:
        validate_email(email)
    except DjangoValidationError:
        raise ValidationFailed(
            _("%(value)s is not a valid email address."), details={"field": "email"}, value=value
        ) from None
    if User.objects.filter(email=email).exists():
        raise EmailTaken(details={"field": "email"})
    return email


def clean_name(value: str, field: str = "name") -> str:
    name = value.strip()
    if not name:
        raise ValidationFailed(
            _("%(field)s must not be empty."), details={"field": field}, field=field
        )
    return name


def clean_password(password: str, user: User | None = None) -> str:
    try:
        validate_password(password, user)
    except DjangoValidationError as error:
        raise ValidationFailed(
            " ".join(str(message) for message in error.messages), details={"field": "password"}
        ) from None
    return password


def clean_roles(roles: Iterable[str]) -> list[str]:
    wanted = list(dict.fromkeys(roles))
    unknown = [role for role in wanted if role not in Role.values]
    if not wanted or unknown:
        raise ValidationFailed(
            _("Roles must be one or more of: %(choices)s."),
            details={"field": "roles"},
            choices=", ".join(Role.values),
        )
    return wanted


# --- operations -------------------------------------------------------------------------


@transaction.atomic
def create_staff(
    actor: Actor | None,
    *,
    email: str,
    name: str,
    roles: Iterable[str],
    password: str,
    language: str = Language.EN,
) -> User:
    """A staff member who signs in. ``actor`` None is the command line (trusted)."""
    if actor is not None:
        actor.require_role(Role.ADMIN)
    role_codes = clean_roles(roles)
    user = User(
        email=clean_email(email),
        name=clean_name(name),
        language=clean_language(language),
        is_staff=True,
        is_superuser=Role.ADMIN in role_codes,
    )
    user.set_password(clean_password(password, user))
    user.save()
    for role in role_codes:  # one by one, so that the audit trail records each grant
        StaffRole.objects.create(user=user, role=role)
    return user


@transaction.atomic
def create_organization(
    actor: Actor, *, name: str, country: str, timezone: str, language: str
) -> Organization:
    actor.require_role(*ACCOUNT_ROLES)
    return Organization.objects.create(
        name=clean_name(name),
        country=clean_country(country),
        timezone=clean_timezone(timezone),
        language=clean_language(language),
    )


@transaction.atomic
def create_contact(
    actor: Actor,
    organization: Organization,
    *,
    name: str,
    email: str,
    language: str,
    password: str,
) -> Contact:
    actor.require_role(*ACCOUNT_ROLES)
    user = User(email=clean_email(email), name=clean_name(name), language=clean_language(language))
    user.set_password(clean_password(password, user))
    user.save()
    return Contact.objects.create(organization=organization, user=user)


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def issue_token(user: User) -> str:
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    ApiToken.objects.create(user=user, digest=_digest(raw), prefix=raw[:10])
    return raw


def sign_in(email: str, password: str) -> str:
    """A new bearer token for valid credentials of an active user."""
    user = authenticate(username=email.strip().lower(), password=password)
    if not isinstance(user, User):
        raise InvalidCredentials()
    return issue_token(user)


def user_for_token(raw: str) -> User | None:
    try:
        token = ApiToken.objects.select_related("user", "user__contact").get(
            digest=_digest(raw), revoked_at__isnull=True, user__is_active=True
        )
    except ApiToken.DoesNotExist:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


def revoke_token(raw: str) -> None:
    ApiToken.objects.filter(digest=_digest(raw), revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
