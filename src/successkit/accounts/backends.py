"""Authentication backends: admin permissions from staff roles."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Permission

from successkit.accounts.models import StaffRole
from successkit.accounts.roles import permissions_query


class RoleBackend(ModelBackend):
    """Admin permissions follow the user's staff roles, read from the roles themselves.

    Nothing is copied into auth groups, so a role works however its row was written
    (a form, ``bulk_create``, a restore): the roles and ``accounts.roles.ROLE_PERMISSIONS``
    are the only truth.
    """

    def _get_group_permissions(self, user_obj: Any) -> Any:
        roles = set(StaffRole.objects.filter(user=user_obj).values_list("role", flat=True))
        if not roles:
            return Permission.objects.none()
        return Permission.objects.filter(permissions_query(roles))
