"""Copy the document chases and digests (`RequirementReminder`) into the shared reminder ledger
(`notifications.ReminderSent`), with the same ids. A chase's step "<client id>:<day>" becomes
subject <client id>, step <day>; a digest keeps its ISO week as step. Reversing copies them back."""

from django.db import migrations

FORWARD = """
    INSERT INTO {ledger} (id, tenant_id, created_at, updated_at, kind, subject, step, recipient_id, sent_at,
                          sent_by_id, template_key, details)
    SELECT id, tenant_id, created_at, updated_at, 'clients.' || kind,
           CASE WHEN kind = 'chase' AND strpos(step, ':') > 0 THEN split_part(step, ':', 1) ELSE '' END,
           CASE WHEN kind = 'chase' AND strpos(step, ':') > 0 THEN substr(step, strpos(step, ':') + 1) ELSE step END,
           membership_id, created_at, sent_by_id, '', items
    FROM {old} WHERE tenant_id = %s
    ON CONFLICT (tenant_id, kind, subject, step, recipient_id) DO NOTHING
"""
BACKWARD = """
    INSERT INTO {old} (id, tenant_id, created_at, updated_at, membership_id, kind, step, sent_by_id, items)
    SELECT id, tenant_id, sent_at, updated_at, recipient_id, substr(kind, 9),
           CASE WHEN subject <> '' THEN subject || ':' || step ELSE step END, sent_by_id, details
    FROM {ledger} WHERE tenant_id = %s AND kind LIKE 'clients.%%'
    ON CONFLICT DO NOTHING
"""
FORGET = "DELETE FROM {ledger} WHERE tenant_id = %s AND kind LIKE 'clients.%%'"


def _each_tenant(apps, schema_editor, statements: list[str]) -> None:
    tenant_model = apps.get_model("tenancy", "Tenant")
    tables = {
        "ledger": schema_editor.quote_name(apps.get_model("notifications", "ReminderSent")._meta.db_table),
        "old": schema_editor.quote_name(apps.get_model("clients", "RequirementReminder")._meta.db_table),
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
        ("clients", "0006_billing_country_default_cleared"),
        ("notifications", "0004_reminder_ledger"),
    ]

    operations = [migrations.RunPython(forward, backward)]
