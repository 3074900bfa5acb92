from django.apps import AppConfig


class UiConfig(AppConfig):
    name = "adv.ui"
    label = "ui"
    verbose_name = "Interface"
