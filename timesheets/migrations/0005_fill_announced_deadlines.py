"""Calendars announced before their deadlines were recorded: what was announced is taken to be
what they say now (so that only later edits are re-announced)."""

from django.db import migrations

FILL = """
UPDATE timesheets_closingcalendar SET announced_deadlines = jsonb_build_object(
    'submission_deadline', to_char(submission_deadline, 'YYYY-MM-DD'),
    'approval_deadline', to_char(approval_deadline, 'YYYY-MM-DD'),
    'client_approval_deadline', to_char(client_approval_deadline, 'YYYY-MM-DD'),
    'billing_close_deadline', to_char(billing_close_deadline, 'YYYY-MM-DD')
)
WHERE announced_at IS NOT NULL AND announced_deadlines = '{}'::jsonb
"""


class Migration(migrations.Migration):

    dependencies = [
        ("timesheets", "0004_closing_calendar_announced_deadlines"),
    ]

    operations = [migrations.RunSQL(FILL, reverse_sql=migrations.RunSQL.noop)]
