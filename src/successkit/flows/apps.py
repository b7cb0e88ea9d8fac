from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FlowsConfig(AppConfig):
    name = "successkit.flows"
    label = "flows"
    verbose_name = _("Cross-app operations")
