from django.db import migrations

from adv.tenancy.rls import EnableRowLevelSecurity


class Migration(migrations.Migration):
    dependencies = [("reporting", "0001_report_recipients")]

    operations = [EnableRowLevelSecurity("reporting_reportrecipient")]
