from django.db import migrations

from adv.tenancy.rls import EnableRowLevelSecurity

TABLES = [
    "timesheets_timesheetpolicy",
    "timesheets_absencetype",
    "timesheets_closingcalendar",
    "timesheets_closingcalendarevent",
    "timesheets_timesheet",
    "timesheets_timesheetevent",
    "timesheets_timesheetline",
    "timesheets_timesheetentry",
    "timesheets_clientapproval",
    "timesheets_clientapprovalevent",
    "timesheets_reminder",
]


class Migration(migrations.Migration):
    dependencies = [("timesheets", "0001_initial")]

    operations = [
        EnableRowLevelSecurity(table, key_column="key_hash" if table == "timesheets_clientapproval" else None)
        for table in TABLES
    ]
