from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "webhooks"
    verbose_name = "Webhooks"

    def ready(self) -> None:
        # the domain signals of every floor become events; the admins' notification; sidebar entry
        from . import messages, navigation, receivers  # noqa: F401
