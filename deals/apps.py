from django.apps import AppConfig


class DealsConfig(AppConfig):
    name = "deals"
    verbose_name = "Affaires"

    def ready(self) -> None:
        # sidebar entries; chase and escalation templates; the dashboard's to-do items
        from . import dashboard, navigation, reminders  # noqa: F401
