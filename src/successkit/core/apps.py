from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "successkit.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from django.db.models.signals import pre_save

        from successkit.core.bounds import check_row

        # Text bounds (SPEC.md §8) on every row any door writes, the same on both databases.
        pre_save.connect(check_row, dispatch_uid="successkit_text_bounds")
