"""What every page needs: the address of the governing English terms (SPEC.md §6)."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from successkit.catalog.services import governing_terms_url


def governing_terms(request: HttpRequest) -> dict[str, object]:
    # Lazy: read only by the pages that render the footer.
    return {"governing_terms_url": SimpleLazyObject(governing_terms_url)}
