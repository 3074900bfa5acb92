from django.db import migrations

from adv.tenancy.rls import EnableRowLevelSecurity


class Migration(migrations.Migration):
    dependencies = [("api", "0002_initial")]

    operations = [EnableRowLevelSecurity("api_apitoken", key_column="key_hash")]
