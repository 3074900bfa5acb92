from django.apps import AppConfig


class TimesheetsConfig(AppConfig):
    name = "timesheets"
    verbose_name = "CRA"

    def ready(self) -> None:
        from . import (  # noqa: F401
            dashboard,  # the dashboard's to-do items
            navigation,  # sidebar entries, message templates
            reminders,  # reminder and calendar announcement message templates
            signals,  # absence types for new firms
        )
        from .closing import navigation as closing_navigation  # noqa: F401 - the close's sidebar entries
