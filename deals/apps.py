from django.apps import AppConfig


class DealsConfig(AppConfig):
    name = "deals"
    verbose_name = "Affaires"

    def ready(self) -> None:
        from . import reminders  # noqa: F401  (registers the chase and escalation templates)
