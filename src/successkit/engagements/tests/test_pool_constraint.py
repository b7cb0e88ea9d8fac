"""The database itself refuses an overdraft of a training pool: covered minutes reserved
plus used never exceed the minutes the package includes, whatever the code does."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from successkit.engagements.models import TrainingPool
from successkit.engagements.services import lock_pool
from successkit.engagements.tests.helpers import contract_starting

pytestmark = pytest.mark.django_db


def test_the_pool_row_carries_what_the_package_includes() -> None:
    contract = contract_starting(timezone.localdate() - timedelta(days=5))
    with transaction.atomic():
        pool = lock_pool(contract)
    assert pool.included_minutes == contract.package.training_minutes == 120


def test_an_overdraft_by_one_minute_is_refused_by_the_database() -> None:
    contract = contract_starting(timezone.localdate() - timedelta(days=5))
    with transaction.atomic():
        pool = lock_pool(contract)
    TrainingPool.objects.filter(pk=pool.pk).update(reserved_minutes=100, used_minutes=20)
    with pytest.raises(IntegrityError), transaction.atomic():
        TrainingPool.objects.filter(pk=pool.pk).update(reserved_minutes=F("reserved_minutes") + 1)
    pool.refresh_from_db()
    assert (pool.reserved_minutes, pool.used_minutes) == (100, 20)
