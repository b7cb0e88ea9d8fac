"""Every user-facing text has a Spanish translation, compiled, with the same placeholders."""

from __future__ import annotations

import re
from pathlib import Path

import polib
import pytest
from django.conf import settings

PACKAGE = Path(__file__).resolve().parents[2]
# Django's own texts in tú (settings.LOCALE_PATHS): not an app, held to the same rules.
DJANGO_TEXTS = PACKAGE / "django_texts"
CATALOGS = sorted(PACKAGE.glob("*/locale/es/LC_MESSAGES/django*.po"))
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]|\{\w*\}")


def test_every_app_has_a_spanish_catalog() -> None:
    apps = {path.parent.name for path in PACKAGE.glob("*/apps.py")}
    assert {path.parts[-5] for path in CATALOGS} == apps | {DJANGO_TEXTS.name}
    assert settings.LOCALE_PATHS == [DJANGO_TEXTS / "locale"]


@pytest.mark.parametrize("path", CATALOGS, ids=lambda p: f"{p.parts[-5]}-{p.stem}")
def test_catalog_is_complete_and_compiled(path: Path) -> None:
    catalog = polib.pofile(str(path))
    assert [e.msgid for e in catalog.untranslated_entries()] == []
    assert [e.msgid for e in catalog.fuzzy_entries()] == []
    plural_forms = int(catalog.metadata["Plural-Forms"].split("nplurals=")[1].split(";")[0])
    for entry in catalog.translated_entries():
        if entry.msgid_plural:
            filled = [text for text in entry.msgstr_plural.values() if text]
            assert len(filled) == plural_forms, f"{entry.msgid}: every plural form"
        wanted = set(PLACEHOLDER.findall(entry.msgid))
        for text in entry.msgstr_plural.values() if entry.msgid_plural else [entry.msgstr]:
            assert wanted == set(PLACEHOLDER.findall(text)), entry.msgid
    compiled = polib.mofile(str(path.with_suffix(".mo")))
    assert {_key(e): _text(e) for e in compiled} == {
        _key(e): _text(e) for e in catalog.translated_entries()
    }, "run scripts/messages to compile the catalog"


def _key(entry: polib.POEntry | polib.MOEntry) -> tuple[str | None, str]:
    return entry.msgctxt, entry.msgid


def _text(entry: polib.POEntry | polib.MOEntry) -> object:
    if entry.msgid_plural:
        return sorted((int(k), v) for k, v in entry.msgstr_plural.items())
    return entry.msgstr
