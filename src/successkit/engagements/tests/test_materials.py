from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from successkit.conftest import ApiClient
from successkit.engagements.models import SessionMaterial, TrainingSession
from successkit.engagements.tests.helpers import contract_starting, on_day
from successkit.factories import ContactFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def contract(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return contract_starting(timezone.localdate() - timedelta(days=3))


def booked(api: ApiClient, contract, session_type: str = "implementation") -> str:
    response = api.post(
        f"contracts/{contract.pk}/sessions",
        {
            "type": session_type,
            "starts_at": on_day(
                contract, 20, hour=8 + TrainingSession.objects.filter(contract=contract).count()
            ).isoformat(),
            "duration_minutes": 60,
        },
    )
    assert response.status_code == 201
    return str(response.json()["id"])


def test_an_implementation_meeting_hands_links_and_files_to_the_buyer(contract) -> None:
    staff = ApiClient(contract.representative)
    session_id = booked(staff, contract)
    link = staff.post(
        f"sessions/{session_id}/materials",
        {"title": "Sizing guide", "url": "https://example.test/sizing.pdf"},
    )
    assert link.status_code == 201
    assert (link.json()["kind"], link.json()["url"]) == ("link", "https://example.test/sizing.pdf")

    upload = SimpleUploadedFile("rollout.txt", b"ring sizes by team", content_type="text/plain")
    file = staff.client.post(
        f"/api/v1/sessions/{session_id}/materials/file",
        {"title": "Rollout plan", "file": upload},
        headers=staff.headers,
    )
    assert file.status_code == 201
    download_url = file.json()["url"]

    buyer = ApiClient(contract.buyer_contact.user)
    listed = buyer.get(f"sessions/{session_id}/materials").json()["items"]
    assert [m["title"] for m in listed] == ["Sizing guide", "Rollout plan"]
    download = buyer.get(download_url)
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"ring sizes by team"

    outsider = ApiClient(ContactFactory().user)
    assert outsider.get(download_url).status_code == 404
    assert outsider.get(f"sessions/{session_id}/materials").status_code == 404


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"title": "", "url": "https://example.test/a"}, "validation_error"),
        ({"title": "A", "url": "ftp://example.test/a"}, "validation_error"),
        ({"title": "A", "url": ""}, "validation_error"),
    ],
)
def test_material_refusals_write_nothing(contract, body: dict, code: str) -> None:
    staff = ApiClient(contract.representative)
    session_id = booked(staff, contract)
    response = staff.post(f"sessions/{session_id}/materials", body)
    assert response.json()["error"]["code"] == code
    assert SessionMaterial.objects.count() == 0


def test_only_implementation_meetings_carry_materials_and_only_staff_add_them(contract) -> None:
    staff = ApiClient(contract.representative)
    kickoff = booked(staff, contract, "kickoff")
    body = {"title": "Deck", "url": "https://example.test/deck"}
    assert (
        staff.post(f"sessions/{kickoff}/materials", body).json()["error"]["code"] == "invalid_state"
    )
    implementation = booked(staff, contract)
    buyer = ApiClient(contract.buyer_contact.user)
    assert buyer.post(f"sessions/{implementation}/materials", body).status_code == 403
    assert SessionMaterial.objects.count() == 0
