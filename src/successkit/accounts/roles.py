"""Staff roles, and what each may do in the back office.

A role is a stable code (stored); its label comes from the translation catalog. Each
role gives the admin permissions listed below, read from the roles themselves by
``accounts.backends.RoleBackend`` (no auth groups to keep in step). ``DUTIES`` is the one
table of which roles may do what through the services.
"""

from __future__ import annotations

import operator
from enum import StrEnum
from functools import reduce
from typing import Any

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMIN = "admin", _("Administrator")
    ACCOUNT_MANAGER = "account_manager", _("Account manager")
    CSM = "csm", _("Customer Success manager")
    CS_ENGINEER = "cs_engineer", _("Customer Success engineer")
    LD_SPECIALIST = "ld_specialist", _("Learning & development specialist")
    SUPPORT = "support", _("Support")
    FINANCE = "finance", _("Finance")


class Duty(StrEnum):
    """What the services let staff do; ``DUTIES`` says which roles may."""

    RUN_ACCOUNTS = "run_accounts"
    DELIVER_SESSIONS = "deliver_sessions"
    HANDLE_CASES = "handle_cases"
    RECORD_ORDERS = "record_orders"
    BILL = "bill"
    SET_RATES = "set_rates"
    ADMINISTER = "administer"


# The one table of who may do what in the services (the admin role may do everything).
# Catalog data adds roles per package (who delivers a health check, who is the contact).
_ACCOUNT_TEAM = frozenset({Role.ADMIN, Role.ACCOUNT_MANAGER, Role.CSM})
DUTIES: dict[str, frozenset[str]] = {
    Duty.RUN_ACCOUNTS: _ACCOUNT_TEAM,
    Duty.DELIVER_SESSIONS: _ACCOUNT_TEAM | {Role.CS_ENGINEER, Role.LD_SPECIALIST},
    Duty.HANDLE_CASES: _ACCOUNT_TEAM | {Role.CS_ENGINEER, Role.SUPPORT},
    Duty.RECORD_ORDERS: _ACCOUNT_TEAM | {Role.SUPPORT},
    Duty.BILL: frozenset({Role.ADMIN, Role.FINANCE}),
    Duty.SET_RATES: frozenset({Role.ADMIN, Role.FINANCE}),
    Duty.ADMINISTER: frozenset({Role.ADMIN}),
}
# Roles that run customer accounts: they create organizations, contacts and contracts.
ACCOUNT_ROLES = DUTIES[Duty.RUN_ACCOUNTS]

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


def permissions_query(roles: set[str]) -> Q:
    """The admin permissions the roles give, as a filter on ``Permission`` (one table: above).

    The admin role gives every permission; no role gives none.
    """
    if Role.ADMIN in roles:
        return Q()
    granted = [Q(content_type__app_label__in=VIEWABLE_APPS, codename__startswith="view_")]
    for role in sorted(roles):
        for app_label, actions in ROLE_PERMISSIONS.get(role, {}).items():
            granted.extend(
                Q(content_type__app_label=app_label, codename__startswith=f"{action}_")
                for action in actions
            )
    return reduce(operator.or_, granted) if roles else Q(pk__in=[])


def sync_user_access(user: Any) -> None:
    """Keep the admin site's flags in step: staff roles make staff, the admin role a superuser."""
    codes = set(user.staff_roles.values_list("role", flat=True))
    is_admin = Role.ADMIN in codes
    if user.is_superuser != is_admin or (codes and not user.is_staff):
        user.is_superuser = is_admin
        user.is_staff = user.is_staff or bool(codes)
        user.save(update_fields=["is_superuser", "is_staff"])


def staff_role_changed(sender: Any, instance: Any, **kwargs: Any) -> None:
    if kwargs.get("raw"):
        return
    sync_user_access(instance.user)
