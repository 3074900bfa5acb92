from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountingConfig(AppConfig):
    name = "accounting"
    verbose_name = _("Comptabilité")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # menu entries
        from . import navigation  # noqa: F401
