from django.db import migrations

from adv.tenancy.rls import EnableRowLevelSecurity


class Migration(migrations.Migration):
    dependencies = [("notifications", "0001_initial")]

    operations = [
        EnableRowLevelSecurity("notifications_messagetemplate"),
        EnableRowLevelSecurity("notifications_notification"),
        EnableRowLevelSecurity("notifications_outboxemail"),
        EnableRowLevelSecurity("notifications_notificationpreference"),
        EnableRowLevelSecurity("notifications_dailydigest"),
    ]
