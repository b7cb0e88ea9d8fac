"""Support pages: a buyer contact's cases and a form to open one, a staff queue view,
and a case's conversation. Thin views over the same services as the API."""

from __future__ import annotations

import io

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from successkit.accounts.actors import Actor, actor_of
from successkit.contracts.services import contract_for
from successkit.core.errors import SuccessKitError, ValidationFailed
from successkit.core.pages import act
from successkit.support import rules, services
from successkit.support.errors import OrderImportRejected, RowProblem
from successkit.support.forms import (
    AssignForm,
    EscalateForm,
    ImportForm,
    OpenCaseForm,
    OrderForm,
    QueueFilterForm,
    ReceiptForm,
    ReplyForm,
    StatusForm,
)
from successkit.support.models import Case, CaseStatus, Queue

CASES_PER_PAGE = 50
# How many of a queue's live cases the queues page shows, oldest first.
QUEUE_PREVIEW = 20


def _case(actor: Actor, case_id: int) -> Case:
    return services.case_for(actor, case_id)


def _refused(form: forms.Form, refusal: SuccessKitError) -> int:
    form.add_error(None, refusal.render_message())
    return refusal.status


@login_required
def cases(request: HttpRequest) -> HttpResponse:
    """Buyers: their organization's cases and where to open one. Staff: every case."""
    actor = actor_of(request)
    filters = QueueFilterForm(request.GET or None, contact=actor.is_contact)
    chosen = filters.cleaned_data if filters.is_valid() else {}
    listed = services.case_list(
        actor, queue=chosen.get("queue") or "", status=chosen.get("status") or ""
    )
    contracts = services.contracts_to_open_cases(actor)
    page = Paginator(listed, CASES_PER_PAGE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "support/cases.html",
        {
            "cases": page.object_list,
            "page": page,
            "params": params.urlencode(),
            "contracts": contracts,
            "filters": filters,
            "actor": actor,
        },
    )


@login_required
def queues(request: HttpRequest) -> HttpResponse:
    """Staff: the cases of every queue by status, and the live ones to pick up."""
    board = services.queue_board(actor_of(request), QUEUE_PREVIEW)
    return render(request, "support/queues.html", {"board": board, "statuses": CaseStatus})


@login_required
def open_case(request: HttpRequest, contract_id: int) -> HttpResponse:
    actor = actor_of(request)
    contract = contract_for(actor, contract_id)
    orders = services.orders_newest_first(actor, contract)
    form = OpenCaseForm(request.POST or None, orders=orders)
    status = 200
    if request.method == "POST" and form.is_valid():
        order = form.cleaned_data["order"]
        kind = rules.CaseType(form.cleaned_data["type"])
        try:
            case = services.open_case(
                actor,
                contract,
                case_type=kind,
                subject=form.cleaned_data["subject"],
                description=form.cleaned_data["description"],
                order_id=order.pk if order else None,
                lines=[
                    services.CaseLineIn(line_id, quantity)
                    for line_id, quantity in form.named_lines()
                ]
                if rules.needs_order(kind)
                else [],
                exchanges=form.named_exchanges() if kind is rules.CaseType.EXCHANGE else [],
            )
        except SuccessKitError as refusal:
            status = _refused(form, refusal)
        else:
            return redirect("support:case", case_id=case.pk)
    elif request.method == "POST":
        status = 422
    windows = [
        {
            "order": window.order,
            "until": window.until,
            "open": window.open,
            # Rings to name only where a return or exchange can still be asked for.
            "inputs": form.line_inputs(window.order.pk) if window.open else [],
        }
        for window in services.return_windows(orders, contract.today())
    ]
    return render(
        request,
        "support/open_case.html",
        {"form": form, "contract": contract, "windows": windows},
        status=status,
    )


@login_required
def case_detail(request: HttpRequest, case_id: int) -> HttpResponse:
    """The conversation, and a reply form (staff may write internal notes)."""
    actor = actor_of(request)
    case = _case(actor, case_id)
    reply = ReplyForm(request.POST or None, staff=actor.is_staff)
    status = 200
    if request.method == "POST" and reply.is_valid():
        internal = reply.cleaned_data.get("internal", False)
        try:
            services.post_message(actor, case, body=reply.cleaned_data["body"], internal=internal)
        except SuccessKitError as refusal:
            status = _refused(reply, refusal)
        else:
            messages.success(
                request,
                gettext("Your internal note is saved: only staff see it.")
                if internal
                else gettext("Your reply is posted."),
            )
            return redirect("support:case", case_id=case.pk)
    elif request.method == "POST":
        status = 422
    return _render_case(request, actor, case, reply=reply, status=status)


def _render_case(
    request: HttpRequest,
    actor: Actor,
    case: Case,
    *,
    reply: ReplyForm | None = None,
    status_form: StatusForm | None = None,
    escalate_form: EscalateForm | None = None,
    status: int = 200,
) -> HttpResponse:
    context = {
        "actor": actor,
        "case": case,
        "thread": services.visible_messages(actor, case),
        "exchanges": services.case_exchanges(case),
        "case_lines": services.case_lines(case),
        "vendor_contact": case.contract.vendor_contact(),
        "history": services.history_rows(case) if actor.is_staff else None,
        "reply": reply or ReplyForm(staff=actor.is_staff),
        "status_form": (status_form or StatusForm(initial={"status": case.status}, case=case))
        if actor.is_staff
        else None,
        "assign_form": AssignForm(initial={"assignee": case.assignee_id})
        if actor.is_staff
        else None,
        "escalate_form": (escalate_form or EscalateForm())
        if services.can_escalate(actor, case)
        else None,
    }
    return render(request, "support/case.html", context, status=status)


@login_required
@require_POST
def change_status(request: HttpRequest, case_id: int) -> HttpResponse:
    actor = actor_of(request)
    case = _case(actor, case_id)
    form = StatusForm(request.POST, case=case)
    if form.is_valid():
        try:
            changed = services.change_status(
                actor, case, form.cleaned_data["status"], note=form.cleaned_data["note"]
            )
        except SuccessKitError as refusal:
            return _render_case(
                request, actor, case, status_form=form, status=_refused(form, refusal)
            )
        messages.success(
            request,
            gettext("The case's status is now “%(status)s”.")
            % {"status": CaseStatus(changed.status).label},
        )
        return redirect("support:case", case_id=case.pk)
    return _render_case(request, actor, case, status_form=form, status=422)


@login_required
@require_POST
def assign(request: HttpRequest, case_id: int) -> HttpResponse:
    """Take a case (assign it to me), or give it to someone, or back to the queue."""
    actor = actor_of(request)
    actor.require_staff()
    case = _case(actor, case_id)
    if request.POST.get("take"):
        assignee_id: int | None = actor.user.pk
    else:
        form = AssignForm(request.POST)
        if not form.is_valid():
            return _render_case(request, actor, case, status=422)
        chosen = form.cleaned_data["assignee"]
        assignee_id = chosen.pk if chosen else None
    try:
        services.assign_case(actor, case, assignee_id)
    except SuccessKitError as refusal:
        messages.error(request, refusal.render_message())
    else:
        messages.success(request, gettext("The case is assigned."))
    return redirect("support:case", case_id=case.pk)


@login_required
@require_POST
def escalate(request: HttpRequest, case_id: int) -> HttpResponse:
    actor = actor_of(request)
    case = _case(actor, case_id)
    form = EscalateForm(request.POST)
    if form.is_valid():
        assignee = form.cleaned_data["assignee"]
        try:
            escalated = services.escalate_case(
                actor,
                case,
                reason=form.cleaned_data["reason"],
                queue=form.cleaned_data["queue"] or None,
                assignee_id=assignee.pk if assignee else None,
            )
        except SuccessKitError as refusal:
            return _render_case(
                request, actor, case, escalate_form=form, status=_refused(form, refusal)
            )
        queue_name = Queue(escalated.queue).label
        messages.success(
            request,
            gettext("The case is escalated to %(name)s (%(queue)s).")
            % {"name": escalated.assignee.name, "queue": queue_name}
            if escalated.assignee is not None
            else gettext("The case is escalated to the “%(queue)s” queue.") % {"queue": queue_name},
        )
        return redirect("support:case", case_id=case.pk)
    return _render_case(request, actor, case, escalate_form=form, status=422)


# --- orders, from the contract page ------------------------------------------------------


def _orders_of(contract_id: int) -> HttpResponse:
    return redirect(reverse("engagements:contract", args=[contract_id]) + "#orders")


@login_required
def record_order(request: HttpRequest, contract_id: int) -> HttpResponse:
    """Staff record one of the buyer's orders with its lines. The form sits on the
    contract page; a refused one comes back here with what was typed."""
    actor = actor_of(request)
    contract = contract_for(actor, contract_id)
    actor.require_staff()
    form = OrderForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            order = services.record_order(
                actor,
                contract,
                reference=data["reference"],
                lines=form.lines(),
                placed_on=data["placed_on"],
                shipped_on=data["shipped_on"],
                received_on=data["received_on"],
            )
        except SuccessKitError as refusal:
            status = _refused(form, refusal)
        else:
            messages.success(
                request, gettext("Order %(reference)s is recorded.") % {"reference": order}
            )
            return _orders_of(contract.pk)
    elif request.method == "POST":
        status = 422
    return render(
        request, "support/order_form.html", {"form": form, "contract": contract}, status=status
    )


@login_required
@require_POST
def record_receipt(request: HttpRequest, order_id: int) -> HttpResponse:
    """The day the buyer received an order (or its correction): the returns window
    starts from it."""
    actor = actor_of(request)
    order = services.order_for(actor, order_id)
    form = ReceiptForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
    else:
        act(
            request,
            lambda: services.update_order_dates(
                actor, order, {"received_on": form.cleaned_data["received_on"]}
            ),
            done=gettext("The receipt date of order %(reference)s is recorded.")
            % {"reference": order.reference},
        )
    return redirect(
        reverse("engagements:contract", args=[order.contract_id]) + f"#order-{order.pk}"
    )


@login_required
def import_orders(request: HttpRequest, contract_id: int) -> HttpResponse:
    """A CSV file of orders: all rows or none; a refused file lists its bad rows by line."""
    actor = actor_of(request)
    contract = contract_for(actor, contract_id)
    actor.require_staff()
    form = ImportForm(request.POST or None, request.FILES or None)
    problems: list[RowProblem] = []
    status = 200
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            try:
                text = upload.read().decode("utf-8-sig")
            except UnicodeDecodeError:
                raise ValidationFailed(_("The file is not UTF-8 text.")) from None
            rows = services.read_order_rows(io.StringIO(text, newline=""))
            count = services.import_orders(actor, contract, rows)
        except OrderImportRejected as refusal:
            problems = refusal.problems
            status = _refused(form, refusal)
        except SuccessKitError as refusal:
            status = _refused(form, refusal)
        else:
            messages.success(
                request,
                ngettext("%(count)s order is imported.", "%(count)s orders are imported.", count)
                % {"count": count},
            )
            return _orders_of(contract.pk)
    elif request.method == "POST":
        status = 422
    return render(
        request,
        "support/import_orders.html",
        {"form": form, "contract": contract, "problems": problems},
        status=status,
    )
