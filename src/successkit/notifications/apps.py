from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "successkit.notifications"
    label = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from successkit.notifications.handlers import on_event
        from successkit.outbox.services import subscribe

        subscribe(on_event)
