"""Pages: thin views over the same services as the API."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from successkit.accounts.actors import Actor
from successkit.catalog.services import localized
from successkit.contracts.services import visible_contracts


def actor_of(request: HttpRequest) -> Actor:
    return Actor.of(request.user)  # type: ignore[arg-type]


@login_required
def home(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    contracts = (
        visible_contracts(actor)
        .prefetch_related("package__translations")
        .order_by("organization__name", "-start_date")
    )
    rows = [
        {
            "contract": contract,
            "package": localized(contract.package, request.LANGUAGE_CODE),
            "phase": contract.phase(),
        }
        for contract in contracts
    ]
    return render(request, "portal/home.html", {"rows": rows, "actor": actor})
