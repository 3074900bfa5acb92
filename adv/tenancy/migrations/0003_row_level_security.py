from django.db import migrations

from adv.tenancy.rls import EnableRowLevelSecurity


class Migration(migrations.Migration):
    dependencies = [("tenancy", "0002_initial")]

    operations = [
        EnableRowLevelSecurity("tenancy_membership", user_column="user_id"),
        EnableRowLevelSecurity("tenancy_membershipevent"),
        EnableRowLevelSecurity("tenancy_invitation", key_column="key_hash"),
    ]
