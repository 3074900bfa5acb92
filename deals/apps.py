from django.apps import AppConfig


class DealsConfig(AppConfig):
    name = "deals"
    verbose_name = "Affaires"

    def ready(self) -> None:
        from . import navigation, reminders  # noqa: F401  (sidebar entries; chase and escalation templates)
