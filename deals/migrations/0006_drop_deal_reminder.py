"""Drop `DealReminder`: its rows live in the reminder ledger since 0005. Reversing recreates the
table with its row-level security (0005 reversed then refills it)."""

from django.db import migrations

from adv.tenancy.rls import EnableRowLevelSecurity


class Migration(migrations.Migration):
    dependencies = [("deals", "0005_deal_reminders_to_ledger")]

    operations = [
        # Backwards only: the recreated table gets its policy back (run after DeleteModel's reverse).
        migrations.RunSQL(migrations.RunSQL.noop, reverse_sql=EnableRowLevelSecurity("deals_dealreminder").sql),
        migrations.DeleteModel(name="DealReminder"),
    ]
