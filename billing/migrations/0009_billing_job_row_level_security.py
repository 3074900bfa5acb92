from django.db import migrations

from adv.tenancy.rls import EnableRowLevelSecurity


class Migration(migrations.Migration):
    dependencies = [("billing", "0008_billing_job")]

    operations = [EnableRowLevelSecurity("billing_billingjob")]
