"""Working hours, time off, and what each staff member is busy with (SPEC.md §9).

``BusyInterval`` holds one row per meeting of a staff member (a training session or a
scheduled health check), written by the services that book, move, cancel and schedule, in
their own transaction. On PostgreSQL an exclusion constraint (migration 0002) refuses two
live rows of one staff member that overlap, whatever the race; on SQLite every write
transaction holds the database's write lock, under which ``services.occupy`` checks first.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from successkit.scheduling import rules


class Availability(models.Model):
    """A staff member's time zone; their weekly hours and time off hang from it."""

    staff = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="availability",
        verbose_name=_("staff member"),
    )
    timezone = models.CharField(_("time zone"), max_length=64, help_text=_("IANA name"))
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("updated by"),
    )

    class Meta:
        verbose_name = _("availability")
        verbose_name_plural = _("availabilities")

    def __str__(self) -> str:
        return f"{self.staff} ({self.timezone})"

    def value(self) -> rules.Availability:
        """As a rules value (prefetch ``weekly`` and ``time_off`` for many rows)."""
        return rules.Availability(
            timezone=self.timezone,
            weekly=tuple(
                rules.WeeklyHours(h.weekday, h.start_minute, h.end_minute)
                for h in sorted(self.weekly.all(), key=lambda h: (h.weekday, h.start_minute))
            ),
            time_off=tuple(
                rules.TimeOff(t.start_date, t.end_date)
                for t in sorted(self.time_off.all(), key=lambda t: t.start_date)
            ),
        )


class WorkingHours(models.Model):
    availability = models.ForeignKey(Availability, on_delete=models.CASCADE, related_name="weekly")
    weekday = models.PositiveSmallIntegerField(_("weekday"), help_text=_("1 Monday … 7 Sunday"))
    start_minute = models.PositiveSmallIntegerField(_("from (minutes after midnight)"))
    end_minute = models.PositiveSmallIntegerField(_("until (minutes after midnight)"))

    class Meta:
        verbose_name = _("working hours")
        verbose_name_plural = _("working hours")
        ordering = ["availability", "weekday", "start_minute"]
        constraints = [
            models.CheckConstraint(
                condition=Q(weekday__gte=1, weekday__lte=7), name="working_hours_weekday"
            ),
            models.CheckConstraint(
                condition=Q(end_minute__gt=F("start_minute"), end_minute__lte=rules.DAY_MINUTES),
                name="working_hours_end_after_start",
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.weekday} {rules.format_clock(self.start_minute)}"
            f"-{rules.format_clock(self.end_minute)}"
        )


class TimeOff(models.Model):
    availability = models.ForeignKey(
        Availability, on_delete=models.CASCADE, related_name="time_off"
    )
    start_date = models.DateField(_("first day off"))
    end_date = models.DateField(_("last day off"))

    class Meta:
        verbose_name = _("time off")
        verbose_name_plural = _("time off")
        ordering = ["availability", "start_date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")), name="time_off_end_after_start"
            )
        ]

    def __str__(self) -> str:
        return f"{self.start_date} - {self.end_date}"


class BusyInterval(models.Model):
    """The time one meeting takes from its staff member. ``live`` is False once the
    meeting no longer holds the time (a cancelled session)."""

    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="busy_intervals",
        verbose_name=_("staff member"),
    )
    kind = models.CharField(
        _("meeting"),
        max_length=16,
        choices=[
            (rules.MeetingKind.SESSION.value, _("training session")),
            (rules.MeetingKind.HEALTH_CHECK.value, _("health check")),
        ],
    )
    meeting_id = models.BigIntegerField(_("meeting id"))
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    live = models.BooleanField(_("holds the time"), default=True)

    class Meta:
        verbose_name = _("busy interval")
        verbose_name_plural = _("busy intervals")
        ordering = ["staff", "starts_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "meeting_id"], name="busy_interval_per_meeting"
            ),
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="busy_interval_not_empty"
            ),
        ]
        indexes = [
            models.Index(
                fields=["staff", "starts_at"], condition=Q(live=True), name="busy_live_by_staff"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.meeting_id}: {self.starts_at:%Y-%m-%d %H:%M}"


class CalendarFeed(models.Model):
    """The secret of a staff member's calendar subscription. The address carries an HMAC
    of ``key`` (never stored); rotating the key revokes every address given before."""

    staff = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    key = models.CharField(max_length=64)
    rotated_at = models.DateTimeField(_("issued"), auto_now=True)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self) -> str:
        return str(self.staff)
