from django.db import migrations

from adv.tenancy.rls import EnableRowLevelSecurity

TABLES = [
    "billing_billingpolicy",
    "billing_billingpolicyevent",
    "billing_numbercounter",
    "billing_billingrun",
    "billing_billingrunchunk",
    "billing_invoice",
    "billing_invoiceevent",
    "billing_invoiceline",
    "billing_invoicelineevent",
    "billing_invoiceattachment",
    "billing_payment",
    "billing_paymentevent",
    "billing_billingescalation",
    "billing_billingchase",
    "billing_cockpitpreference",
]


class Migration(migrations.Migration):
    dependencies = [("billing", "0001_initial")]

    operations = [EnableRowLevelSecurity(table) for table in TABLES]
