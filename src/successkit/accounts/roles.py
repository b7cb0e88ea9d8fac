"""Staff roles, and what each may do in the back office.

A role is a stable code (stored); its label comes from the translation catalog. Each
role maps to a Django auth ``Group`` of the same name carrying the admin permissions
listed below, kept in step after every migration.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMIN = "admin", _("Administrator")
    ACCOUNT_MANAGER = "account_manager", _("Account manager")
    CSM = "csm", _("Customer Success manager")
    CS_ENGINEER = "cs_engineer", _("Customer Success engineer")
    LD_SPECIALIST = "ld_specialist", _("Learning & development specialist")
    SUPPORT = "support", _("Support")
    FINANCE = "finance", _("Finance")


# Roles that run customer accounts: they create organizations, contacts and contracts.
ACCOUNT_ROLES = frozenset({Role.ADMIN, Role.ACCOUNT_MANAGER, Role.CSM})

# Admin permissions by role: app label -> actions. Every staff role can view everything.
_EDIT = ("add", "change")
ROLE_PERMISSIONS: dict[str, dict[str, tuple[str, ...]]] = {
    Role.ACCOUNT_MANAGER: {
        "accounts": _EDIT,
        "contracts": _EDIT,
        "engagements": _EDIT,
        "healthchecks": _EDIT,
        "support": _EDIT,
    },
    Role.CSM: {
        "accounts": _EDIT,
        "contracts": _EDIT,
        "engagements": _EDIT,
        "healthchecks": _EDIT,
        "support": _EDIT,
    },
    Role.CS_ENGINEER: {"engagements": _EDIT, "healthchecks": _EDIT, "support": _EDIT},
    Role.LD_SPECIALIST: {"engagements": _EDIT, "healthchecks": _EDIT},
    Role.SUPPORT: {"support": _EDIT},
    Role.FINANCE: {"billing": _EDIT},
}
VIEWABLE_APPS = (
    "accounts",
    "catalog",
    "contracts",
    "billing",
    "engagements",
    "healthchecks",
    "support",
)


def sync_role_groups(sender: Any = None, **kwargs: Any) -> None:
    """Create or update one auth group per non-admin role (admins are superusers)."""
    from django.contrib.auth.models import Group, Permission

    using = kwargs.get("using", "default")
    view = Permission.objects.using(using).filter(
        content_type__app_label__in=VIEWABLE_APPS, codename__startswith="view_"
    )
    for role in Role:
        if role == Role.ADMIN:
            continue
        group, _created = Group.objects.using(using).get_or_create(name=role.value)
        permissions = set(view)
        for app_label, actions in ROLE_PERMISSIONS.get(role, {}).items():
            for action in actions:
                permissions.update(
                    Permission.objects.using(using).filter(
                        content_type__app_label=app_label, codename__startswith=f"{action}_"
                    )
                )
        group.permissions.set(permissions)


def sync_user_access(user: Any) -> None:
    """Give a staff user the groups of their roles; the admin role makes a superuser."""
    from django.contrib.auth.models import Group

    codes = set(user.staff_roles.values_list("role", flat=True))
    missing = codes - set(Group.objects.filter(name__in=codes).values_list("name", flat=True))
    if missing - {Role.ADMIN}:
        sync_role_groups()
    user.groups.set(Group.objects.filter(name__in=codes))
    is_admin = Role.ADMIN in codes
    if user.is_superuser != is_admin or (codes and not user.is_staff):
        user.is_superuser = is_admin
        user.is_staff = user.is_staff or bool(codes)
        user.save(update_fields=["is_superuser", "is_staff"])


def staff_role_changed(sender: Any, instance: Any, **kwargs: Any) -> None:
    if kwargs.get("raw"):
        return
    sync_user_access(instance.user)
