from django.apps import AppConfig


class ClientsConfig(AppConfig):
    name = "clients"
    verbose_name = "Clients"

    def ready(self) -> None:
        from . import (
            history,  # noqa: F401  (how the client's history reads)
            navigation,  # noqa: F401  (the "Clients" sidebar entries: the list, the import)
        )
