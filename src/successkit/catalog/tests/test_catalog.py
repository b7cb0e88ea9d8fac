from __future__ import annotations

import tomllib
from datetime import date

import pytest

from successkit.catalog import services
from successkit.catalog.loader import DATA_DIR, CatalogFileError, load_catalog
from successkit.catalog.models import CatalogVersion, Package, SessionType
from successkit.contracts.models import Contract
from successkit.core.errors import InvalidState, ValidationFailed
from successkit.factories import ContractFactory

pytestmark = pytest.mark.django_db


def version_one_data() -> dict:
    return tomllib.loads((DATA_DIR / "catalog-v1.toml").read_text(encoding="utf-8"))


def test_catalog_files_are_loaded_after_migrate_with_the_seed_terms() -> None:
    version = CatalogVersion.objects.get(number=1)
    assert version.is_published
    terms = {p.code: p.terms() for p in Package.objects.filter(version=version)}
    assert set(terms) == {"launch_kit", "pro_lite", "premium"}
    launch = terms["launch_kit"]
    assert (launch.training_minutes, launch.training_window_days) == (240, 90)
    assert (launch.contact_role, launch.contact_window_days) == ("account_manager", 90)
    assert launch.training_roles == {"account_manager"}
    assert launch.health_check_count == 0
    for code, checks, months in (("pro_lite", 4, 3), ("premium", 12, 1)):
        package = terms[code]
        assert (package.training_minutes, package.training_window_days) == (120, None)
        assert (package.health_check_count, package.health_check_interval_months) == (
            checks,
            months,
        )
        assert package.training_roles == {"csm", "cs_engineer", "ld_specialist"}
        assert package.health_check_roles == {"csm", "cs_engineer", "ld_specialist"}
        assert package.contact_role == "csm"
    assert {p.returns_window_days for p in terms.values()} == {30}


def test_version_two_lets_implementation_meetings_repeat_and_caps_additional_training() -> None:
    version = CatalogVersion.objects.get(number=2)
    assert version.is_published
    assert version.terms_url == "https://ouraring.com/terms-and-conditions"
    kinds = {s.code: s.terms() for s in SessionType.objects.filter(version=version)}
    assert {code: (k.max_minutes, k.single_use, k.draws_on_pool) for code, k in kinds.items()} == {
        "kickoff": (60, True, True),
        "implementation": (60, False, True),
        "software_training": (60, True, True),
        "additional_training": (480, False, False),
    }
    assert services.current_version() == version
    assert services.governing_terms_url(version) == version.terms_url
    # A contract sold under version 1 links to the newest governing terms all the same.
    assert services.governing_terms_url(CatalogVersion.objects.get(number=1)) == version.terms_url


def test_mark_reviewed_makes_a_stale_translation_current_in_one_action() -> None:
    draft = services.draft_version(CatalogVersion.objects.get(number=2))
    kickoff = draft.session_types.get(code="kickoff")
    kickoff.description = kickoff.description + " Now with a summary by mail."
    kickoff.save()
    assert services.localized(kickoff, "es").stale_translation
    assert services.mark_translations_reviewed(kickoff) == 1
    fresh = services.localized(SessionType.objects.get(pk=kickoff.pk), "es")
    assert (fresh.stale_translation, fresh.language, fresh.name) == (False, "es", "Reunión inicial")
    assert services.mark_translations_reviewed(kickoff) == 0


def test_session_types_carry_caps_and_single_use() -> None:
    kinds = {s.code: s.terms() for s in SessionType.objects.filter(version__number=1)}
    for code in ("kickoff", "implementation", "software_training"):
        assert kinds[code].max_minutes == 60
        assert kinds[code].single_use
        assert kinds[code].draws_on_pool
    assert kinds["software_training"].platforms == {"teams", "hrm"}
    assert kinds["implementation"].carries_materials
    extra = kinds["additional_training"]
    assert (extra.max_minutes, extra.single_use, extra.draws_on_pool) == (None, False, False)


def test_a_new_catalog_version_never_changes_a_signed_contract() -> None:
    contract = ContractFactory(package_code="pro_lite")
    data = version_one_data()
    data["version"] = 3
    data["packages"]["pro_lite"]["training_minutes"] = 90
    load_catalog(data, source="test")

    contract = Contract.objects.get(pk=contract.pk)
    assert contract.package.version.number == 2
    assert contract.package.terms().training_minutes == 120
    assert services.package_for_sale("pro_lite").training_minutes == 90
    assert services.package_for_sale("pro_lite").version.number == 3


def test_loading_an_incomplete_file_is_refused_and_writes_nothing() -> None:
    data = version_one_data()
    data["version"] = 4
    del data["packages"]["premium"]["name"]
    with pytest.raises(CatalogFileError):
        load_catalog(data, source="broken")
    assert not CatalogVersion.objects.filter(number=4).exists()
    assert Package.objects.filter(version__number=4).count() == 0


def test_unknown_package_is_a_validation_error_naming_the_offer() -> None:
    with pytest.raises(ValidationFailed) as refusal:
        services.package_for_sale("gold")
    assert "launch_kit" in refusal.value.render_message()


def test_spanish_text_comes_from_the_translation_row() -> None:
    package = services.package_for_sale("launch_kit")
    text = services.localized(package, "es")
    assert (text.name, text.language, text.stale_translation) == ("Kit de lanzamiento", "es", False)
    assert services.localized(package, "en").name == "Launch Kit"


def test_a_stale_translation_falls_back_to_english_and_says_so() -> None:
    draft = services.draft_version(CatalogVersion.objects.get(number=1))
    package = Package.objects.get(version=draft, code="launch_kit")
    package.description = package.description + " Now with a welcome pack."
    package.save()

    text = services.localized(package, "es")
    assert text.name == "Launch Kit"
    assert text.language == "en"
    assert text.stale_translation
    assert package.translations.get(language="es").is_stale


def test_drafts_are_not_sold_until_published() -> None:
    draft = services.draft_version(CatalogVersion.objects.get(number=2))
    assert services.current_version().number == 2
    services.publish_version(draft)
    assert services.current_version() == draft
    assert Package.objects.filter(version=draft).count() == 3
    assert SessionType.objects.filter(version=draft).count() == 4
    with pytest.raises(InvalidState):
        services.publish_version(draft)


def test_contract_today_uses_the_organization_time_zone(monkeypatch) -> None:
    from datetime import UTC, datetime

    from django.utils import timezone

    kiritimati = ContractFactory(organization__timezone="Pacific/Kiritimati")  # UTC+14
    honolulu = ContractFactory(organization__timezone="Pacific/Honolulu")  # UTC-10
    monkeypatch.setattr(timezone, "now", lambda: datetime(2026, 3, 1, 12, 0, tzinfo=UTC))
    assert kiritimati.today() == date(2026, 3, 2)
    assert honolulu.today() == date(2026, 3, 1)


def test_an_admin_marks_a_stale_translation_reviewed_in_one_action(client) -> None:
    from successkit.accounts.roles import Role
    from successkit.factories import StaffFactory

    draft = services.draft_version(CatalogVersion.objects.get(number=2))
    kickoff = draft.session_types.get(code="kickoff")
    kickoff.name = "Kick-off meeting"
    kickoff.save()
    assert kickoff.translations.get(language="es").is_stale
    client.force_login(StaffFactory(roles=[Role.ADMIN]))
    response = client.post(
        "/admin/catalog/sessiontype/",
        {"action": "mark_reviewed", "_selected_action": [kickoff.pk]},
        follow=True,
    )
    assert response.status_code == 200
    assert not SessionType.objects.get(pk=kickoff.pk).translations.get(language="es").is_stale
