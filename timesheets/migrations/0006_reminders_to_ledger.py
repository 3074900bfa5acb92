"""Copy the closing-calendar announcements, CRA reminders and escalations (`Reminder`) into the
shared reminder ledger (`notifications.ReminderSent`), with the same ids: subject is the month
("2026-05-01"), step and template unchanged. Reversing copies them back."""

from django.db import migrations

FORWARD = """
    INSERT INTO {ledger} (id, tenant_id, created_at, updated_at, kind, subject, step, recipient_id, sent_at,
                          sent_by_id, template_key, details)
    SELECT id, tenant_id, created_at, updated_at, 'timesheets.' || kind, to_char(month, 'YYYY-MM-DD'), step,
           membership_id, created_at, sent_by_id, template_key, '[]'::jsonb
    FROM {old} WHERE tenant_id = %s
    ON CONFLICT (tenant_id, kind, subject, step, recipient_id) DO NOTHING
"""
BACKWARD = """
    INSERT INTO {old} (id, tenant_id, created_at, updated_at, month, membership_id, kind, step, template_key, sent_by_id)
    SELECT id, tenant_id, sent_at, updated_at, subject::date, recipient_id, substr(kind, 12), step, template_key,
           sent_by_id
    FROM {ledger} WHERE tenant_id = %s AND kind LIKE 'timesheets.%%'
    ON CONFLICT DO NOTHING
"""
FORGET = "DELETE FROM {ledger} WHERE tenant_id = %s AND kind LIKE 'timesheets.%%'"


def _each_tenant(apps, schema_editor, statements: list[str]) -> None:
    tenant_model = apps.get_model("tenancy", "Tenant")
    tables = {
        "ledger": schema_editor.quote_name(apps.get_model("notifications", "ReminderSent")._meta.db_table),
        "old": schema_editor.quote_name(apps.get_model("timesheets", "Reminder")._meta.db_table),
    }
    with schema_editor.connection.cursor() as cursor:
        for tenant_id in tenant_model.objects.values_list("pk", flat=True):
            # Row-level security binds the owner too (FORCE): enter each tenant in turn.
            cursor.execute("SELECT set_config('app.tenant_id', %s, true)", [str(tenant_id)])
            for statement in statements:
                cursor.execute(statement.format(**tables), [tenant_id])
        cursor.execute("SELECT set_config('app.tenant_id', '', true)")


def forward(apps, schema_editor):
    _each_tenant(apps, schema_editor, [FORWARD])


def backward(apps, schema_editor):
    _each_tenant(apps, schema_editor, [BACKWARD, FORGET])


class Migration(migrations.Migration):
    dependencies = [
        ("timesheets", "0005_fill_announced_deadlines"),
        ("notifications", "0004_reminder_ledger"),
    ]

    operations = [migrations.RunPython(forward, backward)]
