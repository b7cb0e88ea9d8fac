"""Operations on people and organizations: staff, buyer organizations and contacts, tokens."""

from __future__ import annotations

import hashlib
import os
import secrets
import zoneinfo
from collections.abc import Iterable
from datetime import timedelta
from enum import StrEnum
from functools import cache
from typing import Any

from babel import Locale
from django.apps import apps
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import OuterRef, QuerySet, Subquery
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from successkit.accounts import throttling
from successkit.accounts.actors import Actor
from successkit.accounts.errors import AlreadyColleague, EmailTaken, InvalidCredentials
from successkit.accounts.models import ApiToken, Contact, Language, Organization, StaffRole, User
from successkit.accounts.roles import Duty, Role
from successkit.accounts.token_query import token_holder
from successkit.core import audit
from successkit.core.aggregates import Joined
from successkit.core.bounds import bad_text
from successkit.core.errors import (
    NotFound,
    TooManyAttempts,
    ValidationFailed,
)
from successkit.core.text import clean_text

TOKEN_PREFIX = "sk_"
LAST_USED_RESOLUTION = timedelta(minutes=1)
TOKEN_LIFETIME = timedelta(days=int(os.environ.get("SUCCESSKIT_TOKEN_LIFETIME_DAYS", "90")))
TOKENS_PER_USER = max(1, int(os.environ.get("SUCCESSKIT_TOKENS_PER_USER", "20")))
MAX_PASSWORD_LENGTH = 4096


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


def active_staff() -> QuerySet[User]:
    """Staff who can be given work: active, with staff access, not a buyer's contact."""
    return User.objects.filter(is_staff=True, is_active=True, contact=None)


def role_codes_column(user_field: str) -> Subquery:
    """A column of the roles of the user at ``user_field`` (of the outer query), joined
    with commas: read a staff member's roles in the query that loads them
    (``with_role_codes``) instead of a query of its own."""
    return Subquery(
        StaffRole.objects.filter(user_id=OuterRef(user_field))
        .order_by()
        .values("user_id")
        .annotate(joined=Joined("role"))
        .values("joined")
    )


def with_role_codes(user: User, joined: str | None) -> User:
    """``user`` knowing the roles read with them (``role_codes_column``): asking
    ``role_codes`` then costs no query."""
    user.known_role_codes = frozenset(joined.split(",")) if joined else frozenset()
    return user


def clean_name(value: str, field: str = "name") -> str:
    return clean_text(value, field)


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
        actor.require(Duty.ADMINISTER)
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
    actor.require(Duty.RUN_ACCOUNTS)
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
    actor.require(Duty.RUN_ACCOUNTS)
    user = User(email=clean_email(email), name=clean_name(name), language=clean_language(language))
    user.set_password(clean_password(password, user))
    user.save()
    return Contact.objects.create(organization=organization, user=user)


@transaction.atomic
def add_contact(
    actor: Actor,
    organization_id: int,
    *,
    name: str,
    email: str,
    language: str,
    password: str,
) -> Contact:
    """``create_contact`` for an organization named by id: account staff only (anyone
    else is refused before the organization is looked up)."""
    actor.require(Duty.RUN_ACCOUNTS)
    return create_contact(
        actor,
        organization_for(actor, organization_id),
        name=name,
        email=email,
        language=language,
        password=password,
    )


# --- reading ------------------------------------------------------------------------------


def listed_staff(actor: Actor) -> QuerySet[User]:
    """Every staff member with their roles, in id order (staff only)."""
    actor.require_staff()
    return User.objects.filter(is_staff=True).prefetch_related("staff_roles").order_by("id")


def visible_organizations(actor: Actor) -> QuerySet[Organization]:
    """The organizations the actor may see (a buyer contact: their own), in id order."""
    return actor.scope(Organization.objects.order_by("id"), "")


def organization_for(actor: Actor, organization_id: int) -> Organization:
    """An organization the actor may see, or ``not_found``."""
    return actor.get(Organization.objects.all(), organization_id, "")


def organization_contacts(actor: Actor, organization_id: int) -> QuerySet[Contact]:
    """The contacts of an organization the actor may see, with their users, in id order."""
    organization = organization_for(actor, organization_id)
    return organization.contacts.select_related("user").order_by("id")


def colleagues(actor: Actor, organization_id: int) -> list[Contact]:
    """The active contacts of a buyer organization: its own contacts see them, and
    account staff; anyone else finds nothing."""
    if actor.is_contact and actor.organization_id != organization_id:
        raise NotFound()
    if not actor.is_contact:
        actor.require(Duty.RUN_ACCOUNTS)
    return list(
        Contact.objects.filter(organization_id=organization_id, user__is_active=True)
        .select_related("user")
        .order_by("user__name", "id")
    )


@transaction.atomic
def invite_colleague(
    actor: Actor, organization_id: int, *, name: str, email: str, language: str
) -> Contact:
    """A buyer contact adds a colleague of their own organization as a contact (account
    staff may too). The new user has no password yet: the door mails them a link to
    choose one. An address already known is refused, and says so."""
    known = colleagues(actor, organization_id)
    wanted = email.strip().lower()
    if any(contact.user.email == wanted for contact in known):
        raise AlreadyColleague(details={"field": "email"}, email=wanted)
    organization = Organization.objects.get(pk=organization_id)
    user = User(email=clean_email(email), name=clean_name(name), language=clean_language(language))
    user.set_unusable_password()
    user.save()
    return Contact.objects.create(organization=organization, user=user)


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def issue_token(user: User) -> str:
    """A new bearer token, valid for ``TOKEN_LIFETIME``; a user keeps at most
    ``TOKENS_PER_USER`` live tokens (the oldest are revoked to make room)."""
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = timezone.now()
    with transaction.atomic():
        live = ApiToken.objects.filter(user=user, revoked_at__isnull=True, expires_at__gt=now)
        keep = list(live.order_by("-created_at", "-id").values_list("pk", flat=True))
        surplus = keep[TOKENS_PER_USER - 1 :]
        if surplus:
            ApiToken.objects.filter(pk__in=surplus).update(revoked_at=now)
        ApiToken.objects.create(
            user=user, digest=_digest(raw), prefix=raw[:10], expires_at=now + TOKEN_LIFETIME
        )
    return raw


def sign_in(email: str, password: str, request: HttpRequest | None = None) -> str:
    """A new bearer token for valid credentials of an active user.

    Throttled per account and per address (``accounts/throttling.py``): too many failures
    are ``too_many_attempts`` (429) whatever the password."""
    if request is None:  # the command line and tests: a local caller
        request = HttpRequest()
        request.META["REMOTE_ADDR"] = "127.0.0.1"
    account = email.strip().lower()
    if not account or len(account) > throttling.MAX_EMAIL_LENGTH or bad_text(account):
        raise InvalidCredentials()
    if bad_text(password) or len(password) > MAX_PASSWORD_LENGTH:
        raise InvalidCredentials()
    user = authenticate(request, username=account, password=password)
    if throttling.locked_out(request):
        raise TooManyAttempts(retry_after=throttling.retry_after(request))
    if not isinstance(user, User):
        raise InvalidCredentials()
    return issue_token(user)


def user_for_token(raw: str) -> User | None:
    """The active user of a live token, with their staff roles, buyer contact and its
    organization, all read in one query (every API request starts here). Nothing is
    cached between requests: a revoked or expired token, or a deactivated user, fails on
    the very next request on every server process."""
    if not raw.isascii() or len(raw) > 200:
        return None
    now = timezone.now()
    holder = token_holder(_digest(raw), now)
    if holder is None:
        return None
    if holder.last_used_at is None or now - holder.last_used_at > LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=holder.token_id).update(last_used_at=now)
    holder.user._token_id = holder.token_id  # type: ignore[attr-defined]
    return holder.user


def token_user(request: HttpRequest, raw: str) -> User | None:
    """``user_for_token``, read once per request (the idempotency check and the API's auth
    both ask)."""
    known = getattr(request, "_token_user", None)
    if known is not None and known[0] == raw:
        return known[1]
    user = user_for_token(raw)
    request._token_user = (raw, user)  # type: ignore[attr-defined]
    return user


def caller_id(request: HttpRequest) -> int | None:
    """The id of the user a request acts for (bearer token, else the session), or None.
    ``settings.SUCCESSKIT_CALLER_ID``: idempotency keys belong to this user."""
    scheme, _, raw = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "bearer" and raw:
        user = token_user(request, raw.strip())
        return user.pk if user is not None else None
    user = getattr(request, "user", None)
    return user.pk if user is not None and user.is_authenticated else None


def caller_language(request: HttpRequest) -> str | None:
    """The language of the token's holder when the API answers before its auth has run
    (an unknown path, a refused body), or None to keep the request's own (Accept-Language).
    ``settings.SUCCESSKIT_CALLER_LANGUAGE``: core's error answers speak it."""
    if getattr(request, "actor", None) is not None:
        return None  # the API's auth has already chosen it
    scheme, _, raw = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not raw.strip():
        return None
    user = token_user(request, raw.strip())
    return user.language if user is not None else None


def live_tokens(user: User) -> list[ApiToken]:
    """The user's tokens that still work, newest first."""
    return list(
        ApiToken.objects.filter(
            user=user, revoked_at__isnull=True, expires_at__gt=timezone.now()
        ).order_by("-created_at", "-id")
    )


def revoke_token_of(user: User, token_id: int) -> None:
    """Revoke one of the user's own tokens (``not_found`` for anyone else's)."""
    updated = ApiToken.objects.filter(pk=token_id, user=user, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    if not updated:
        raise NotFound()


def revoke_token(raw: str) -> None:
    ApiToken.objects.filter(digest=_digest(raw), revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )


# --- the audit trail ----------------------------------------------------------------------


class AuditedType(StrEnum):
    CONTRACT = "contract"
    ORDER = "order"
    ORGANIZATION = "organization"
    STAFF_ROLE = "staff_role"
    RATE = "rate"


# Looked up by label, so that the lowest app does not import the ones above it.
AUDITED_MODELS = {
    AuditedType.CONTRACT: "contracts.Contract",
    AuditedType.ORDER: "support.Order",
    AuditedType.ORGANIZATION: "accounts.Organization",
    AuditedType.STAFF_ROLE: "accounts.StaffRole",
    AuditedType.RATE: "billing.HourlyRate",  # the rate card (pricing), table in billing
}


def audit_trail(actor: Actor, audited: AuditedType) -> QuerySet[Any]:
    """The history rows of one audited type, newest first, each with its acting user
    (admins only). Each row names the row it changed from (simple-history's
    ``prev_record``) as ``previous_id``, by a subquery: ``with_changes`` reads those for a
    whole page at once."""
    actor.require(Duty.ADMINISTER)
    history = audit.history_of(apps.get_model(AUDITED_MODELS[audited])).objects.select_related(
        "history_user"
    )
    model = history.model
    return history.annotate(
        previous_id=Subquery(
            model.objects.filter(id=OuterRef("id"), history_date__lt=OuterRef("history_date"))
            .order_by("-history_date", "-history_id")
            .values("history_id")[:1]
        )
    ).order_by("-history_date", "-history_id")


def audit_trail_of(history: QuerySet[Any], object_id: int) -> QuerySet[Any]:
    """``audit_trail`` narrowed to one object (an unknown id finds none)."""
    return history.filter(id=object_id)


def with_changes(rows: list[Any]) -> None:
    """Gives each history row of ``rows`` (from ``audit_trail``) its ``audit_changes``:
    the fields it changed, from the row before it. One query for the whole page, never
    one per row."""
    if not rows:
        return
    model = type(rows[0])
    wanted = [row.previous_id for row in rows if row.previous_id is not None]
    previous_rows = model.objects.in_bulk(wanted, field_name="history_id")
    for row in rows:
        previous = previous_rows.get(row.previous_id)
        history = [previous, row] if previous is not None else [row]
        row.audit_changes = [
            change for change in audit.changes(history) if change.record is row and change.field
        ]
