from django.apps import AppConfig


class TenancyConfig(AppConfig):
    name = "adv.tenancy"
    label = "tenancy"
    verbose_name = "Sociétés et membres"
