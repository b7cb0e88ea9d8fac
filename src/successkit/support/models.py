from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from successkit.accounts.models import User
from successkit.contracts.models import Contract
from successkit.core.audit import history_user
from successkit.core.records import AppendOnly
from successkit.support import rules


class CaseType(models.TextChoices):
    NEW_ORDER = rules.CaseType.NEW_ORDER.value, _("New order")
    RETURN = rules.CaseType.RETURN.value, _("Return")
    EXCHANGE = rules.CaseType.EXCHANGE.value, _("Exchange")
    PRODUCT_QUESTION = rules.CaseType.PRODUCT_QUESTION.value, _("Product question")
    TECHNICAL_ISSUE = rules.CaseType.TECHNICAL_ISSUE.value, _("Technical issue")


class Queue(models.TextChoices):
    ORDERS_LOGISTICS = rules.Queue.ORDERS_LOGISTICS.value, _("Orders and logistics")
    TECHNICAL_SUPPORT = rules.Queue.TECHNICAL_SUPPORT.value, _("Technical support")
    CUSTOMER_SUCCESS = rules.Queue.CUSTOMER_SUCCESS.value, _("Customer success")


class CaseStatus(models.TextChoices):
    OPEN = rules.CaseStatus.OPEN.value, _("Open")
    WAITING_ON_BUYER = rules.CaseStatus.WAITING_ON_BUYER.value, _("Waiting on buyer")
    ESCALATED = rules.CaseStatus.ESCALATED.value, _("Escalated")
    RESOLVED = rules.CaseStatus.RESOLVED.value, _("Resolved")
    CLOSED = rules.CaseStatus.CLOSED.value, _("Closed")

    @classmethod
    def label_for(cls, status: str, *, contact: bool) -> str:
        """The status's name as its reader says it: a buyer's contact reads that a case
        waiting on the buyer waits on them (staff read "Waiting on buyer")."""
        if contact and status == cls.WAITING_ON_BUYER:
            return str(_("Waiting on you"))
        return str(cls(status).label)


class EventKind(models.TextChoices):
    OPENED = "opened", _("Opened")
    STATUS_CHANGED = "status_changed", _("Status changed")
    ASSIGNED = "assigned", _("Assigned")
    QUEUE_CHANGED = "queue_changed", _("Queue changed")
    ESCALATED = "escalated", _("Escalated")


class Order(models.Model):
    """Rings a buyer ordered under a contract, and when they arrived."""

    contract = models.ForeignKey(
        Contract, on_delete=models.PROTECT, related_name="orders", verbose_name=_("contract")
    )
    reference = models.CharField(_("reference"), max_length=64)
    placed_on = models.DateField(_("placed on"), null=True, blank=True)
    shipped_on = models.DateField(_("shipped on"), null=True, blank=True)
    received_on = models.DateField(
        _("received on"),
        null=True,
        blank=True,
        help_text=_("The day the buyer received it, in the buyer's time zone."),
    )
    created_by = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
        help_text=_("Empty: imported from the command line."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    history = HistoricalRecords(
        get_user=history_user,
        verbose_name=_("order change"),
        verbose_name_plural=_("order changes"),
    )

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        ordering = ["contract", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "reference"], name="order_reference_per_contract"
            )
        ]

    def __str__(self) -> str:
        return self.reference

    def dates(self) -> rules.OrderDates:
        return rules.OrderDates(self.placed_on, self.shipped_on, self.received_on)


class OrderLine(models.Model):
    order = models.ForeignKey(
        Order, on_delete=models.CASCADE, related_name="lines", verbose_name=_("order")
    )
    sku = models.CharField(_("SKU"), max_length=64)
    size = models.CharField(_("ring size"), max_length=8)
    colour = models.CharField(_("colour"), max_length=40, blank=True)
    quantity = models.PositiveIntegerField(_("quantity"))

    class Meta:
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")
        ordering = ["order", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(quantity__gte=1), name="order_line_quantity_positive"
            )
        ]

    def __str__(self) -> str:
        return f"{self.quantity} x {self.sku} {self.size} {self.colour}".strip()

    @property
    def item(self) -> rules.Item:
        return rules.Item(self.sku, self.size, self.colour)


class StagedOrderLine(models.Model):
    """One checked line of an order import, written in small batches before the whole
    import is published at once (``services.import_orders``); never read by anything else,
    and deleted when the import is published or abandoned."""

    batch = models.CharField(max_length=32, db_index=True)
    contract_id = models.BigIntegerField()
    line = models.PositiveIntegerField()
    reference = models.CharField(max_length=64)
    placed_on = models.DateField(null=True)
    shipped_on = models.DateField(null=True)
    received_on = models.DateField(null=True)
    sku = models.CharField(max_length=64)
    size = models.CharField(max_length=8)
    colour = models.CharField(max_length=40, blank=True)
    quantity = models.PositiveIntegerField()

    class Meta:
        verbose_name = _("staged order line")
        verbose_name_plural = _("staged order lines")

    def __str__(self) -> str:
        return f"{self.batch} line {self.line}"


class Case(models.Model):
    """A support matter of one contract, routed to a queue and followed to its end."""

    contract = models.ForeignKey(
        Contract, on_delete=models.PROTECT, related_name="cases", verbose_name=_("contract")
    )
    type = models.CharField(_("type"), max_length=32, choices=CaseType.choices)
    queue = models.CharField(_("queue"), max_length=32, choices=Queue.choices)
    status = models.CharField(
        _("status"), max_length=32, choices=CaseStatus.choices, default=CaseStatus.OPEN
    )
    subject = models.CharField(_("subject"), max_length=200)
    order = models.ForeignKey(
        Order,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
        verbose_name=_("order"),
    )
    assignee = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_cases",
        verbose_name=_("assigned to"),
    )
    opened_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="opened_cases", verbose_name=_("opened by")
    )
    opened_at = models.DateTimeField(_("opened"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-opened_at", "-id"]
        # Every filter of the case list (all, a queue, a status, both, a type) in its order,
        # newest first, so a page reads its own rows only; the count of each queue by
        # status from the first; a queue's live cases oldest first (the queues page) from
        # the live ones alone; a contract's open and escalated cases.
        indexes = [
            models.Index(
                fields=["queue", "status", "opened_at", "id"], name="case_queue_status_opened"
            ),
            models.Index(fields=["queue", "opened_at", "id"], name="case_queue_opened"),
            models.Index(fields=["status", "opened_at", "id"], name="case_status_opened"),
            models.Index(fields=["opened_at", "id"], name="case_opened"),
            models.Index(fields=["type", "opened_at", "id"], name="case_type_opened"),
            models.Index(
                fields=["queue", "opened_at", "id"],
                name="case_live_queue_opened",
                condition=~models.Q(status="closed"),
            ),
            models.Index(fields=["contract", "status"], name="case_contract_status"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.subject}"


class ExchangeLine(models.Model):
    """What an exchange case sends back (``sku``, ``size``, ``colour``) and for what."""

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="exchanges", verbose_name=_("case")
    )
    sku = models.CharField(_("SKU"), max_length=64)
    size = models.CharField(_("ring size"), max_length=8)
    colour = models.CharField(_("colour"), max_length=40, blank=True)
    to_sku = models.CharField(_("new SKU"), max_length=64)
    to_size = models.CharField(_("new ring size"), max_length=8)
    to_colour = models.CharField(_("new colour"), max_length=40, blank=True)
    quantity = models.PositiveIntegerField(_("quantity"))

    class Meta:
        verbose_name = _("exchange line")
        verbose_name_plural = _("exchange lines")
        ordering = ["case", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(quantity__gte=1), name="exchange_line_quantity_positive"
            )
        ]

    def __str__(self) -> str:
        return f"{self.quantity} x {self.sku} {self.size} → {self.to_sku} {self.to_size}"


class CaseLine(models.Model):
    """An order line a return or exchange concerns, and how many of its rings."""

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="lines", verbose_name=_("case")
    )
    order_line = models.ForeignKey(
        OrderLine, on_delete=models.PROTECT, related_name="case_lines", verbose_name=_("order line")
    )
    quantity = models.PositiveIntegerField(_("quantity"))

    class Meta:
        verbose_name = _("case line")
        verbose_name_plural = _("case lines")
        ordering = ["case", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(quantity__gte=1), name="case_line_quantity_positive"
            ),
            models.UniqueConstraint(fields=["case", "order_line"], name="case_line_once"),
        ]

    def __str__(self) -> str:
        return f"#{self.case_id}: {self.quantity} x {self.order_line}"


class Message(models.Model):
    """One entry of a case's conversation. Internal notes are for vendor staff only."""

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="messages", verbose_name=_("case")
    )
    author = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name=_("author")
    )
    body = models.TextField(_("message"))
    internal = models.BooleanField(
        _("internal note"), default=False, help_text=_("Never shown to the buyer.")
    )
    created_at = models.DateTimeField(_("written"), auto_now_add=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"#{self.case_id} {self.author_id} {self.created_at:%Y-%m-%d %H:%M}"


class CaseEvent(AppendOnly):
    """The history of a case: who changed what, and when. Append-only."""

    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, related_name="events", verbose_name=_("case")
    )
    kind = models.CharField(_("kind"), max_length=32, choices=EventKind.choices)
    actor = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)
    # Codes or ids as text: a status code, a queue code, a staff id (empty: nobody).
    from_value = models.CharField(_("from"), max_length=64, blank=True)
    to_value = models.CharField(_("to"), max_length=64, blank=True)
    note = models.TextField(_("note"), blank=True, help_text=_("Staff only."))

    class Meta:
        verbose_name = _("case event")
        verbose_name_plural = _("case events")
        ordering = ["at", "id"]
        # When a case last came back to the vendor (the cockpit's longest-waiting cases).
        indexes = [models.Index(fields=["case", "kind", "at"], name="case_event_kind_at")]

    def __str__(self) -> str:
        return f"#{self.case_id} {self.kind} {self.from_value} → {self.to_value}"
