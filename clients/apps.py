from django.apps import AppConfig


class ClientsConfig(AppConfig):
    name = "clients"
    verbose_name = "Clients"

    def ready(self) -> None:
        from . import (
            dashboard,  # noqa: F401  (the dashboard's to-do items)
            history,  # noqa: F401  (how the client's history reads)
            messages,  # noqa: F401  (default message templates: contractual document, chase, digest)
            navigation,  # noqa: F401  (the "Clients" sidebar entry)
            navigation_documents,  # noqa: F401  (document admin entries)
            navigation_reports,  # noqa: F401  (missing-documents report, import)
            signals,  # noqa: F401  (seeds document types for new tenants)
        )
