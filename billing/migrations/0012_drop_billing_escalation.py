"""Drop `BillingEscalation`: its rows live in the reminder ledger since 0011. Reversing recreates
the table with its row-level security (0011 reversed then refills it)."""

from django.db import migrations

from adv.tenancy.rls import EnableRowLevelSecurity


class Migration(migrations.Migration):
    dependencies = [("billing", "0011_escalations_to_ledger")]

    operations = [
        # Backwards only: the recreated table gets its policy back (run after DeleteModel's reverse).
        migrations.RunSQL(migrations.RunSQL.noop, reverse_sql=EnableRowLevelSecurity("billing_billingescalation").sql),
        migrations.DeleteModel(name="BillingEscalation"),
    ]
