from django.apps import AppConfig


class TimesheetsConfig(AppConfig):
    name = "timesheets"
    verbose_name = "CRA"

    def ready(self) -> None:
        from . import (  # noqa: F401
            dashboard,  # the dashboard's to-do items
            navigation,  # sidebar entries, message templates
            navigation_closing,  # closing calendar, reminders, late report, completion (sidebar)
            reminders,  # reminder and calendar announcement message templates
            signals,  # absence types for new firms
        )
