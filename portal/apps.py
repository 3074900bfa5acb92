from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "Portail client"

    def ready(self) -> None:
        from . import messages  # noqa: F401 - the portal's emails and notifications
