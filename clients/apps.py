from django.apps import AppConfig


class ClientsConfig(AppConfig):
    name = "clients"
    verbose_name = "Clients"

    def ready(self) -> None:
        from . import signals  # noqa: F401  (seeds document types for new tenants)
        from . import navigation  # noqa: F401  (the "Clients" sidebar entry)
        from . import navigation_documents  # noqa: F401  (document admin entries, contractual-document message)
        from . import navigation_reports  # noqa: F401  (missing-documents report, import; chase/digest messages)
