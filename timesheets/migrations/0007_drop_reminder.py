"""Drop `Reminder`: its rows live in the reminder ledger since 0006. Reversing recreates the table
with its row-level security (0006 reversed then refills it)."""

from django.db import migrations

from adv.tenancy.rls import EnableRowLevelSecurity


class Migration(migrations.Migration):
    dependencies = [("timesheets", "0006_reminders_to_ledger")]

    operations = [
        # Backwards only: the recreated table gets its policy back (run after DeleteModel's reverse).
        migrations.RunSQL(migrations.RunSQL.noop, reverse_sql=EnableRowLevelSecurity("timesheets_reminder").sql),
        migrations.DeleteModel(name="Reminder"),
    ]
