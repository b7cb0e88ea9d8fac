"""Reading the catalog (current packages, texts in a language) and making new versions."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from successkit.catalog.models import (
    CatalogVersion,
    Package,
    PackageTranslation,
    SessionType,
    SessionTypeTranslation,
)
from successkit.core.compiled import CompiledQuery
from successkit.core.errors import InvalidState, ValidationFailed


@dataclass(frozen=True)
class LocalizedText:
    name: str
    description: str
    language: str
    # A translation exists but was made from an older English text: English is shown.
    stale_translation: bool


def current_version() -> CatalogVersion:
    version = CatalogVersion.objects.filter(published_at__isnull=False).order_by("-number").first()
    if version is None:
        raise InvalidState(_("No catalog version is published."))
    return version


def package_for_sale(code: str) -> Package:
    """The package ``code`` of the current catalog, the one a new contract is sold under."""
    try:
        return Package.objects.get(version=current_version(), code=code)
    except Package.DoesNotExist:
        codes = ", ".join(
            Package.objects.filter(version=current_version()).values_list("code", flat=True)
        )
        raise ValidationFailed(
            _("Unknown package %(code)s; the catalog offers: %(codes)s."),
            details={"field": "package"},
            code=code,
            codes=codes,
        ) from None


# Every booking looks its type up: compiled once (core/compiled.py).
_SESSION_TYPE: CompiledQuery[SessionType] = CompiledQuery(
    lambda version_id, code: SessionType.objects.filter(version_id=version_id, code=code),
    2,
    texts=(1,),
)


# A published version never changes (the back office keeps it read-only): each process
# keeps the session types it has read of one, so a booking's type costs no query after the
# first. Keyed by the publication instant too, so that a version made again under the
# same id (a test database rolled back) is never taken for the one kept.
_PUBLISHED_TYPES: dict[tuple[int, datetime, str], SessionType] = {}
_PUBLISHED_TYPES_KEPT = 1000


def session_type(version: CatalogVersion, code: str) -> SessionType:
    """The session type ``code`` of ``version``, or ``validation_error`` naming ``type``."""
    published = None
    if "published_at" not in version.get_deferred_fields():
        published = version.published_at
    key = (version.pk, published, code) if published is not None else None
    kept = _PUBLISHED_TYPES.get(key) if key is not None else None
    if kept is not None:
        return copy.copy(kept)  # each caller its own instance, as from a query
    found = _SESSION_TYPE.run(version.pk, code)
    if not found:
        raise ValidationFailed(
            _("Unknown session type %(code)s."), details={"field": "type"}, code=code
        )
    if key is not None:
        if len(_PUBLISHED_TYPES) >= _PUBLISHED_TYPES_KEPT:
            _PUBLISHED_TYPES.clear()
        _PUBLISHED_TYPES[key] = copy.copy(found[0])
    return found[0]


def localized(item: Package | SessionType, language: str) -> LocalizedText:
    """``item``'s name and description in ``language``, falling back to English when there
    is no translation or the translation is older than the English text (SPEC.md §6)."""
    translations = item.translations.all()
    translation: PackageTranslation | SessionTypeTranslation | None = next(
        (t for t in translations if t.language == language), None
    )
    if translation is not None and translation.source_digest == item.source_digest:
        return LocalizedText(translation.name, translation.description, language, False)
    return LocalizedText(item.name, item.description, "en", translation is not None)


@transaction.atomic
def draft_version(source: CatalogVersion) -> CatalogVersion:
    """A new unpublished version copied from ``source``, to be edited then published."""
    number = (CatalogVersion.objects.aggregate(top=Max("number"))["top"] or 0) + 1
    draft = CatalogVersion.objects.create(
        number=number, source=f"draft from v{source.number}", terms_url=source.terms_url
    )
    for package in source.packages.all():
        translations = list(package.translations.all())
        package.pk = None
        package.version = draft
        package.save()
        for translation in translations:
            translation.pk = None
            translation.package = package
            translation.save()
    for kind in source.session_types.all():
        kind_translations = list(kind.translations.all())
        kind.pk = None
        kind.version = draft
        kind.save()
        for kind_translation in kind_translations:
            kind_translation.pk = None
            kind_translation.session_type = kind
            kind_translation.save()
    return draft


def publish_version(version: CatalogVersion) -> CatalogVersion:
    if version.is_published:
        raise InvalidState(
            _("Catalog version %(number)s is already published."), number=version.number
        )
    version.published_at = timezone.now()
    version.save(update_fields=["published_at"])
    return version


def governing_terms_url(version: CatalogVersion | None = None) -> str:
    """The address of the governing English terms (SPEC.md §6): the one ``version`` was
    published with, else the newest published version's (a version older than the field
    has none)."""
    if version is not None and version.terms_url:
        return version.terms_url
    newest = (
        CatalogVersion.objects.filter(published_at__isnull=False)
        .exclude(terms_url="")
        .order_by("-number")
        .values_list("terms_url", flat=True)
        .first()
    )
    return newest or ""


@transaction.atomic
def mark_translations_reviewed(item: Package | SessionType) -> int:
    """An admin has reviewed ``item``'s stale translations against the current English
    text: they are current again (one action, SPEC.md §6). Returns how many changed."""
    digest = item.source_digest
    return item.translations.exclude(source_digest=digest).update(source_digest=digest)
