from django.apps import AppConfig


class EinvoicingConfig(AppConfig):
    name = "einvoicing"
    verbose_name = "Facturation électronique"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import messages, navigation, receivers  # noqa: F401 (wording, menu, the billing signals)
