"""Presentation materials attached to a session: an uploaded file or a link."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import URLValidator
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from successkit.accounts.actors import Actor
from successkit.accounts.roles import Duty
from successkit.core.errors import InvalidState, ValidationFailed
from successkit.engagements.models import (
    SessionMaterial,
    TrainingSession,
)

MAX_MATERIAL_BYTES = 20 * 1024 * 1024


@transaction.atomic
def add_material(
    actor: Actor,
    session: TrainingSession,
    *,
    title: str,
    url: str = "",
    upload: UploadedFile | None = None,
) -> SessionMaterial:
    """Hand a presentation material (a link or a file) to the buyer with a session."""
    actor.require(Duty.DELIVER_SESSIONS)
    if not session.session_type.carries_materials:
        raise InvalidState(_("This session type carries no presentation materials."))
    if not title.strip():
        raise ValidationFailed(_("The material needs a title."), details={"field": "title"})
    if bool(url) == (upload is not None):
        raise ValidationFailed(_("Give either a link or a file."), details={"field": "url"})
    if url:
        try:
            URLValidator(schemes=["http", "https"])(url)
        except DjangoValidationError:
            raise ValidationFailed(
                _("The link must be an http or https address."), details={"field": "url"}
            ) from None
    if upload is not None and (upload.size or 0) > MAX_MATERIAL_BYTES:
        raise ValidationFailed(
            _("Files of up to %(mb)s MB are accepted."),
            details={"field": "file"},
            mb=MAX_MATERIAL_BYTES // (1024 * 1024),
        )
    material = SessionMaterial(session=session, title=title.strip(), url=url, added_by=actor.user)
    if upload is not None:
        material.file.save(upload.name or "material", upload, save=False)
    material.save()
    return material
