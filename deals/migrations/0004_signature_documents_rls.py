from django.db import migrations

from adv.tenancy.rls import EnableRowLevelSecurity


class Migration(migrations.Migration):
    dependencies = [("deals", "0003_signature_documents")]

    operations = [EnableRowLevelSecurity("deals_dealsignaturedocument")]
