"""Drop `RequirementReminder`: its rows live in the reminder ledger since 0007. Reversing recreates
the table with its row-level security (0007 reversed then refills it)."""

from django.db import migrations

from adv.tenancy.rls import EnableRowLevelSecurity


class Migration(migrations.Migration):
    dependencies = [("clients", "0007_requirement_reminders_to_ledger")]

    operations = [
        # Backwards only: the recreated table gets its policy back (run after DeleteModel's reverse).
        migrations.RunSQL(migrations.RunSQL.noop, reverse_sql=EnableRowLevelSecurity("clients_requirementreminder").sql),
        migrations.DeleteModel(name="RequirementReminder"),
    ]
