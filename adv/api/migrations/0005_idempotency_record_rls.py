from django.db import migrations

from adv.tenancy.rls import EnableRowLevelSecurity


class Migration(migrations.Migration):
    dependencies = [("api", "0004_idempotency_record")]

    operations = [EnableRowLevelSecurity("api_idempotencyrecord")]
