from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from adv.ui.dashboard import register_panel
        from adv.ui.navigation import ADMIN_ONLY, SECTION_ADMIN, NavItem, register

        from . import defaults  # noqa: F401 - registers this app's default message templates
        from .selectors import notification_recent

        # the dashboard's latest unread notifications (the membership's user is loaded with it)
        register_panel("recent_notifications", lambda membership: notification_recent(user=membership.user, limit=5))

        register(
            NavItem("notifications:list", _("Notifications"), "bi-bell", order=80, test_id="nav-notifications"),
            NavItem(
                "notifications:templates", _("Modèles de message"), "bi-chat-square-text", section=SECTION_ADMIN,
                roles=ADMIN_ONLY, order=40, test_id="nav-message-templates",
            ),
            NavItem(
                "notifications:emails", _("E-mails sortants"), "bi-envelope-exclamation", section=SECTION_ADMIN,
                roles=ADMIN_ONLY, order=50, test_id="nav-outbox",
            ),
        )
