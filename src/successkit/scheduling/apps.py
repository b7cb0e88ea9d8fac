from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SchedulingConfig(AppConfig):
    name = "successkit.scheduling"
    label = "scheduling"
    verbose_name = _("Scheduling")

    def ready(self) -> None:
        from successkit.accounts.backends import staff_zones_from
        from successkit.scheduling.services import working_hours_zone

        # Staff pages show times in the zone of the staff member's working hours.
        staff_zones_from("availability", working_hours_zone)
