from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DunningConfig(AppConfig):
    name = "dunning"
    verbose_name = _("Relances clients")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # message templates (FR/EN, editable per firm), the sidebar entry
        from . import messages, navigation  # noqa: F401
        from .receivers import connect

        # paused by payments and disputes, a promise checked when a payment arrives (billing/signals.py)
        connect()
