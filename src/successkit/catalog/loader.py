"""Loads the catalog data files (``catalog/data/catalog-v*.toml``) into the database.

Each file is one published version. A version already in the database is never touched,
so a contract sold under it keeps exactly the terms it was sold with.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from successkit.catalog.models import (
    PACKAGE_TERM_FIELDS,
    CatalogVersion,
    Package,
    PackageTranslation,
    SessionType,
    SessionTypeTranslation,
)
from successkit.catalog.rules import text_digest

DATA_DIR = Path(__file__).resolve().parent / "data"
SOURCE_LANGUAGE = "en"

SESSION_TYPE_FIELDS = (
    "max_minutes",
    "single_use",
    "draws_on_pool",
    "platforms",
    "carries_materials",
)


class CatalogFileError(ValueError):
    """A catalog data file that does not describe a complete catalog."""


def catalog_files(directory: Path = DATA_DIR) -> list[Path]:
    return sorted(directory.glob("catalog-v*.toml"))


def load_catalog_files(directory: Path = DATA_DIR) -> list[CatalogVersion]:
    """Load every data file whose version is not in the database yet; return the new ones."""
    loaded = []
    for path in catalog_files(directory):
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        if not CatalogVersion.objects.filter(number=int(data.get("version", 0))).exists():
            loaded.append(load_catalog(data, source=path.name))
    return loaded


@transaction.atomic
def load_catalog(data: dict[str, Any], *, source: str) -> CatalogVersion:
    number = data.get("version")
    if not isinstance(number, int) or number < 1:
        raise CatalogFileError(f"{source}: 'version' must be a positive integer")
    terms_url = data.get("terms_url", "")
    if not isinstance(terms_url, str) or (terms_url and not terms_url.startswith("https://")):
        raise CatalogFileError(f"{source}: 'terms_url' must be an https address")
    version = CatalogVersion.objects.create(
        number=number, source=source, published_at=timezone.now(), terms_url=terms_url
    )
    for code, entry in _section(data, "packages", source).items():
        fields = _fields(entry, PACKAGE_TERM_FIELDS, source, code)
        name, description = _english(entry, source, code)
        package = Package.objects.create(
            version=version, code=code, name=name, description=description, **fields
        )
        for language, (t_name, t_description) in _translations(entry).items():
            PackageTranslation.objects.create(
                package=package,
                language=language,
                name=t_name,
                description=t_description,
                source_digest=text_digest(name, description),
            )
    for code, entry in _section(data, "session_types", source).items():
        fields = _fields(entry, SESSION_TYPE_FIELDS, source, code)
        name, description = _english(entry, source, code)
        session_type = SessionType.objects.create(
            version=version, code=code, name=name, description=description, **fields
        )
        for language, (t_name, t_description) in _translations(entry).items():
            SessionTypeTranslation.objects.create(
                session_type=session_type,
                language=language,
                name=t_name,
                description=t_description,
                source_digest=text_digest(name, description),
            )
    return version


def _section(data: dict[str, Any], key: str, source: str) -> dict[str, dict[str, Any]]:
    section = data.get(key)
    if not isinstance(section, dict) or not section:
        raise CatalogFileError(f"{source}: '{key}' is missing or empty")
    return section


def _fields(
    entry: dict[str, Any], names: tuple[str, ...], source: str, code: str
) -> dict[str, Any]:
    unknown = set(entry) - set(names) - {"name", "description"}
    if unknown:
        raise CatalogFileError(f"{source}: {code} has unknown keys {sorted(unknown)}")
    return {name: entry[name] for name in names if name in entry}


def _english(entry: dict[str, Any], source: str, code: str) -> tuple[str, str]:
    try:
        return entry["name"][SOURCE_LANGUAGE], entry.get("description", {}).get(SOURCE_LANGUAGE, "")
    except (KeyError, TypeError):
        raise CatalogFileError(f"{source}: {code} needs an English name") from None


def _translations(entry: dict[str, Any]) -> dict[str, tuple[str, str]]:
    names = entry.get("name", {})
    descriptions = entry.get("description", {})
    return {
        language: (names[language], descriptions.get(language, ""))
        for language in names
        if language != SOURCE_LANGUAGE
    }


def load_catalog_after_migrate(sender: Any = None, **kwargs: Any) -> None:
    if kwargs.get("using", "default") == "default":
        load_catalog_files()
