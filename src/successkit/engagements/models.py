from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from successkit.accounts.models import Contact
from successkit.catalog.models import SessionType
from successkit.contracts.models import Contract
from successkit.core.records import AppendOnly
from successkit.engagements.rules import (
    DELIVERED,
    HOLDS_SINGLE_USE,
    Balance,
    CancelledBy,
    SessionStatus,
)


class TrainingPool(models.Model):
    """A contract's training-and-consulting pool with its running balance (covered minutes).

    The balance is kept in step with ``PoolEntry`` rows in the same transaction; the rows
    are the truth and ``successkit check_ledger`` rebuilds the balance from them. The row
    is also the lock that serializes every booking of its contract.
    """

    contract = models.OneToOneField(
        Contract, on_delete=models.PROTECT, related_name="training_pool", verbose_name=_("contract")
    )
    # The package's pool, copied when the pool row is made, so that the database itself
    # refuses an overdraft (the constraint below), whatever the code does.
    included_minutes = models.IntegerField(_("included minutes"), default=0)
    reserved_minutes = models.IntegerField(_("reserved minutes"), default=0)
    used_minutes = models.IntegerField(_("used minutes"), default=0)

    class Meta:
        verbose_name = _("training pool")
        verbose_name_plural = _("training pools")
        constraints = [
            models.CheckConstraint(
                condition=Q(reserved_minutes__gte=0) & Q(used_minutes__gte=0),
                name="pool_balances_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(included_minutes__gte=F("reserved_minutes") + F("used_minutes")),
                name="pool_never_overdrawn",
            ),
        ]

    def __str__(self) -> str:
        return str(self.contract)

    def balance(self, included: int) -> Balance:
        return Balance(included=included, reserved=self.reserved_minutes, used=self.used_minutes)


class TrainingSession(models.Model):
    contract = models.ForeignKey(
        Contract, on_delete=models.PROTECT, related_name="sessions", verbose_name=_("contract")
    )
    session_type = models.ForeignKey(
        SessionType, on_delete=models.PROTECT, related_name="+", verbose_name=_("type")
    )
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=[
            (SessionStatus.BOOKED.value, pgettext_lazy("session status", "booked")),
            (SessionStatus.COMPLETED.value, pgettext_lazy("session status", "completed")),
            (SessionStatus.CANCELLED.value, pgettext_lazy("session status", "cancelled")),
            (SessionStatus.NO_SHOW.value, pgettext_lazy("session status", "no-show")),
        ],
        default=SessionStatus.BOOKED.value,
    )
    starts_at = models.DateTimeField(_("starts at"))
    duration_minutes = models.PositiveIntegerField(_("booked minutes"))
    actual_minutes = models.PositiveIntegerField(_("actual minutes"), null=True, blank=True)
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="delivered_sessions",
        verbose_name=_("delivered by"),
    )
    platforms = models.JSONField(_("platforms"), default=list, blank=True)
    covered_minutes = models.PositiveIntegerField(_("covered minutes"), default=0)
    billable_minutes = models.PositiveIntegerField(_("billable minutes"), default=0)
    # The caller accepted this many billable minutes (a later change may bill up to this
    # many without asking again).
    accepted_billable_minutes = models.PositiveIntegerField(
        _("accepted billable minutes"), default=0
    )
    hourly_rate = models.DecimalField(
        _("hourly rate"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    billable_amount = models.DecimalField(
        _("billable amount"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    # Whether a statement line bills this session: written by billing in the transaction
    # that writes the line (the engagement code never sets it), so the unbilled lines of
    # the whole book are read from the index below rather than by checking every
    # delivered session for a statement line (``successkit check_billed`` proves they agree).
    billed = models.BooleanField(_("billed"), default=False, editable=False)
    # Copy of the session type's single-use term, so the database itself refuses a second
    # live session of a single-use type (the partial unique constraint below).
    single_use = models.BooleanField(_("once per contract"), default=False)
    cancelled_by = models.CharField(
        _("cancelled by"),
        max_length=8,
        blank=True,
        choices=[(CancelledBy.VENDOR.value, _("vendor")), (CancelledBy.BUYER.value, _("buyer"))],
    )
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("booked by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("training session")
        verbose_name_plural = _("training sessions")
        ordering = ["starts_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "session_type"],
                condition=Q(single_use=True, status__in=sorted(s.value for s in HOLDS_SINGLE_USE)),
                name="single_use_session_once_per_contract",
            ),
        ]
        indexes = [
            models.Index(fields=["contract", "status"]),
            # Sessions past their start still booked, and the oldest unbilled line (billing
            # by age): per contract and status, by start.
            models.Index(
                fields=["contract", "status", "starts_at"], name="session_contract_status_start"
            ),
            # The unbilled lines (delivered, billable, on no statement yet): of the whole
            # book or of one contract. Not a partial index: SQLite uses one only when the
            # query spells its condition with literal values, and queries bind them.
            models.Index(
                fields=["billed", "status", "contract", "billable_minutes", "starts_at"],
                name="session_unbilled",
            ),
            # The same lines alone, per contract by start (the billing page's contracts
            # with something to bill, and each one's oldest line): PostgreSQL reads this
            # small index where the one above, without vacuumed pages, costs a scan of
            # every session. The condition is the one billing's queries spell.
            models.Index(
                fields=["contract", "starts_at"],
                name="session_unbilled_line",
                condition=Q(
                    billed=False,
                    billable_minutes__gt=0,
                    status__in=sorted(status.value for status in DELIVERED),
                ),
            ),
            # Sessions still booked, by start: those past it are overdue (the cockpit).
            models.Index(
                fields=["starts_at"], name="session_booked_start", condition=Q(status="booked")
            ),
        ]

    def __str__(self) -> str:
        return f"{self.session_type.code} {self.starts_at:%Y-%m-%d %H:%M} ({self.status})"


class PoolEntry(AppendOnly):
    """One append-only move of a training pool, in covered minutes: a booking reserves,
    a completion or no-show posts (reserved → used), a cancellation or move releases."""

    class Kind(models.TextChoices):
        RESERVE = "reserve", _("reserve")
        RELEASE = "release", _("release")
        POST = "post", _("post")

    pool = models.ForeignKey(TrainingPool, on_delete=models.PROTECT, related_name="entries")
    session = models.ForeignKey(
        TrainingSession, on_delete=models.PROTECT, related_name="pool_entries"
    )
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    reserved_delta = models.IntegerField(_("reserved change"))
    used_delta = models.IntegerField(_("used change"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        verbose_name = _("pool entry")
        verbose_name_plural = _("pool ledger")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.reserved_delta:+d}/{self.used_delta:+d}"


def material_path(material: SessionMaterial, filename: str) -> str:
    return f"materials/contract-{material.session.contract_id}/{filename}"


class SessionMaterial(models.Model):
    """Presentation material handed to the buyer with a session (a link or a file), for
    session types that carry materials (the implementation meeting)."""

    session = models.ForeignKey(TrainingSession, on_delete=models.CASCADE, related_name="materials")
    title = models.CharField(_("title"), max_length=200)
    url = models.URLField(_("link"), blank=True)
    file = models.FileField(_("file"), upload_to=material_path, blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    added_at = models.DateTimeField(_("added"), auto_now_add=True)

    class Meta:
        verbose_name = _("presentation material")
        verbose_name_plural = _("presentation materials")
        ordering = ["added_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(url="") | ~Q(file=""), name="material_is_a_link_or_a_file"
            )
        ]

    def __str__(self) -> str:
        return self.title


class BillableAcceptance(AppendOnly):
    """Append-only: someone accepted billable minutes of a session at a quote (SPEC.md §2).
    A buyer contact accepts for the buyer; vendor staff accept on the buyer's behalf,
    naming the buyer contact who agreed when known."""

    session = models.ForeignKey(
        TrainingSession,
        on_delete=models.PROTECT,
        related_name="acceptances",
        verbose_name=_("session"),
    )
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("accepted by"),
    )
    on_behalf_of = models.ForeignKey(
        Contact,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("on behalf of"),
    )
    at = models.DateTimeField(_("when"), default=timezone.now)
    minutes = models.PositiveIntegerField(_("billable minutes"))
    hourly_rate = models.DecimalField(_("hourly rate"), max_digits=12, decimal_places=2)
    amount = models.DecimalField(_("quoted amount"), max_digits=14, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3)

    class Meta:
        verbose_name = _("acceptance of billable minutes")
        verbose_name_plural = _("acceptances of billable minutes")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.session_id}: {self.minutes} min, {self.amount} {self.currency}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise ValueError("BillableAcceptance rows are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise ValueError("BillableAcceptance rows are append-only")
