"""Safety nets run by every worker now and then."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from successkit.notifications.models import DeliveryStatus, Mail, WebhookDelivery
from successkit.outbox.models import Event

# A pending message this late has lost its job (a job row deleted, a worker killed between
# two writes): it is queued again. The claim makes a duplicate job harmless.
STALLED_AFTER = timedelta(minutes=5)


def requeue_stalled() -> int:
    from successkit.notifications.tasks import schedule_mail, schedule_webhook
    from successkit.outbox.tasks import handle_event

    before = timezone.now() - STALLED_AFTER
    count = 0
    for pk in Mail.objects.filter(
        status=DeliveryStatus.PENDING, next_attempt_at__lt=before
    ).values_list("pk", flat=True)[:500]:
        schedule_mail(pk, None)
        count += 1
    for pk in WebhookDelivery.objects.filter(
        status=DeliveryStatus.PENDING, next_attempt_at__lt=before
    ).values_list("pk", flat=True)[:500]:
        schedule_webhook(pk, None)
        count += 1
    for event_id in Event.objects.filter(
        handled_at__isnull=True, occurred_at__lt=before
    ).values_list("pk", flat=True)[:500]:
        handle_event.enqueue(str(event_id))
        count += 1
    return count
