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


# A message claimed this long ago and still sending lost its worker mid-send (killed,
# machine gone): no send takes this long (SMTP and webhook timeouts are far shorter).
STUCK_AFTER = timedelta(minutes=10)
STUCK_MAIL_NOTE = (
    "The worker stopped while handing this message to the mail server, so it may or may "
    "not have been sent. Retry it if the reader did not get it."
)


def recover_stuck() -> int:
    """Messages left sending by a worker that died mid-send.

    A webhook goes back in line: it is sent again with the same ``webhook-id``, which the
    Standard Webhooks scheme tells receivers to deduplicate on, so the event still arrives
    once. A mail cannot be taken back if the server had accepted it, so it is never sent
    twice unasked: it becomes failed with a note saying so, where admins retry the dead
    letters.
    """
    from successkit.notifications.tasks import schedule_webhook

    before = timezone.now() - STUCK_AFTER
    stuck_mail = Mail.objects.filter(status=DeliveryStatus.SENDING, next_attempt_at__lt=before)
    count = stuck_mail.update(status=DeliveryStatus.FAILED, last_error=STUCK_MAIL_NOTE)
    for pk in WebhookDelivery.objects.filter(
        status=DeliveryStatus.SENDING, next_attempt_at__lt=before
    ).values_list("pk", flat=True)[:500]:
        moved = WebhookDelivery.objects.filter(pk=pk, status=DeliveryStatus.SENDING).update(
            status=DeliveryStatus.PENDING, next_attempt_at=timezone.now()
        )
        if moved:
            schedule_webhook(pk, None)
            count += 1
    return count
