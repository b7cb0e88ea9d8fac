"""The unsubscribe page a reminder links to (and its RFC 8058 one-click POST)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.csrf import csrf_exempt

from successkit.notifications.mail import set_reminders, user_for_unsubscribe, wants_reminders


@csrf_exempt  # the signed token in the address is the credential (one-click unsubscribe)
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    user = user_for_unsubscribe(token)
    if user is None:
        return render(request, "notifications/unsubscribe.html", {"invalid": True}, status=404)
    with translation.override(user.language):
        done = False
        if request.method == "POST":
            set_reminders(user, request.POST.get("reminders") == "on")
            done = True
        return render(
            request,
            "notifications/unsubscribe.html",
            {
                "person": user,
                "done": done,
                "reminders": wants_reminders(user),
                "LANGUAGE_CODE": user.language,
            },
        )
