"""Authentication backends: admin permissions from staff roles, and the signed-in user of
a page read with what every page needs of them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Permission

from successkit.accounts.models import StaffRole, User
from successkit.accounts.roles import permissions_query

# What the pages read of the signed-in user on every request (accounts/middleware.py: the
# zone of their pages), joined to the user's own row: a buyer's contact and organization,
# and what the app that keeps staff members' zones registers (``staff_zones_from``).
PAGE_USER_RELATED: tuple[str, ...] = ("contact__organization",)


def _no_zone(user: Any) -> str | None:
    return None


_staff_zone: Callable[[Any], str | None] = _no_zone


def staff_zones_from(related: str, zone_of: Callable[[Any], str | None]) -> None:
    """Called once, when the apps are ready, by the app that keeps staff members' time
    zones (scheduling, a layer above this one): the one-to-one relation of the user to join
    to every page's user and how to read the zone from it (None: the server's default)."""
    global PAGE_USER_RELATED, _staff_zone
    if related not in PAGE_USER_RELATED:
        PAGE_USER_RELATED = (*PAGE_USER_RELATED, related)
    _staff_zone = zone_of


def staff_zone(user: Any) -> str | None:
    """A staff member's own zone, read from the rows loaded with them; None for the
    server's default."""
    return _staff_zone(user)


class RoleBackend(ModelBackend):
    """Admin permissions follow the user's staff roles, read from the roles themselves.

    Nothing is copied into auth groups, so a role works however its row was written
    (a form, ``bulk_create``, a restore): the roles and ``accounts.roles.ROLE_PERMISSIONS``
    are the only truth.
    """

    def get_user(self, user_id: Any) -> User | None:
        """The signed-in user of a page, with ``PAGE_USER_RELATED`` in the same query."""
        try:
            user = User._default_manager.select_related(*PAGE_USER_RELATED).get(pk=user_id)
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None

    def _get_group_permissions(self, user_obj: Any) -> Any:
        roles = set(StaffRole.objects.filter(user=user_obj).values_list("role", flat=True))
        if not roles:
            return Permission.objects.none()
        return Permission.objects.filter(permissions_query(roles))
