from django.db import migrations

from adv.tenancy.rls import EnableRowLevelSecurity

TABLES = ["webhooks_endpoint", "webhooks_event", "webhooks_delivery"]


class Migration(migrations.Migration):
    dependencies = [("webhooks", "0001_initial")]

    operations = [EnableRowLevelSecurity(table) for table in TABLES]
