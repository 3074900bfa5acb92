from django.apps import AppConfig


class TimesheetsConfig(AppConfig):
    name = "timesheets"
    verbose_name = "CRA"

    def ready(self) -> None:
        from . import signals  # noqa: F401  (absence types for new firms)
