from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "Portail client"

    def ready(self) -> None:
        from . import messages, receivers  # noqa: F401 - messages: the portal's emails and notifications

        receivers.connect()  # a dispute closed by the firm is resolved on the portal
