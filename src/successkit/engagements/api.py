"""API v1: training entitlements and sessions."""

from __future__ import annotations

from pathlib import PurePath
from zoneinfo import ZoneInfo

from django.http import FileResponse, HttpRequest, HttpResponse
from ninja import File, Form, Query, Router, Status
from ninja.files import UploadedFile

from successkit.accounts.actors import actor_of
from successkit.contracts.services import contract_for
from successkit.core.calendar import calendar_download
from successkit.core.errors import NotFound
from successkit.core.pagination import Page, page
from successkit.core.schemas import (
    FORBIDDEN,
    errors,
    object_id,
)
from successkit.engagements import services
from successkit.engagements.calendar import session_calendar
from successkit.engagements.models import BillableAcceptance, SessionMaterial, TrainingSession
from successkit.engagements.schemas import (
    AcceptanceOut,
    ActorRefOut,
    AsOf,
    CancelIn,
    EntitlementsOut,
    HealthChecksOut,
    MaterialIn,
    MaterialOut,
    MaterialPage,
    MoveIn,
    SessionCompleteIn,
    SessionDetailOut,
    SessionIn,
    SessionOut,
    SessionPage,
    SlotList,
    SlotOut,
    SlotQuery,
    TrainingOut,
    VendorContactOut,
)
from successkit.engagements.slots import free_slots

router = Router(tags=["training"])


def session_out(session: TrainingSession) -> SessionOut:
    return SessionOut.model_construct(
        id=str(session.pk),
        contract_id=str(session.contract_id),
        type=session.session_type.code,
        status=session.status,
        # In the buyer's time zone, with its offset: the wall-clock time both sides meet.
        starts_at=session.starts_at.astimezone(ZoneInfo(session.contract.organization.timezone)),
        duration_minutes=session.duration_minutes,
        actual_minutes=session.actual_minutes,
        staff_id=str(session.staff_id),
        platforms=session.platforms,
        covered_minutes=session.covered_minutes,
        billable_minutes=session.billable_minutes,
        billable_amount=f"{session.billable_amount or 0:.2f}",
        hourly_rate=f"{session.hourly_rate:.2f}" if session.hourly_rate is not None else None,
        currency=session.contract.currency,
        cancelled_by=session.cancelled_by or None,
    )


def acceptance_out(acceptance: BillableAcceptance) -> AcceptanceOut:
    user = acceptance.accepted_by
    contact = None if user.is_staff else getattr(user, "contact", None)
    return AcceptanceOut.model_construct(
        by=ActorRefOut.model_construct(
            id=str(contact.pk if contact is not None else user.pk),
            kind="contact" if contact is not None else "staff",
        ),
        on_behalf_of_contact_id=(
            str(acceptance.on_behalf_of_id) if acceptance.on_behalf_of_id else None
        ),
        at=acceptance.at,
        minutes=acceptance.minutes,
        amount=f"{acceptance.amount:.2f}",
        currency=acceptance.currency,
    )


def session_detail_out(session: TrainingSession) -> SessionDetailOut:
    return SessionDetailOut.model_construct(
        **dict(session_out(session)),
        acceptances=[acceptance_out(a) for a in services.acceptances_of(session)],
    )


def _contact_id(value: str | int | None) -> int | None:
    return None if value is None else object_id(value, "on_behalf_of_contact_id")


def material_out(material: SessionMaterial) -> MaterialOut:
    return MaterialOut.model_construct(
        id=str(material.pk),
        session_id=str(material.session_id),
        title=material.title,
        url=material.url or f"/api/v1/materials/{material.pk}/file",
        kind="link" if material.url else "file",
        added_at=material.added_at,
    )


def session_for(request: HttpRequest, session_id: str) -> TrainingSession:
    return services.session_for(actor_of(request), object_id(session_id))


@router.get(
    "/contracts/{contract_id}/entitlements",
    **errors(r200=EntitlementsOut),
    summary="What the contract includes, has used and has left",
)
def entitlements(request: HttpRequest, contract_id: str, query: Query[AsOf]) -> EntitlementsOut:
    # The health checks come with the contract: one query after the token's.
    contract = contract_for(
        actor_of(request),
        object_id(contract_id),
        "training_pool",
        extra=services.entitlements_columns,
    )
    found = services.entitlements(contract, query.as_of)
    training, checks, contact = found.training, found.health_checks, found.contact
    return EntitlementsOut.model_construct(
        as_of=found.as_of,
        training=TrainingOut.model_construct(
            included_minutes=training.included_minutes,
            reserved_minutes=training.reserved_minutes,
            used_minutes=training.used_minutes,
            remaining_minutes=training.remaining_minutes,
            window_start=training.window.start,
            window_end=training.window.end,
        ),
        health_checks=HealthChecksOut.model_construct(
            included=checks.owed,
            completed=checks.completed,
            missed=checks.missed,
            upcoming=checks.upcoming,
        ),
        contact=VendorContactOut.model_construct(
            kind=contact.kind.value,
            staff_id=str(contract.representative_id) if contact.acting else None,
            account_manager_until=contact.account_manager_until,
        ),
    )


@router.post(
    "/contracts/{contract_id}/sessions",
    **errors(
        FORBIDDEN,
        "409 contract_not_active",
        "409 session_type_already_used",
        "409 billable_not_accepted",
        "409 no_rate_in_force",
        "409 staff_busy",
        "409 staff_unavailable",
        "422 duration_exceeds_limit",
        "422 role_not_allowed",
        r201=SessionOut,
    ),
    summary="Book a session",
)
def book(request: HttpRequest, contract_id: str, payload: SessionIn) -> Status[SessionOut]:
    # The representative's roles come with the contract: one query after the token's.
    contract = contract_for(
        actor_of(request), object_id(contract_id), extra=services.booking_columns
    )
    session = services.book_session(
        actor_of(request),
        contract,
        type_code=payload.type,
        starts_at=payload.starts_at,
        duration_minutes=payload.duration_minutes,
        staff_id=object_id(payload.staff_id, "staff_id") if payload.staff_id is not None else None,
        platforms=payload.platforms,
        accept_billable=payload.accept_billable,
        on_behalf_of_contact_id=_contact_id(payload.on_behalf_of_contact_id),
    )
    return Status(201, session_out(session))


@router.get(
    "/contracts/{contract_id}/sessions",
    **errors(r200=SessionPage),
    summary="A contract's sessions",
)
def list_sessions(request: HttpRequest, contract_id: str) -> Page[SessionOut]:
    contract = contract_for(actor_of(request), object_id(contract_id))
    return page(request, services.contract_sessions(contract), session_out)


@router.get(
    "/sessions/{session_id}",
    **errors(r200=SessionDetailOut),
    summary="A session, with every acceptance of its billable minutes",
)
def get_session(request: HttpRequest, session_id: str) -> SessionDetailOut:
    return session_detail_out(session_for(request, session_id))


@router.patch(
    "/sessions/{session_id}",
    **errors(
        FORBIDDEN,
        "409 invalid_state",
        "409 contract_not_active",
        "409 billable_not_accepted",
        "409 no_rate_in_force",
        "409 staff_busy",
        "409 staff_unavailable",
        r200=SessionOut,
    ),
    summary="Move a booked session (coverage worked out again)",
)
def move(request: HttpRequest, session_id: str, payload: MoveIn) -> SessionOut:
    session = services.move_session(
        actor_of(request),
        session_for(request, session_id),
        starts_at=payload.starts_at,
        accept_billable=payload.accept_billable,
        on_behalf_of_contact_id=_contact_id(payload.on_behalf_of_contact_id),
    )
    return session_out(session)


@router.post(
    "/sessions/{session_id}/complete",
    **errors(
        FORBIDDEN,
        "409 invalid_state",
        "409 session_not_started",
        "409 billable_not_accepted",
        "409 no_rate_in_force",
        "422 duration_exceeds_limit",
        r200=SessionOut,
    ),
    summary="Record the actual minutes of a held session",
)
def complete(request: HttpRequest, session_id: str, payload: SessionCompleteIn) -> SessionOut:
    session = services.complete_session(
        actor_of(request),
        session_for(request, session_id),
        actual_minutes=payload.actual_minutes,
        accept_billable=payload.accept_billable,
        on_behalf_of_contact_id=_contact_id(payload.on_behalf_of_contact_id),
    )
    return session_out(session)


@router.post(
    "/sessions/{session_id}/cancel",
    **errors(FORBIDDEN, "409 invalid_state", r200=SessionOut),
    summary="Cancel a session",
)
def cancel(request: HttpRequest, session_id: str, payload: CancelIn) -> SessionOut:
    session = services.cancel_session(
        actor_of(request), session_for(request, session_id), by=payload.by
    )
    return session_out(session)


@router.post(
    "/sessions/{session_id}/no-show",
    **errors(
        FORBIDDEN,
        "409 invalid_state",
        "409 session_not_started",
        "409 no_rate_in_force",
        r200=SessionOut,
    ),
    summary="The buyer did not attend",
)
def no_show(request: HttpRequest, session_id: str) -> SessionOut:
    session = services.record_no_show(actor_of(request), session_for(request, session_id))
    return session_out(session)


@router.post(
    "/sessions/{session_id}/materials",
    **errors(
        FORBIDDEN,
        "409 invalid_state",
        r201=MaterialOut,
    ),
    summary="Hand a presentation material (link) to the buyer",
)
def add_link(request: HttpRequest, session_id: str, payload: MaterialIn) -> Status[MaterialOut]:
    material = services.add_material(
        actor_of(request), session_for(request, session_id), title=payload.title, url=payload.url
    )
    return Status(201, material_out(material))


@router.post(
    "/sessions/{session_id}/materials/file",
    **errors(
        FORBIDDEN,
        "409 invalid_state",
        r201=MaterialOut,
    ),
    summary="Hand a presentation material (file upload, multipart) to the buyer",
)
def add_file(
    request: HttpRequest, session_id: str, title: Form[str], file: File[UploadedFile]
) -> Status[MaterialOut]:
    material = services.add_material(
        actor_of(request), session_for(request, session_id), title=title, upload=file
    )
    return Status(201, material_out(material))


@router.get(
    "/sessions/{session_id}/materials",
    **errors(r200=MaterialPage),
    summary="A session's presentation materials",
)
def list_materials(request: HttpRequest, session_id: str) -> Page[MaterialOut]:
    session = session_for(request, session_id)
    return page(request, services.materials_of(session), material_out)


@router.get(
    "/materials/{material_id}/file",
    **errors(r200=None, media="application/octet-stream"),
    summary="Download a presentation material file",
)
def download_material(request: HttpRequest, material_id: str) -> FileResponse:
    material = services.material_for(actor_of(request), object_id(material_id))
    if not material.file:
        raise NotFound()
    filename = PurePath(material.file.name or "material").name
    return FileResponse(material.file.open("rb"), as_attachment=True, filename=filename)


@router.get(
    "/sessions/{session_id}/ics",
    **errors(r200=None, media="text/calendar"),
    summary="The session as an iCalendar event (text/calendar)",
)
def session_ics(request: HttpRequest, session_id: str) -> HttpResponse:
    session = session_for(request, session_id)
    return calendar_download(
        session_calendar(session, actor_of(request).user.language), f"session-{session.pk}"
    )


@router.get(
    "/contracts/{contract_id}/slots",
    **errors(r200=SlotList),
    summary="Free start times for a meeting type (the representative first)",
)
def slots(request: HttpRequest, contract_id: str, query: Query[SlotQuery]) -> SlotList:
    contract = contract_for(actor_of(request), object_id(contract_id))
    zone = ZoneInfo(contract.organization.timezone)
    found = free_slots(
        contract, type_code=query.type, first=query.from_, last=query.to, minutes=query.minutes
    )
    return SlotList.model_construct(
        items=[
            SlotOut.model_construct(
                starts_at=slot.starts_at.astimezone(zone),
                ends_at=slot.ends_at.astimezone(zone),
                staff_id=str(slot.staff_id),
            )
            for slot in found
        ]
    )
