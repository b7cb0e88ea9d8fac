from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from successkit import demo
from successkit.accounts.models import User
from successkit.accounts.services import sign_in
from successkit.contracts.models import Contract

pytestmark = pytest.mark.django_db


def test_createuser_makes_a_staff_user_who_can_sign_in(capsys) -> None:
    call_command(
        "createuser",
        "--email=ops@vendor.test",
        "--password=a-long-passphrase",
        "--role=admin",
        "--role=finance",
    )
    user = User.objects.get(email="ops@vendor.test")
    assert user.is_staff and user.is_superuser
    assert user.role_codes == {"admin", "finance"}
    assert sign_in("ops@vendor.test", "a-long-passphrase").startswith("sk_")
    assert "created ops@vendor.test" in capsys.readouterr().out


def test_createuser_refuses_a_taken_email() -> None:
    call_command("createuser", email="ops@vendor.test", password="a-long-passphrase", role=["csm"])
    with pytest.raises(CommandError, match="email_taken"):
        call_command(
            "createuser", email="ops@vendor.test", password="a-long-passphrase", role=["csm"]
        )
    assert User.objects.filter(email="ops@vendor.test").count() == 1


def test_demo_builds_every_package_once_and_is_rerunnable(capsys) -> None:
    call_command("demo")
    assert demo.ADMIN_PASSWORD in capsys.readouterr().out
    packages = sorted(Contract.objects.values_list("package__code", flat=True))
    assert packages == ["launch_kit", "premium", "pro_lite"]
    phases = {c.package.code: c.phase() for c in Contract.objects.all()}
    assert phases == {"launch_kit": "active", "pro_lite": "active", "premium": "ended"}
    roles = set().union(*(u.role_codes for u in User.objects.filter(is_staff=True)))
    assert roles == {
        "admin",
        "account_manager",
        "csm",
        "cs_engineer",
        "ld_specialist",
        "support",
        "finance",
    }
    call_command("demo")
    assert Contract.objects.count() == 3
