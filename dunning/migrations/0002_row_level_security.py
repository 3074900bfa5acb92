from django.db import migrations

from adv.tenancy.rls import EnableRowLevelSecurity

TABLES = [
    "dunning_dunningplan",
    "dunning_dunningplanevent",
    "dunning_dunningstep",
    "dunning_dunningstepevent",
    "dunning_clientdunning",
    "dunning_clientdunningevent",
    "dunning_dunningcontact",
    "dunning_reminder",
    "dunning_dunningpause",
    "dunning_dunningpauseevent",
    "dunning_paymentpromise",
    "dunning_paymentpromiseevent",
]


class Migration(migrations.Migration):
    dependencies = [("dunning", "0001_initial")]

    operations = [EnableRowLevelSecurity(table) for table in TABLES]
