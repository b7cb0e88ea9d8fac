"""Authentication backends: admin permissions from staff roles, and the signed-in user of
a page read with what every page needs of them."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Permission

from successkit.accounts.models import StaffRole, User
from successkit.accounts.roles import permissions_query

# What the pages read of the signed-in user on every request (accounts/middleware.py: the
# zone of their pages), joined to the user's own row: a buyer's contact and organization,
# a staff member's working hours (``scheduling.Availability``, one row per staff member).
PAGE_USER_RELATED = ("contact__organization", "availability")


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
