"""Who is calling: a staff member with roles, or a buyer contact bound to one organization."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Model, QuerySet
from django.http import HttpRequest

from successkit.accounts.models import User
from successkit.accounts.roles import DUTIES, Role
from successkit.core.errors import NotFound, PermissionDenied

M = TypeVar("M", bound=Model)


@dataclass(frozen=True)
class Actor:
    user: User
    roles: frozenset[str]
    organization_id: int | None

    @classmethod
    def of(cls, user: User) -> Actor:
        contact = getattr(user, "contact", None) if not user.is_staff else None
        return cls(
            user=user,
            roles=user.role_codes if user.is_staff else frozenset(),
            organization_id=contact.organization_id if contact is not None else None,
        )

    @property
    def is_staff(self) -> bool:
        return self.user.is_staff and self.organization_id is None

    @property
    def is_contact(self) -> bool:
        return self.organization_id is not None

    def has_role(self, *roles: str) -> bool:
        return self.is_staff and (Role.ADMIN in self.roles or bool(self.roles.intersection(roles)))

    def require_role(self, *roles: str) -> None:
        if not self.has_role(*roles):
            raise PermissionDenied()

    def may(self, duty: str) -> bool:
        """Whether this actor's roles allow ``duty`` (``accounts.roles.DUTIES``)."""
        return self.has_role(*DUTIES[duty])

    def require(self, duty: str) -> None:
        if not self.may(duty):
            raise PermissionDenied()

    def require_staff(self) -> None:
        if not self.is_staff:
            raise PermissionDenied()

    def scope(self, queryset: QuerySet[M], organization_field: str = "organization") -> QuerySet[M]:
        """Restrict ``queryset`` to what this actor may see: everything for staff, the
        contact's own organization otherwise (and nothing for anyone else).

        ``organization_field`` is the path from the model to its organization; empty when
        the model is ``Organization`` itself."""
        if self.is_staff:
            return queryset
        if self.organization_id is None:
            return queryset.none()
        lookup = f"{organization_field}_id" if organization_field else "pk"
        return queryset.filter(**{lookup: self.organization_id})

    def get(self, queryset: QuerySet[M], pk: object, organization_field: str = "organization") -> M:
        """One visible object, or ``not_found`` (never a hint that another tenant has it)."""
        try:
            return self.scope(queryset, organization_field).get(pk=pk)
        except (ObjectDoesNotExist, ValueError, TypeError):
            raise NotFound() from None


def actor_of(request: HttpRequest) -> Actor:
    """Who is calling, for every door: the API's bearer token (``request.actor``, set by
    the API's auth) or the signed-in user of a page."""
    actor = getattr(request, "actor", None)
    if isinstance(actor, Actor):
        return actor
    actor = Actor.of(request.user)  # type: ignore[arg-type]
    request.actor = actor  # type: ignore[attr-defined]
    return actor
