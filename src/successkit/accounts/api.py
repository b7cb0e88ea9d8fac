"""API v1: tokens, staff, organizations and buyer contacts."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Status

from successkit.accounts import services
from successkit.accounts.actors import actor_of
from successkit.accounts.models import Contact, Organization, User
from successkit.accounts.schemas import (
    ContactIn,
    ContactOut,
    ContactPage,
    HealthOut,
    MeOut,
    OrganizationIn,
    OrganizationOut,
    OrganizationPage,
    StaffIn,
    StaffOut,
    StaffPage,
    TokenIn,
    TokenInfo,
    TokenList,
    TokenOut,
)
from successkit.core.pagination import Page, page
from successkit.core.schemas import FORBIDDEN, errors, object_id

router = Router(tags=["accounts"])


def staff_out(user: User) -> StaffOut:
    return StaffOut.model_construct(
        id=str(user.pk),
        email=user.email,
        name=user.name,
        roles=sorted(user.role_codes),
        language=user.language,
    )


def organization_out(organization: Organization) -> OrganizationOut:
    return OrganizationOut.model_construct(
        id=str(organization.pk),
        name=organization.name,
        country=organization.country,
        timezone=organization.timezone,
        language=organization.language,
    )


def contact_out(contact: Contact) -> ContactOut:
    return ContactOut.model_construct(
        id=str(contact.pk),
        organization_id=str(contact.organization_id),
        name=contact.user.name,
        email=contact.user.email,
        language=contact.user.language,
    )


@router.get("/health", auth=None, response=HealthOut, summary="Liveness probe (no database)")
def health(request: HttpRequest) -> HealthOut:
    return HealthOut.model_construct(status="ok")


@router.post(
    "/auth/token",
    auth=None,
    **errors("401 invalid_credentials", "429 too_many_attempts", r200=TokenOut),
    summary="Sign in",
)
def create_token(request: HttpRequest, payload: TokenIn) -> TokenOut:
    return TokenOut.model_construct(
        token=services.sign_in(payload.email, payload.password, request)
    )


@router.delete("/auth/token", **errors(r204=None), summary="Revoke the calling token")
def revoke_token(request: HttpRequest) -> Status[None]:
    raw = request.headers.get("Authorization", "").partition(" ")[2]
    services.revoke_token(raw)
    return Status(204, None)


@router.get("/auth/tokens", **errors(r200=TokenList), summary="My tokens that still work")
def list_tokens(request: HttpRequest) -> TokenList:
    user = actor_of(request).user
    current = getattr(user, "_token_id", None)
    return TokenList.model_construct(
        items=[
            TokenInfo.model_construct(
                id=str(token.pk),
                prefix=token.prefix,
                created_at=token.created_at,
                last_used_at=token.last_used_at,
                expires_at=token.expires_at,
                current=token.pk == current,
            )
            for token in services.live_tokens(user)
        ]
    )


@router.delete("/auth/tokens/{token_id}", **errors(r204=None), summary="Revoke one of my tokens")
def revoke_one_token(request: HttpRequest, token_id: str) -> Status[None]:
    services.revoke_token_of(actor_of(request).user, object_id(token_id))
    return Status(204, None)


@router.get("/me", **errors(r200=MeOut), summary="Who am I")
def me(request: HttpRequest) -> MeOut:
    actor = actor_of(request)
    return MeOut.model_construct(
        id=str(actor.user.pk),
        email=actor.user.email,
        name=actor.user.name,
        language=actor.user.language,
        kind="staff" if actor.is_staff else "contact",
        roles=sorted(actor.roles),
        organization_id=str(actor.organization_id) if actor.organization_id else None,
    )


@router.post(
    "/staff",
    **errors(FORBIDDEN, "409 email_taken", r201=StaffOut),
    summary="Create a staff member",
)
def create_staff(request: HttpRequest, payload: StaffIn) -> Status[StaffOut]:
    user = services.create_staff(
        actor_of(request),
        email=payload.email,
        name=payload.name,
        roles=payload.roles,
        password=payload.password,
        language=payload.language,
    )
    return Status(201, staff_out(user))


@router.get("/staff", **errors(FORBIDDEN, r200=StaffPage), summary="List staff")
def list_staff(request: HttpRequest) -> Page[StaffOut]:
    return page(request, services.listed_staff(actor_of(request)), staff_out)


@router.post(
    "/organizations",
    **errors(FORBIDDEN, r201=OrganizationOut),
    summary="Create a buyer organization",
)
def create_organization(request: HttpRequest, payload: OrganizationIn) -> Status[OrganizationOut]:
    organization = services.create_organization(
        actor_of(request),
        name=payload.name,
        country=payload.country,
        timezone=payload.timezone,
        language=payload.language,
    )
    return Status(201, organization_out(organization))


@router.get("/organizations", **errors(r200=OrganizationPage), summary="List organizations")
def list_organizations(request: HttpRequest) -> Page[OrganizationOut]:
    return page(request, services.visible_organizations(actor_of(request)), organization_out)


@router.get(
    "/organizations/{organization_id}",
    **errors(r200=OrganizationOut),
    summary="Get an organization",
)
def get_organization(request: HttpRequest, organization_id: str) -> OrganizationOut:
    organization = services.organization_for(actor_of(request), object_id(organization_id))
    return organization_out(organization)


@router.post(
    "/organizations/{organization_id}/contacts",
    **errors(FORBIDDEN, "409 email_taken", r201=ContactOut),
    summary="Create a buyer contact who can sign in",
)
def create_contact(
    request: HttpRequest, organization_id: str, payload: ContactIn
) -> Status[ContactOut]:
    contact = services.add_contact(
        actor_of(request),
        object_id(organization_id),
        name=payload.name,
        email=payload.email,
        language=payload.language,
        password=payload.password,
    )
    return Status(201, contact_out(contact))


@router.get(
    "/organizations/{organization_id}/contacts",
    **errors(r200=ContactPage),
    summary="List an organization's contacts",
)
def list_contacts(request: HttpRequest, organization_id: str) -> Page[ContactOut]:
    contacts = services.organization_contacts(actor_of(request), object_id(organization_id))
    return page(request, contacts, contact_out)
