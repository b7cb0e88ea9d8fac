from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    name = "successkit.catalog"
    label = "catalog"
    verbose_name = _("Catalog")

    def ready(self) -> None:
        from successkit.catalog.loader import load_catalog_after_migrate

        post_migrate.connect(load_catalog_after_migrate, sender=self)
