from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "adv.api"
    label = "api"
    verbose_name = "API"
