from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "apps.accounts"
    label = "accounts"
    verbose_name = _("账户与角色")

    def ready(self):
        # RoleAssignment's scope (scoping.py imports the models, so it is set here): a role
        # assignment hangs at its node; administrators and secretaries over that node see
        # and change it (through `services.role_grant` / `role_revoke`).
        from .models import RoleAssignment
        from .scoping import ROLE_ADMINS, Scope

        RoleAssignment.scope = Scope(
            area=("area", "party_org__area"),
            party_org="party_org",
            view=ROLE_ADMINS,
            change=ROLE_ADMINS,
        )
