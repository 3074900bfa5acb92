from django.apps import AppConfig


class UiConfig(AppConfig):
    name = "adv.ui"
    label = "ui"
    verbose_name = "Interface"

    def ready(self) -> None:
        from . import history  # noqa: F401  (how the firm's audit trail reads)
