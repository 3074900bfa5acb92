from django.db import migrations

from adv.tenancy.rls import EnableRowLevelSecurity


class Migration(migrations.Migration):
    dependencies = [("billing", "0006_month_expected_stored_figures")]

    operations = [EnableRowLevelSecurity("billing_monthexpected")]
