from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Event(models.Model):
    """Something that happened, written in the transaction of the change that caused it
    (the transactional outbox): a rolled-back change leaves no event behind.

    ``subject``/``subject_id`` name the object (``engagements.trainingsession`` 42);
    ``data`` holds facts of the moment the handlers need (a session's calendar sequence,
    the days before a contract ends); ``key`` makes a sweep's event happen once.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    type = models.CharField(_("type"), max_length=40)
    subject = models.CharField(_("subject"), max_length=64)
    subject_id = models.BigIntegerField(_("subject id"))
    data = models.JSONField(_("data"), default=dict, blank=True)
    key = models.CharField(_("key"), max_length=200, null=True, blank=True, unique=True)
    occurred_at = models.DateTimeField(_("occurred"), default=timezone.now)
    handled_at = models.DateTimeField(_("handled"), null=True, blank=True)

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["-occurred_at"]
        indexes = [models.Index(fields=["subject", "subject_id", "type"])]

    def __str__(self) -> str:
        return f"{self.type} {self.subject_id}"
