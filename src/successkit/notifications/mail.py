"""Mail: written (rendered in the reader's language) when an event is handled, sent by the
worker through Django's mail backend (``SUCCESSKIT_EMAIL_URL``)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from email.mime.base import MIMEBase
from email.mime.text import MIMEText
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from successkit.accounts.models import User
from successkit.notifications.models import Mail, ReminderPreference
from successkit.outbox.models import Event

UNSUBSCRIBE_SALT = "successkit.notifications.reminders"


@dataclass(frozen=True)
class Letter:
    """What a message says, already in the reader's language."""

    subject: str
    heading: str
    paragraphs: Sequence[str]
    link: str = ""
    link_label: str = ""
    facts: Sequence[tuple[str, str]] = field(default_factory=tuple)


def unsubscribe_url(user: User) -> str:
    token = signing.dumps({"user": user.pk}, salt=UNSUBSCRIBE_SALT)
    return settings.SUCCESSKIT_SITE_URL + reverse(
        "notifications:unsubscribe", kwargs={"token": token}
    )


def user_for_unsubscribe(token: str) -> User | None:
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    return User.objects.filter(pk=data.get("user")).first()


def wants_reminders(user: User) -> bool:
    preference = ReminderPreference.objects.filter(user=user).first()
    return preference is None or preference.reminders


def set_reminders(user: User, wanted: bool) -> None:
    """The user's choice to get reminders or not (the unsubscribe page)."""
    ReminderPreference.objects.update_or_create(user=user, defaults={"reminders": wanted})


def write(
    user: User,
    *,
    key: str,
    letter: Callable[[], Letter],
    reminder: bool = False,
    event: Event | None = None,
    calendar: Callable[[], tuple[str, bytes]] | None = None,
) -> Mail | None:
    """Render ``letter`` (and ``calendar``: its METHOD and the .ics) in ``user``'s language
    and queue it for delivery, once per ``key``. A reminder goes only to people who want
    reminders and carries a List-Unsubscribe header; transactional mail always goes."""
    from successkit.notifications.tasks import schedule_mail

    if not user.is_active or not user.email:
        return None
    if reminder and not wants_reminders(user):
        return None
    language = user.language or settings.LANGUAGE_CODE
    with translation.override(language):
        content = letter()
        headers: dict[str, str] = {}
        unsubscribe = unsubscribe_url(user) if reminder else ""
        if unsubscribe:
            headers["List-Unsubscribe"] = f"<{unsubscribe}>"
            headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        context = {
            "letter": content,
            "name": user.name,
            "language": language,
            "unsubscribe": unsubscribe,
            "site_url": settings.SUCCESSKIT_SITE_URL,
        }
        text = render_to_string("notifications/mail/message.txt", context)
        html = render_to_string("notifications/mail/message.html", context)
        method, ics = calendar() if calendar is not None else ("", b"")
    if method:
        headers["X-Successkit-Calendar-Method"] = method
    try:
        with transaction.atomic():
            mail = Mail.objects.create(
                event=event,
                key=key,
                kind=Mail.Kind.REMINDER if reminder else Mail.Kind.TRANSACTIONAL,
                to=user.email,
                language=language,
                subject=content.subject[:300],
                text=text,
                html=html,
                calendar=ics.decode(),
                headers=headers,
            )
    except IntegrityError:
        return None  # written before: a reminder or an event is mailed once
    schedule_mail(mail.pk, None)
    return mail


class _Message(EmailMultiAlternatives):
    def message(self, *args: Any, **kwargs: Any) -> Any:
        message = super().message(*args, **kwargs)
        # One line for a long List-Unsubscribe address (RFC 5322 allows 998 characters);
        # folded at 78 it would be sent as encoded words, which mail programs ignore there.
        message.policy = message.policy.clone(max_line_length=998)
        return message


def send(mail: Mail) -> None:
    """Hand ``mail`` to the SMTP server (or the console); raises if it is not accepted."""
    headers = {k: v for k, v in mail.headers.items() if not k.startswith("X-Successkit-")}
    message = _Message(
        subject=mail.subject,
        body=mail.text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[mail.to],
        headers={
            **headers,
            "Message-ID": f"<mail-{mail.pk}-{mail.created_at:%Y%m%d%H%M%S}@successkit>",
        },
    )
    message.attach_alternative(mail.html, "text/html")
    if mail.calendar:
        method = mail.headers.get("X-Successkit-Calendar-Method", "REQUEST")
        part: MIMEBase = MIMEText(mail.calendar, "calendar", "utf-8")
        part.set_param("method", method)
        part.add_header("Content-Disposition", "attachment", filename="invite.ics")
        message.attach(part)
    message.send(fail_silently=False)
