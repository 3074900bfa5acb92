"""Copy the billing-close escalations (`BillingEscalation`) into the shared reminder ledger
(`notifications.ReminderSent`), with the same ids: kind "billing.escalation", subject
"invoice:<id>" or "milestone:<id>", step the month ("2026-10"), the reason kept in `details`.
Reversing copies them back."""

from django.db import migrations

KIND = "billing.escalation"
FORWARD = """
    INSERT INTO {ledger} (id, tenant_id, created_at, updated_at, kind, subject, step, recipient_id, sent_at,
                          sent_by_id, template_key, details)
    SELECT id, tenant_id, created_at, updated_at, %s,
           CASE WHEN invoice_id IS NOT NULL THEN 'invoice:' || invoice_id ELSE 'milestone:' || milestone_id END,
           to_char(month, 'YYYY-MM'), membership_id, created_at, NULL, '', jsonb_build_array(reason)
    FROM {old} WHERE tenant_id = %s
    ON CONFLICT (tenant_id, kind, subject, step, recipient_id) DO NOTHING
"""
BACKWARD = """
    INSERT INTO {old} (id, tenant_id, created_at, updated_at, month, invoice_id, milestone_id, membership_id, reason)
    SELECT id, tenant_id, sent_at, updated_at, to_date(step || '-01', 'YYYY-MM-DD'),
           CASE WHEN split_part(subject, ':', 1) = 'invoice' THEN split_part(subject, ':', 2)::uuid END,
           CASE WHEN split_part(subject, ':', 1) = 'milestone' THEN split_part(subject, ':', 2)::uuid END,
           recipient_id, coalesce(details ->> 0, '')
    FROM {ledger} WHERE kind = %s AND tenant_id = %s
    ON CONFLICT DO NOTHING
"""
FORGET = "DELETE FROM {ledger} WHERE kind = %s AND tenant_id = %s"


def _each_tenant(apps, schema_editor, statements: list[str]) -> None:
    tenant_model = apps.get_model("tenancy", "Tenant")
    tables = {
        "ledger": schema_editor.quote_name(apps.get_model("notifications", "ReminderSent")._meta.db_table),
        "old": schema_editor.quote_name(apps.get_model("billing", "BillingEscalation")._meta.db_table),
    }
    with schema_editor.connection.cursor() as cursor:
        for tenant_id in tenant_model.objects.values_list("pk", flat=True):
            # Row-level security binds the owner too (FORCE): enter each tenant in turn.
            cursor.execute("SELECT set_config('app.tenant_id', %s, true)", [str(tenant_id)])
            for statement in statements:
                cursor.execute(statement.format(**tables), [KIND, tenant_id])
        cursor.execute("SELECT set_config('app.tenant_id', '', true)")


def forward(apps, schema_editor):
    _each_tenant(apps, schema_editor, [FORWARD])


def backward(apps, schema_editor):
    _each_tenant(apps, schema_editor, [BACKWARD, FORGET])


class Migration(migrations.Migration):
    dependencies = [
        ("billing", "0010_documents_moved"),
        ("notifications", "0004_reminder_ledger"),
    ]

    operations = [migrations.RunPython(forward, backward)]
