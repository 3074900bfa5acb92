from django.apps import AppConfig


class ChatConfig(AppConfig):
    name = "chat"
    verbose_name = "Chat"

    def ready(self) -> None:
        # mention notification wording; sidebar entry; system messages on the domain events; the
        # row summaries of the reports (adv.ui.threads)
        from . import messages, navigation, receivers, summaries  # noqa: F401
