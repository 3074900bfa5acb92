from django.db import migrations

from adv.tenancy.rls import EnableRowLevelSecurity


class Migration(migrations.Migration):
    dependencies = [("chat", "0001_initial")]

    operations = [
        EnableRowLevelSecurity("chat_conversation"),
        EnableRowLevelSecurity("chat_participant"),
        EnableRowLevelSecurity("chat_message"),
        EnableRowLevelSecurity("chat_attachment"),
        EnableRowLevelSecurity("chat_chatstatus"),
    ]
