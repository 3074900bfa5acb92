from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BillingConfig(AppConfig):
    name = "billing"
    verbose_name = _("Facturation")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # message templates, menu entries, the dashboard's to-do items
        from . import dashboard, defaults, navigation  # noqa: F401
        from .refresh import connect

        # pre-invoices refreshed when the facts their checks read change (clients, deals, timesheets)
        connect()
