from django.apps import AppConfig


class DealsConfig(AppConfig):
    name = "deals"
    verbose_name = "Affaires"

    def ready(self) -> None:
        # the dashboard's to-do items; how the deal's history reads; chase and escalation message
        # templates; sidebar entries
        from . import dashboard, history, messages, navigation  # noqa: F401
