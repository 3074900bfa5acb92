from django.apps import AppConfig


class UsersConfig(AppConfig):
    name = "adv.users"
    label = "users"
    verbose_name = "Utilisateurs"
