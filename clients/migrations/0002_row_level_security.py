from django.db import migrations

from adv.tenancy.rls import EnableRowLevelSecurity

TABLES = [
    "clients_client", "clients_clientevent", "clients_clientname", "clients_contact", "clients_contactevent",
    "clients_billingprofile", "clients_billingprofileevent", "clients_documenttype", "clients_document",
    "clients_documentevent", "clients_documentversion", "clients_documentversionevent",
    "clients_documentdownload", "clients_documentuserobjectpermission",
    "clients_documentuserobjectpermissionevent", "clients_documentrequirement",
    "clients_documentrequirementevent", "clients_requirementreminder",
]


class Migration(migrations.Migration):
    dependencies = [("clients", "0001_initial")]

    operations = [EnableRowLevelSecurity(table) for table in TABLES]
