from django.db import migrations

from adv.tenancy.rls import EnableRowLevelSecurity

TABLES = [
    "deals_dealpolicy",
    "deals_dealcounter",
    "deals_deal",
    "deals_dealevent",
    "deals_dealinvoicerecipient",
    "deals_dealinvoicerecipientevent",
    "deals_purchaseorder",
    "deals_purchaseorderevent",
    "deals_assignment",
    "deals_assignmentevent",
    "deals_milestone",
    "deals_milestoneevent",
    "deals_subscription",
    "deals_subscriptionevent",
    "deals_dealreminder",
]


class Migration(migrations.Migration):
    dependencies = [("deals", "0001_initial")]

    operations = [EnableRowLevelSecurity(table) for table in TABLES]
