"""The worker's jobs: one delivery attempt of a mail or a webhook."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from django_tasks import task

from successkit.notifications import delivery, mail, webhooks
from successkit.notifications.models import Mail, WebhookDelivery


@task()
def deliver_mail(mail_id: int) -> str:
    return delivery.deliver(Mail, mail_id, mail.send, schedule=schedule_mail)


@task()
def deliver_webhook(delivery_id: int) -> str:
    from successkit.notifications.handlers import endpoint_failed

    return delivery.deliver(
        WebhookDelivery,
        delivery_id,
        webhooks.send,
        schedule=schedule_webhook,
        on_failed=endpoint_failed,
    )


def schedule_mail(pk: int, delay: timedelta | None) -> None:
    if delay:
        deliver_mail.using(run_after=timezone.now() + delay).enqueue(pk)
    else:
        deliver_mail.enqueue(pk)


def schedule_webhook(pk: int, delay: timedelta | None) -> None:
    if delay:
        deliver_webhook.using(run_after=timezone.now() + delay).enqueue(pk)
    else:
        deliver_webhook.enqueue(pk)
