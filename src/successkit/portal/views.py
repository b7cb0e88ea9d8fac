"""The shell of the pages: the home page (every visible contract at a glance); sign-in
and the base template live beside it. Each app's own pages are in its ``views.py``."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from successkit.accounts.actors import actor_of
from successkit.catalog.services import localized
from successkit.contracts.services import visible_contracts
from successkit.engagements import services as engagements
from successkit.healthchecks.services import health_check_tally


def language_of(request: HttpRequest) -> str:
    return str(getattr(request, "LANGUAGE_CODE", "en"))


@login_required
def home(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    contracts = (
        visible_contracts(actor)
        .prefetch_related("package__translations")
        .order_by("organization__name", "-start_date")
    )
    rows = []
    for contract in contracts.select_related("training_pool"):
        today = contract.today()
        rows.append(
            {
                "contract": contract,
                "package": localized(contract.package, language_of(request)),
                "phase": contract.phase(today),
                # What it bought, what is used and what is late, at a glance.
                "training": engagements.training_entitlement(contract, today),
                "checks": health_check_tally(contract, today),
            }
        )
    return render(request, "portal/home.html", {"rows": rows, "actor": actor})
