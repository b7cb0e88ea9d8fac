from __future__ import annotations

import pytest

from successkit import demo

pytestmark = pytest.mark.django_db


def test_the_demo_has_held_scheduled_and_missed_health_checks() -> None:
    launch_kit, pro_lite, premium = demo.build_demo().contracts
    assert launch_kit.health_checks.count() == 0
    assert [check.status().value for check in pro_lite.health_checks.order_by("period_index")] == [
        "completed",
        "missed",
        "scheduled",
        "due",
    ]
    premium_statuses = [check.status().value for check in premium.health_checks.all()]
    assert (premium_statuses.count("completed"), premium_statuses.count("missed")) == (9, 3)
