from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "successkit.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from successkit.accounts.roles import staff_role_changed

        staff_role = self.get_model("StaffRole")
        post_save.connect(staff_role_changed, sender=staff_role, dispatch_uid="staff_role_saved")
        post_delete.connect(
            staff_role_changed, sender=staff_role, dispatch_uid="staff_role_deleted"
        )
