from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "documents"
    verbose_name = "Documents"

    def ready(self) -> None:
        from . import (
            client_list,  # noqa: F401  (the client list's checklist summary per client)
            dashboard,  # noqa: F401  (the dashboard's to-do items: missing documents)
            history,  # noqa: F401  (how documents read on the client's history)
            messages,  # noqa: F401  (default message templates: contractual document, chase, digest)
            navigation,  # noqa: F401  (missing-documents report, document administration)
            signals,  # noqa: F401  (seeds document types for new tenants)
        )
