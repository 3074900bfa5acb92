from django.db import migrations

from adv.tenancy.rls import EnableRowLevelSecurity

TABLES = [
    "accounting_accountmapping", "accounting_accountmappingevent", "accounting_vataccount",
    "accounting_vataccountevent", "accounting_clientaccount", "accounting_clientaccountevent",
    "accounting_accountingexport",
]


class Migration(migrations.Migration):
    dependencies = [("accounting", "0001_initial")]

    operations = [EnableRowLevelSecurity(table) for table in TABLES]
